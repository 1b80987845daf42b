package io.storecast.orders;

import java.time.Instant;
import java.util.List;

import io.storecast.identity.CustomerId;
import io.storecast.identity.OrgNodeId;

/**
 * An order was paid: coupons redeem its codes, audience adds its lines to the purchase history,
 * analytics counts its revenue. Published once per order, when its first PAID event is recorded,
 * even when that event arrives late.
 *
 * @param status the order's status once the payment was recorded: a payment reported after the
 * order was cancelled arrives with CANCELLED here, and consumers should not count it as a sale
 * @param at when the payment happened (the event's own time)
 */
public record OrderPaid(OrderId orderId, String externalId, CustomerId customerId, OrgNodeId storeId,
		long subtotalFen, long discountFen, long totalFen, String currency, List<String> couponCodes,
		List<OrderLine> lines, OrderStatus status, Instant at) {
}
