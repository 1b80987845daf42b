package io.storecast.orders;

import java.time.Instant;
import java.util.List;

import io.storecast.identity.CustomerId;
import io.storecast.identity.OrgNodeId;

/** An order reached the customer (after-sale surveys start here); once per order. */
public record OrderDelivered(OrderId orderId, String externalId, CustomerId customerId, OrgNodeId storeId,
		List<OrderLine> lines, Instant at) {
}
