package io.storecast.messaging;

import io.storecast.identity.CustomerId;
import io.storecast.identity.OrgNodeId;

/**
 * One post of {@link MerchantMessaging#postToCustomers}: a TEXT or CARD message from the store to the
 * customer's conversation with it.
 *
 * @param key the idempotency key, {@code [A-Za-z0-9._:-]{1,64}}
 */
public record CustomerPost(OrgNodeId store, CustomerId customer, String key, MessageDraft draft) {
}
