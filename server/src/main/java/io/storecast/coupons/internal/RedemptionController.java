package io.storecast.coupons.internal;

import java.util.List;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import io.storecast.coupons.Cart;
import io.storecast.coupons.CartPricing;
import io.storecast.coupons.RedeemRequest;
import io.storecast.coupons.Redemption;
import io.storecast.coupons.Rollback;
import io.storecast.identity.Actor;
import io.storecast.identity.CustomerId;
import io.storecast.identity.OrgNodeId;
import io.storecast.identity.Permission;
import io.storecast.platform.ApiException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

@Tag(name = "Coupon redemption", description = "Price a cart with codes, redeem them against an order (核销), roll back")
@RestController
@RequestMapping("/api/v1/coupons")
class RedemptionController {

	record ValidateRequest(@Nullable CustomerId customerId, @Nullable String customerExternalId,
			@Nullable OrgNodeId storeId, @Nullable List<String> codes, @Nullable Cart cart) {
	}

	record RedeemBody(@Nullable String orderExternalId, @Nullable CustomerId customerId,
			@Nullable String customerExternalId, @Nullable OrgNodeId storeId, @Nullable List<String> codes,
			@Nullable Cart cart) {
	}

	record RollbackBody(@Nullable String orderExternalId, @Nullable String reason) {
	}

	private final CouponRedeeming redeeming;
	private final CouponAccess access;

	RedemptionController(CouponRedeeming redeeming, CouponAccess access) {
		this.redeeming = redeeming;
		this.access = access;
	}

	@Operation(summary = "Validate and price: which codes apply to the cart, the discount, and why others do not",
			description = """
					Changes nothing. Customers price their own codes; staff and API keys name the customer (codes of \
					others are refused as not-your-coupon). Lines: {sku, quantity, unitPriceFen}; shippingFen.""")
	@PostMapping("/validations")
	CartPricing validate(@AuthenticationPrincipal Actor actor, @RequestBody ValidateRequest request) {
		if (!(actor instanceof Actor.Customer)) {
			access.requireRead(actor);
		}
		if (request.storeId() != null) {
			access.requireStore(request.storeId(), "storeId");
		}
		CustomerId customer = access.customer(actor, request.customerId(), request.customerExternalId());
		return redeeming.price(customer, request.storeId(), request.codes(), request.cart());
	}

	@Operation(summary = "Redeem codes against an order, exactly once (all or none)", description = """
			The cart is priced as by /validations and every code must apply. 201 with the discount per code. \
			409 already-redeemed (another order used a code), duplicate-redemption (this order already redeemed it: \
			nothing changed), coupon-expired, threshold-not-met, not-stackable …; 403 not-your-coupon.""")
	@PostMapping("/redemptions")
	ResponseEntity<Redemption> redeem(@AuthenticationPrincipal Actor actor, @RequestBody RedeemBody body) {
		access.requireRedeemAt(actor, body.storeId(), "storeId");
		CustomerId customer = access.customer(actor, body.customerId(), body.customerExternalId());
		Redemption done = redeeming.redeem(new RedeemRequest(body.orderExternalId() == null ? "" : body.orderExternalId(),
				customer, body.storeId(), body.codes() == null ? List.of() : body.codes(),
				body.cart() == null ? new Cart(null, null) : body.cart()), CouponRules.who(actor));
		if (done.replayed()) {
			throw ApiException.conflict("duplicate-redemption", "Order " + done.orderExternalId()
					+ " has already redeemed these codes (" + done.discountFen() + " fen off); nothing changed");
		}
		return ResponseEntity.status(HttpStatus.CREATED).body(done);
	}

	@Operation(summary = "Roll back an order's redemptions (cancelled or refunded)", description = """
			Every active redemption of the order is undone: coupons still valid are usable again, others expire; \
			counts and spend are restored. Idempotent: a second call answers 200 with no coupons.""")
	@PostMapping("/rollbacks")
	Rollback rollback(@AuthenticationPrincipal Actor actor, @RequestBody RollbackBody body) {
		access.require(actor, Permission.COUPON_REDEEM);
		String order = CouponRules.orderId(body.orderExternalId(), "orderExternalId");
		for (Redemptions.Row r : redeeming.activeOfOrder(order)) {
			// staff roll back what was redeemed within their part of the organisation
			if (!access.reaches(actor, r.storeId())) {
				throw ApiException.forbidden("forbidden",
						"This order's coupons were redeemed outside your part of the organisation");
			}
		}
		return redeeming.rollback(order, body.reason() == null ? "" : body.reason());
	}
}
