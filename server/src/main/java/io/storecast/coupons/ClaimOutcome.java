package io.storecast.coupons;

import org.jspecify.annotations.Nullable;

import io.storecast.platform.ApiException;

/**
 * What {@link Coupons#claimAll} answers for one {@link ClaimCommand}: exactly what
 * {@link Coupons#claim} would have answered for it alone. Either the coupon ({@code replayed} when
 * an earlier call with the same customer and request key issued it), or the refusal {@code claim}
 * would have thrown (its status and {@code code}, e.g. 409 {@code sold-out}, 400
 * {@code invalid-idempotency-key}); a refusal changed nothing.
 */
public record ClaimOutcome(@Nullable IssuedCoupon coupon, boolean replayed, @Nullable ApiException refusal) {

	public ClaimOutcome {
		if ((coupon == null) == (refusal == null)) {
			throw new IllegalArgumentException("A claim's outcome is a coupon or a refusal, exactly one");
		}
		if (replayed && coupon == null) {
			throw new IllegalArgumentException("Only a coupon is replayed");
		}
	}

	public static ClaimOutcome issued(IssuedCoupon coupon, boolean replayed) {
		return new ClaimOutcome(coupon, replayed, null);
	}

	public static ClaimOutcome refused(ApiException refusal) {
		return new ClaimOutcome(null, false, refusal);
	}

	/** Whether a coupon was issued or replayed. */
	public boolean succeeded() {
		return coupon != null;
	}
}
