package io.storecast.orders;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

import io.storecast.identity.CustomerId;
import io.storecast.identity.OrgNodeId;

/**
 * An order's current status moved (a late event that moves nothing is not published). The orders
 * module itself turns it into an order card for the customer.
 *
 * @param at when the event that moved it happened
 * @param notifyCustomer whether the customer should hear of it: PAID, SHIPPED, OUT_FOR_DELIVERY or
 * DELIVERED, reported within {@code storecast.orders.card-max-age} of happening
 */
public record OrderStatusChanged(OrderId orderId, String externalId, CustomerId customerId, OrgNodeId storeId,
		OrderStatus previous, OrderStatus status, Instant at, long totalFen, @Nullable String carrier,
		@Nullable String trackingNumber, @Nullable String expectedDelivery, boolean notifyCustomer) {
}
