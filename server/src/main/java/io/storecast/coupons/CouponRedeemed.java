package io.storecast.coupons;

import java.time.Instant;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

import io.storecast.identity.CustomerId;
import io.storecast.identity.OrgNodeId;

/** A coupon was redeemed against an order, taking {@code discountFen} off it. */
public record CouponRedeemed(UUID couponId, String code, CouponTemplateId templateId, CouponKind kind,
		CustomerId customerId, String orderExternalId, @Nullable OrgNodeId storeId, long discountFen, Instant at) {
}
