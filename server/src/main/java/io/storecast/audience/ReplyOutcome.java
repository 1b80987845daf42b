package io.storecast.audience;

import java.util.List;

import org.jspecify.annotations.Nullable;

import io.storecast.identity.CustomerId;

/**
 * What a customer's reply did to their consent.
 *
 * @param unsubscribeWord whether the reply was an unsubscribe word (退订, 退訂, TD, T, unsubscribe …)
 * @param withdrawn the customers whose marketing consent this reply withdrew (empty when it was
 * already withdrawn: a second 退订 changes nothing and is not confirmed again)
 * @param confirmation the text to confirm with, once, when {@code withdrawn} is not empty
 */
public record ReplyOutcome(boolean unsubscribeWord, List<CustomerId> withdrawn, @Nullable String confirmation) {
}
