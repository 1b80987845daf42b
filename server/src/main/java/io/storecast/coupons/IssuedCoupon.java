package io.storecast.coupons;

import java.time.Instant;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

import io.storecast.identity.CustomerId;

/**
 * An issued coupon as callers see it.
 *
 * @param code the code to show and to type ({@code XXXX-XXXX-XXXX-XXXX}); bound to {@code customerId}
 * @param validUntil exclusive
 */
public record IssuedCoupon(UUID id, String code, CouponTemplateId templateId, String templateName, CouponKind kind,
		CustomerId customerId, CouponStatus status, IssueChannel channel, @Nullable String source,
		@Nullable String sourceRef, Instant validFrom, Instant validUntil, Instant issuedAt,
		@Nullable Instant redeemedAt, @Nullable Instant expiredAt, @Nullable Instant revokedAt) {
}
