package io.storecast.coupons;

import java.time.Instant;
import java.util.UUID;

import io.storecast.identity.CustomerId;

/** An unused coupon reached the end of its validity. */
public record CouponExpired(UUID couponId, String code, CouponTemplateId templateId, CustomerId customerId,
		Instant validUntil, Instant at) {
}
