package io.storecast.orders;

import java.time.Instant;
import java.util.List;

import org.jspecify.annotations.Nullable;

import io.storecast.identity.CustomerId;
import io.storecast.identity.OrgNodeId;

/**
 * An order with its lines and status timeline.
 *
 * @param status the current status: the furthest forward status reached, or the closing one
 * @param statusAt when the event that set the current status happened (its own {@code occurredAt})
 * @param totalFen {@code subtotalFen - discountFen + shippingFen}, in fen of {@code currency}
 * @param carrier the carrier and tracking number of the latest shipping event that named them
 * @param expectedDelivery an ISO date or instant, as the merchant's system gave it
 * @param timeline every status event recorded, in the order they happened
 */
public record OrderView(OrderId id, String externalId, CustomerId customerId, String customerExternalId,
		OrgNodeId storeId, OrderStatus status, Instant statusAt, Instant placedAt, @Nullable Instant paidAt,
		String currency, List<OrderLine> lines, long subtotalFen, long discountFen, long shippingFen, long totalFen,
		long refundedFen, List<String> couponCodes, @Nullable String carrier, @Nullable String trackingNumber,
		@Nullable String expectedDelivery, OrderSource source, List<StatusEntry> timeline, Instant createdAt,
		Instant updatedAt) {

	/**
	 * One status event as recorded.
	 *
	 * @param eventId the event's id (the webhook's event id, the Idempotency-Key, or {@code STATUS@occurredAt})
	 * @param changedStatus whether recording it changed the order's status (false for a late event)
	 * @param recordedBy who reported it: {@code api-key:<id>}, {@code staff:<id>}, {@code webhook} or {@code demo}
	 */
	public record StatusEntry(String eventId, OrderStatus status, Instant occurredAt, Instant recordedAt,
			boolean changedStatus, @Nullable String carrier, @Nullable String trackingNumber,
			@Nullable String expectedDelivery, @Nullable Long refundFen, @Nullable String note, String recordedBy) {
	}
}
