package io.storecast.coupons;

import java.util.List;
import java.util.Optional;

import org.jspecify.annotations.Nullable;

import io.storecast.identity.CustomerId;
import io.storecast.identity.OrgNodeId;

/**
 * Coupons for other modules: campaigns and triggers grant, live rooms claim for a viewer, orders
 * redeem on payment and roll back on cancel or refund. These calls trust their caller (they check
 * no permission); failures are {@link io.storecast.platform.ApiException}s with the codes of the
 * REST API (docs/coupons.md).
 */
public interface Coupons {

	/**
	 * The customer claims one coupon of the template: audience, window, stock, budget and the
	 * per-customer limits apply. Idempotent on {@code requestKey} (1-64 of {@code A-Za-z0-9._:-}):
	 * a retry returns the coupon the first call issued.
	 */
	IssuedCoupon claim(CustomerId customer, CouponTemplateId template, String requestKey, @Nullable String source,
			@Nullable String sourceRef);

	/**
	 * Many customers' claims at once, answered in the same order: each outcome is exactly what
	 * {@link #claim} would have answered for that command alone (a coupon, a replayed coupon, or the
	 * refusal {@code claim} would have thrown, including a bad request key or source and an unknown
	 * template). One bad command never fails the others; nothing is thrown for one. Issuing costs one
	 * transaction per template in the batch with a fixed number of statements, however many claims
	 * it holds; a customer's second claim of the same template in one batch is decided after the
	 * first, as if it came later.
	 */
	List<ClaimOutcome> claimAll(List<ClaimCommand> claims);

	/**
	 * The merchant's system grants one coupon to the customer: as a claim, but the template's
	 * audience rules are not applied (the granting campaign chose its audience). {@code grantedBy}
	 * names the system for the record ("campaign:…", "survey:…"); the key is scoped by it.
	 */
	IssuedCoupon grant(CouponTemplateId template, CustomerId customer, String requestKey, String grantedBy,
			@Nullable String source, @Nullable String sourceRef);

	/**
	 * Prices a cart with codes: which apply, the discount, and why others do not. Changes nothing.
	 * With a customer, codes of other customers are refused ({@code not-your-coupon}).
	 */
	CartPricing price(@Nullable CustomerId customer, @Nullable OrgNodeId store, List<String> codes, Cart cart);

	/**
	 * Redeems the codes against the order, exactly once: a code redeemed by another order is refused
	 * (409 {@code already-redeemed}); the same order redeeming the same codes again returns the
	 * earlier redemption with {@code replayed} (so a retried event does no harm).
	 */
	Redemption redeem(RedeemRequest request, String redeemedBy);

	/** Rolls back every active redemption of the order; idempotent (a second call returns an empty rollback). */
	Rollback rollback(String orderExternalId, String reason);

	/** The template's name, if the template exists (a campaign checks the template it will grant from). */
	Optional<String> templateName(CouponTemplateId template);

	/** The coupon with this code (any format the customer may type), if any. */
	Optional<IssuedCoupon> find(String code);
}
