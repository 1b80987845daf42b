package io.storecast.coupons.internal;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import io.storecast.coupons.CouponStatus;
import io.storecast.coupons.CouponTemplateId;
import io.storecast.coupons.IssuedCoupon;
import io.storecast.identity.Actor;
import io.storecast.identity.CustomerId;
import io.storecast.identity.OrgNodeId;
import io.storecast.identity.Permission;
import io.storecast.platform.ApiException;
import io.storecast.platform.CursorPage;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

@Tag(name = "Coupons", description = "Issued coupons: a customer's own, lookups by code, revocation")
@RestController
@RequestMapping("/api/v1/coupons")
class CouponController {

	/** A coupon with its redemptions (newest first). */
	record CouponDetail(IssuedCoupon coupon, List<RedemptionView> redemptions) {
	}

	record RedemptionView(UUID id, String orderExternalId, @Nullable OrgNodeId storeId, long discountFen,
			String status, Instant redeemedAt, @Nullable Instant rolledBackAt, @Nullable String rollbackReason) {
	}

	record RevokeRequest(@Nullable String reason) {
	}

	private final IssuedCoupons coupons;
	private final Redemptions redemptions;
	private final CouponOperations operations;
	private final CouponRedeeming redeeming;
	private final CouponAccess access;

	CouponController(IssuedCoupons coupons, Redemptions redemptions, CouponOperations operations,
			CouponRedeeming redeeming, CouponAccess access) {
		this.coupons = coupons;
		this.redemptions = redemptions;
		this.operations = operations;
		this.redeeming = redeeming;
		this.access = access;
	}

	@Operation(summary = "The calling customer's coupons, newest first (status: ISSUED, REDEEMED, EXPIRED, REVOKED)")
	@GetMapping("/mine")
	CursorPage<IssuedCoupon> mine(@AuthenticationPrincipal Actor actor,
			@RequestParam(required = false) CouponStatus status, @RequestParam(required = false) String after,
			@RequestParam(required = false) Integer limit) {
		if (!(actor instanceof Actor.Customer customer)) {
			throw ApiException.forbidden("forbidden", "Only customers have coupons of their own; staff list GET /api/v1/coupons");
		}
		int n = CursorPage.limit(limit);
		return page(coupons.ofCustomer(customer.id(), status, cursor(after), n + 1), n);
	}

	@Operation(summary = "Coupons of a customer or of a template, newest first",
			description = "Name customerId (or customerExternalId) or templateId.")
	@GetMapping
	CursorPage<IssuedCoupon> list(@AuthenticationPrincipal Actor actor,
			@RequestParam(required = false) CustomerId customerId,
			@RequestParam(required = false) String customerExternalId,
			@RequestParam(required = false) CouponTemplateId templateId,
			@RequestParam(required = false) CouponStatus status, @RequestParam(required = false) String after,
			@RequestParam(required = false) Integer limit) {
		access.requireRead(actor);
		int n = CursorPage.limit(limit);
		if (templateId != null) {
			return page(coupons.ofTemplate(templateId, status, cursor(after), n + 1), n);
		}
		if (customerId == null && customerExternalId == null) {
			throw ApiException.badRequest("missing-parameter", "customerId", "Name a customerId, customerExternalId or templateId");
		}
		CustomerId customer = access.customer(actor, customerId, customerExternalId);
		return page(coupons.ofCustomer(customer, status, cursor(after), n + 1), n);
	}

	@Operation(summary = "One coupon by its code, with its redemptions",
			description = "Customers read their own; staff and API keys with coupons read or redeem rights any. "
					+ "A malformed code (the check character catches typos) answers 400 invalid-code.")
	@GetMapping("/{code}")
	CouponDetail get(@AuthenticationPrincipal Actor actor, @PathVariable String code) {
		String normal = CouponRules.code(code, "code");
		if (!(actor instanceof Actor.Customer)) {
			access.requireRead(actor);
		}
		CouponRow row = coupons.findByCode(normal)
			.orElseThrow(() -> ApiException.notFound("unknown-code", "No coupon has the code " + code));
		if (actor instanceof Actor.Customer c && !row.customerId().equals(c.id())) {
			throw ApiException.forbidden("not-your-coupon", "This coupon belongs to another customer");
		}
		return new CouponDetail(operations.view(row), redemptions.ofCoupon(row.id())
			.stream()
			.map(r -> new RedemptionView(r.id(), r.orderExternalId(), r.storeId(), r.discountFen(),
					r.active() ? "ACTIVE" : "ROLLED_BACK", r.redeemedAt(), r.rolledBackAt(), r.rollbackReason()))
			.toList());
	}

	@Operation(summary = "Revoke an unused coupon", description = "{\"reason\":\"...\"}; 409 not-revocable unless ISSUED.")
	@PostMapping("/{code}/revoke")
	IssuedCoupon revoke(@AuthenticationPrincipal Actor actor, @PathVariable String code,
			@RequestBody RevokeRequest request) {
		access.require(actor, Permission.COUPON_WRITE);
		return operations.view(redeeming.revoke(code, request.reason() == null ? "" : request.reason(),
				CouponRules.who(actor)));
	}

	private CursorPage<IssuedCoupon> page(List<CouponRow> rows, int limit) {
		CursorPage<CouponRow> page = CursorPage.of(rows, limit, r -> r.id().toString());
		return new CursorPage<>(page.items().stream().map(operations::view).toList(), page.nextCursor());
	}

	private static @Nullable UUID cursor(@Nullable String after) {
		if (after == null || after.isBlank()) {
			return null;
		}
		try {
			return UUID.fromString(after);
		}
		catch (IllegalArgumentException e) {
			throw ApiException.badRequest("invalid-cursor", "after", "after must be a nextCursor from an earlier page");
		}
	}
}
