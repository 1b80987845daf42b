package io.storecast.orders;

import java.time.Instant;
import java.util.List;

import io.storecast.identity.CustomerId;
import io.storecast.identity.OrgNodeId;

/**
 * An order was cancelled: coupons return its codes, analytics takes its revenue back when it had
 * been paid. Once per order.
 *
 * @param wasPaid whether a payment was recorded before the cancellation
 */
public record OrderCancelled(OrderId orderId, String externalId, CustomerId customerId, OrgNodeId storeId,
		long totalFen, String currency, List<String> couponCodes, boolean wasPaid, Instant at) {
}
