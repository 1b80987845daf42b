package io.storecast.audience;

import java.time.Instant;

import io.storecast.identity.CustomerId;

/**
 * A customer got a tag (manually, by import, or because a rule now matches); campaign triggers
 * such as "became 高价值" start here.
 *
 * @param source MANUAL, IMPORT or RULE
 */
public record CustomerTagged(CustomerId customerId, String tag, String source, Instant at) {
}
