package io.storecast.coupons.internal;

import java.util.List;
import java.util.Optional;

import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Service;

import io.storecast.coupons.Cart;
import io.storecast.coupons.CartPricing;
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
	private final CouponRedeeming redeeming;
	private final IssuedCoupons coupons;
	private final TemplateManagement templates;

	CouponOperations(CouponIssuing issuing, CouponRedeeming redeeming, IssuedCoupons coupons,
			TemplateManagement templates) {
		this.issuing = issuing;
		this.redeeming = redeeming;
		this.coupons = coupons;
		this.templates = templates;
	}

	@Override
	public IssuedCoupon claim(CustomerId customer, CouponTemplateId template, String requestKey,
			@Nullable String source, @Nullable String sourceRef) {
		return view(issuing.claim(customer, template, requestKey, CouponRules.source(source, "source"),
				TextFields.optional(sourceRef, "sourceRef", 128)).coupon());
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
