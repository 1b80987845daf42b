package io.storecast.coupons;

import java.time.Instant;
import java.util.UUID;

import io.storecast.identity.CustomerId;

/**
 * A redemption was undone (the order was cancelled or refunded); {@code usableAgain} is false when
 * the coupon's validity had ended meanwhile (it is EXPIRED, and {@link CouponExpired} follows).
 */
public record CouponRolledBack(UUID couponId, String code, CouponTemplateId templateId, CustomerId customerId,
		String orderExternalId, long discountFen, String reason, boolean usableAgain, Instant at) {
}
