package io.storecast.coupons.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Service;

import io.storecast.coupons.Cart;
import io.storecast.coupons.CartPricing;
import io.storecast.coupons.ClaimCommand;
import io.storecast.coupons.ClaimOutcome;
import io.storecast.coupons.CouponTemplateId;
import io.storecast.coupons.Coupons;
import io.storecast.coupons.IssuedCoupon;
import io.storecast.coupons.RedeemRequest;
import io.storecast.coupons.Redemption;
import io.storecast.coupons.Rollback;
import io.storecast.identity.CustomerId;
import io.storecast.identity.OrgNodeId;
import io.storecast.platform.ApiException;
import io.storecast.platform.TextFields;

/** {@link Coupons} for other modules, over the issuing and redeeming services. */
@Service
class CouponOperations implements Coupons {

	private final CouponIssuing issuing;
	private final BatchClaims batches;
	private final CouponRedeeming redeeming;
	private final IssuedCoupons coupons;
	private final TemplateManagement templates;

	CouponOperations(CouponIssuing issuing, BatchClaims batches, CouponRedeeming redeeming, IssuedCoupons coupons,
			TemplateManagement templates) {
		this.issuing = issuing;
		this.batches = batches;
		this.redeeming = redeeming;
		this.coupons = coupons;
		this.templates = templates;
	}

	@Override
	public IssuedCoupon claim(CustomerId customer, CouponTemplateId template, String requestKey,
			@Nullable String source, @Nullable String sourceRef) {
		return view(issuing.issue(request(new ClaimCommand(customer, template, requestKey, source, sourceRef))).coupon());
	}

	@Override
	public List<ClaimOutcome> claimAll(List<ClaimCommand> claims) {
		ClaimOutcome[] outcomes = new ClaimOutcome[claims.size()];
		List<CouponIssuing.Request> requests = new ArrayList<>(claims.size());
		List<Integer> at = new ArrayList<>(claims.size());
		for (int i = 0; i < claims.size(); i++) {
			try {
				requests.add(request(present(claims.get(i))));
				at.add(i);
			}
			catch (ApiException refusal) {
				outcomes[i] = ClaimOutcome.refused(refusal);
			}
		}
		List<BatchClaims.Result> results = requests.isEmpty() ? List.of() : batches.issue(requests);
		for (int k = 0; k < results.size(); k++) {
			BatchClaims.Result r = results.get(k);
			outcomes[at.get(k)] = r.issued() == null ? ClaimOutcome.refused(Objects.requireNonNull(r.refusal()))
					: ClaimOutcome.issued(view(r.issued().coupon()), r.issued().replayed());
		}
		return Arrays.asList(outcomes);
	}

	/** A command with its customer and template (a caller's bug otherwise: refused for that command only). */
	private static ClaimCommand present(@Nullable ClaimCommand c) {
		if (c == null || c.customer() == null || c.template() == null) {
			throw ApiException.badRequest("validation-failed", c == null ? "claim" : c.customer() == null ? "customer"
					: "template", "A claim names its customer and template");
		}
		return c;
	}

	/** A claim's inputs checked in {@link #claim}'s order: source, sourceRef, request key (400), template (404). */
	private CouponIssuing.Request request(ClaimCommand c) {
		return issuing.claimRequest(c.customer(), c.template(), c.requestKey(), CouponRules.source(c.source(), "source"),
				TextFields.optional(c.sourceRef(), "sourceRef", 128));
	}

	@Override
	public IssuedCoupon grant(CouponTemplateId template, CustomerId customer, String requestKey, String grantedBy,
			@Nullable String source, @Nullable String sourceRef) {
		return view(issuing.grant(template, customer, requestKey, TextFields.required(grantedBy, "grantedBy", 100),
				CouponRules.source(source, "source"), TextFields.optional(sourceRef, "sourceRef", 128)).coupon());
	}

	@Override
	public CartPricing price(@Nullable CustomerId customer, @Nullable OrgNodeId store, List<String> codes, Cart cart) {
		return redeeming.price(customer, store, codes, cart);
	}

	@Override
	public Redemption redeem(RedeemRequest request, String redeemedBy) {
		return redeeming.redeem(request, redeemedBy);
	}

	@Override
	public Rollback rollback(String orderExternalId, String reason) {
		return redeeming.rollback(orderExternalId, reason);
	}

	@Override
	public Optional<String> templateName(CouponTemplateId template) {
		return templates.cached(template).map(Template::name);
	}

	@Override
	public Optional<IssuedCoupon> find(String code) {
		return CouponCodes.normalise(code).flatMap(coupons::findByCode).map(this::view);
	}

	IssuedCoupon view(CouponRow c) {
		Template t = templates.cached(c.templateId())
			.orElseThrow(() -> new ApiException(org.springframework.http.HttpStatus.INTERNAL_SERVER_ERROR,
					"internal-error", "The coupon's template is missing"));
		return new IssuedCoupon(c.id(), CouponCodes.display(c.code()), c.templateId(), t.name(), t.kind(),
				c.customerId(), c.status(), c.channel(), c.source(), c.sourceRef(), c.validFrom(), c.validUntil(),
				c.issuedAt(), c.redeemedAt(), c.expiredAt(), c.revokedAt());
	}
}
