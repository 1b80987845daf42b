package io.storecast.coupons;

import org.jspecify.annotations.Nullable;

import io.storecast.identity.CustomerId;

/**
 * One customer's claim of one coupon of a template, as {@link Coupons#claim} takes it, for
 * {@link Coupons#claimAll}. {@code requestKey} is the customer's idempotency key (1-64 of
 * {@code A-Za-z0-9._:-}; none is refused {@code missing-idempotency-key}); the fields are checked by
 * {@code claimAll}, which answers a bad one with a refusal rather than an exception.
 */
public record ClaimCommand(CustomerId customer, CouponTemplateId template, @Nullable String requestKey, @Nullable String source,
		@Nullable String sourceRef) {
}
