package io.storecast.coupons;

import java.util.List;

import org.jspecify.annotations.Nullable;

import io.storecast.identity.CustomerId;
import io.storecast.identity.OrgNodeId;

/**
 * Redeem these codes against an order: the cart is priced as {@link Coupons#price} would, and the
 * order is refused unless every code applies.
 *
 * @param orderExternalId the merchant's order id (1-128 characters)
 * @param storeId the store the order is placed at, null for online orders
 */
public record RedeemRequest(String orderExternalId, CustomerId customerId, @Nullable OrgNodeId storeId,
		List<String> codes, Cart cart) {
}
