package io.storecast.coupons;

import java.time.Instant;
import java.util.UUID;

import io.storecast.identity.CustomerId;

/**
 * An unused coupon expires within {@code storecast.coupons.reminder-before}: once per coupon, for
 * campaigns to remind the customer.
 */
public record CouponExpiringSoon(UUID couponId, String code, CouponTemplateId templateId, String templateName,
		CustomerId customerId, Instant validUntil) {
}
