package io.storecast.orders;

import java.time.Instant;
import java.util.List;

import io.storecast.identity.CustomerId;
import io.storecast.identity.OrgNodeId;

/**
 * A paid order was refunded (in full, or {@code refundFen} of its {@code totalFen}); coupons return
 * its codes, analytics subtracts the refund. Once per order.
 */
public record OrderRefunded(OrderId orderId, String externalId, CustomerId customerId, OrgNodeId storeId,
		long refundFen, long totalFen, String currency, List<String> couponCodes, Instant at) {
}
