package io.storecast.orders;

import java.time.Instant;
import java.util.List;

import io.storecast.identity.CustomerId;
import io.storecast.identity.OrgNodeId;

/** The merchant's system recorded a new order (not yet paid). Not published for demo history. */
public record OrderCreated(OrderId orderId, String externalId, CustomerId customerId, OrgNodeId storeId,
		long totalFen, String currency, List<String> couponCodes, List<OrderLine> lines, Instant placedAt) {
}
