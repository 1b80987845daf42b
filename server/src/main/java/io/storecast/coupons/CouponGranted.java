package io.storecast.coupons;

import java.time.Instant;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

import io.storecast.identity.CustomerId;

/** The merchant's systems granted a coupon to a customer ({@code grantedBy}: "campaign:…", "api-key:…"). */
public record CouponGranted(UUID couponId, String code, CouponTemplateId templateId, CouponKind kind,
		CustomerId customerId, String grantedBy, @Nullable String source, @Nullable String sourceRef,
		Instant validUntil, Instant at) {
}
