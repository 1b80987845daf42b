package io.storecast.coupons.internal;

import java.time.Instant;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

import io.storecast.coupons.CouponStatus;
import io.storecast.coupons.CouponTemplateId;
import io.storecast.coupons.IssueChannel;
import io.storecast.identity.CustomerId;

/** An issued coupon as stored ({@code coupons_coupons}); {@code code} is normalised (no separators). */
record CouponRow(UUID id, String code, CouponTemplateId templateId, CustomerId customerId, int slot,
		CouponStatus status, IssueChannel channel, @Nullable String source, @Nullable String sourceRef,
		String issueKey, String issuedBy, Instant validFrom, Instant validUntil, Instant issuedAt,
		@Nullable Instant redeemedAt, @Nullable Instant expiredAt, @Nullable Instant revokedAt) {

	/** Whether it can be used at {@code at}: issued, and within its validity. */
	boolean usableAt(Instant at) {
		return status == CouponStatus.ISSUED && !at.isBefore(validFrom) && at.isBefore(validUntil);
	}
}
