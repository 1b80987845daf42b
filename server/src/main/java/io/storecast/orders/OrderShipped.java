package io.storecast.orders;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

import io.storecast.identity.CustomerId;
import io.storecast.identity.OrgNodeId;

/** An order left the store or warehouse; published once per order, at its first SHIPPED event. */
public record OrderShipped(OrderId orderId, String externalId, CustomerId customerId, OrgNodeId storeId,
		String carrier, String trackingNumber, @Nullable String expectedDelivery, Instant at) {
}
