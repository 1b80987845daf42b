package io.storecast.coupons;

import java.time.Instant;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

import io.storecast.identity.CustomerId;

/** A customer claimed a coupon (from a card, a link, a live room: {@code source} and {@code sourceRef}). */
public record CouponClaimed(UUID couponId, String code, CouponTemplateId templateId, CouponKind kind,
		CustomerId customerId, @Nullable String source, @Nullable String sourceRef, Instant validUntil, Instant at) {
}
