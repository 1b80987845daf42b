package io.storecast.delivery;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

import io.storecast.audience.Channel;
import io.storecast.identity.CustomerId;

/**
 * A delivery moved on: published once per status a delivery reaches on a channel (SENT, DELIVERED,
 * READ, FAILED), for campaigns and analytics.
 *
 * @param source who asked for the delivery, e.g. {@code campaign:42} (see {@link DeliveryRequest#source()})
 * @param channel the channel the status is about (for FAILED of the whole route: the last one tried)
 * @param reason for FAILED: a stable code ({@code no-consent}, {@code suppressed}, {@code invalid-phone},
 * {@code rejected}, {@code retries-exhausted} …); else null
 * @param segments for SMS: how many segments the merchant pays for; else 1
 */
public record DeliveryStatusChanged(DeliveryId id, String source, String key, CustomerId customerId,
		Channel channel, DeliveryStatus status, @Nullable String reason, int segments, Instant at) {
}
