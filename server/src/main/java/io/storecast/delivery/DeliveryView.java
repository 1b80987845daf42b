package io.storecast.delivery;

import java.time.Instant;
import java.util.List;

import org.jspecify.annotations.Nullable;

import io.storecast.audience.Channel;
import io.storecast.audience.Purpose;
import io.storecast.identity.CustomerId;

/**
 * A delivery and every attempt made for it, oldest first.
 *
 * @param bulk whether it waits behind the channel's other messages ({@link DeliveryRequest#bulk()})
 */
public record DeliveryView(DeliveryId id, String source, String key, CustomerId customerId, Purpose purpose,
		DeliveryStatus status, @Nullable String reason, Instant createdAt, boolean bulk, List<Attempt> attempts) {

	/**
	 * One try on one channel.
	 *
	 * @param status QUEUED, SENDING, SENT, DELIVERED, READ, RETRY (failed, will try again at
	 * {@code dueAt}), FAILED, SKIPPED (not allowed: no consent, suppressed)
	 */
	public record Attempt(long id, Channel channel, int number, String status, @Nullable String providerId,
			int segments, @Nullable String errorCode, @Nullable String error, Instant dueAt,
			@Nullable Instant sentAt, @Nullable Instant deliveredAt, @Nullable Integer responseCode) {
	}
}
