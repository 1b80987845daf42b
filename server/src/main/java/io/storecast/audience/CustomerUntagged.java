package io.storecast.audience;

import java.time.Instant;

import io.storecast.identity.CustomerId;

/** A customer lost a tag (removed by staff, or a rule no longer matches). */
public record CustomerUntagged(CustomerId customerId, String tag, String source, Instant at) {
}
