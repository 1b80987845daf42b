package io.storecast.delivery.internal.channel;

import java.util.Map;

import org.jspecify.annotations.Nullable;

import io.storecast.audience.Purpose;
import io.storecast.identity.CustomerId;
import io.storecast.identity.OrgNodeId;

/**
 * One attempt as a channel sees it.
 *
 * @param attemptId the outbox row; unique, stable across retries of this attempt
 * @param idempotencyKey the same for every attempt of one delivery on one channel (a webhook sends it
 * as {@code Idempotency-Key}; in-app posts use it so a retried post stores nothing twice)
 * @param address the phone number in E.164 (SMS), the endpoint URL (WEBHOOK), or null (IN_APP)
 * @param storeName the store's name, for the SMS signature 【店名】
 * @param text the text for this channel (for SMS: without the signature)
 * @param card in-app card fields, or null
 * @param data the webhook's extra fields
 */
public record Outgoing(long attemptId, String deliveryId, String idempotencyKey, int attemptNumber,
		CustomerId customerId, OrgNodeId store, String storeName, Purpose purpose, @Nullable String address,
		String text, @Nullable Map<String, Object> card, Map<String, Object> data) {
}
