package io.storecast.coupons;

import java.time.Instant;
import java.util.UUID;

import io.storecast.identity.CustomerId;

/** The merchant revoked an unused coupon. */
public record CouponRevoked(UUID couponId, String code, CouponTemplateId templateId, CustomerId customerId,
		String reason, String revokedBy, Instant at) {
}
