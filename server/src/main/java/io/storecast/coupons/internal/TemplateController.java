package io.storecast.coupons.internal;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import io.storecast.coupons.CouponTemplateId;
import io.storecast.coupons.IssuedCoupon;
import io.storecast.identity.Actor;
import io.storecast.identity.CustomerId;
import io.storecast.identity.Permission;
import io.storecast.platform.ApiException;
import io.storecast.platform.CursorPage;
import io.storecast.platform.TextFields;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

@Tag(name = "Coupon templates", description = "Templates, and the coupons customers claim and the merchant grants from them")
@RestController
@RequestMapping("/api/v1/coupons/templates")
class TemplateController {

	/** Where a claim came from: {@code card}, {@code link}, {@code live} …, and its reference (a campaign, a room). */
	record ClaimRequest(@Nullable String source, @Nullable String sourceRef) {
	}

	record GrantRequest(@Nullable CustomerId customerId, @Nullable String customerExternalId, @Nullable String source,
			@Nullable String sourceRef) {
	}

	private final TemplateManagement templates;
	private final CouponIssuing issuing;
	private final CouponOperations coupons;
	private final CouponAccess access;

	TemplateController(TemplateManagement templates, CouponIssuing issuing, CouponOperations coupons,
			CouponAccess access) {
		this.templates = templates;
		this.issuing = issuing;
		this.coupons = coupons;
		this.access = access;
	}

	@Operation(summary = "Create a coupon template", description = """
			kind AMOUNT_OFF (满减: discountFen over thresholdFen), PERCENT_OFF (percentOff 1-99, optional capFen and \
			thresholdFen), NO_THRESHOLD (discountFen), FREE_GIFT (giftSku), SHIPPING (optional capFen). Claims are open \
			from validFrom until validUntil; coupons are valid in that window, or validDays from their issue. stock is \
			what may ever be issued; with budgetFen, never more than the budget pays for at face value. \
			perCustomerLimit (default 1) and perCustomerDailyLimit (the merchant's calendar day). products, categories \
			and stores restrict where it applies (empty: everywhere). stacking {exclusive:true} (default), or \
			{exclusive:false, group, maxPerOrder}. audience {newCustomersOnly, memberLevels, winBack} applies to claims.""")
	@PostMapping
	ResponseEntity<TemplateManagement.TemplateView> create(@AuthenticationPrincipal Actor actor,
			@RequestBody TemplateManagement.TemplateRequest request) {
		return ResponseEntity.status(HttpStatus.CREATED).body(templates.create(actor, request));
	}

	@Operation(summary = "Templates, newest first, with their counters (issued, remaining, redeemed, spend)")
	@GetMapping
	CursorPage<TemplateManagement.TemplateView> list(@AuthenticationPrincipal Actor actor,
			@RequestParam(required = false) Template.Status status, @RequestParam(required = false) String after,
			@RequestParam(required = false) Integer limit) {
		return templates.list(actor, status, after, CursorPage.limit(limit));
	}

	@Operation(summary = "One template with its counters (customers may read an active one, to claim it)")
	@GetMapping("/{id}")
	TemplateManagement.TemplateView get(@AuthenticationPrincipal Actor actor, @PathVariable CouponTemplateId id) {
		return templates.get(actor, id);
	}

	@Operation(summary = "Pause (no more claims or grants) or resume a template", description = "{\"status\":\"PAUSED\"}")
	@PatchMapping("/{id}")
	TemplateManagement.TemplateView setStatus(@AuthenticationPrincipal Actor actor, @PathVariable CouponTemplateId id,
			@RequestBody TemplateManagement.StatusChange change) {
		return templates.setStatus(actor, id, change);
	}

	@Operation(summary = "Claim a coupon of the template (customers: from a coupon card, a link, a live room)",
			description = """
					Needs an Idempotency-Key: a retry answers 200 with the same coupon. 201 with the coupon; 409 sold-out, \
					limit-reached, daily-limit-reached, not-eligible, claim-not-open, claim-closed, template-paused. \
					For claim storms the gateway's port (default 8081) serves this same route, with the same answers, \
					issuing the claims that arrive together in batches (docs/coupons.md, ADR 8).""")
	@PostMapping("/{id}/claims")
	ResponseEntity<IssuedCoupon> claim(@AuthenticationPrincipal Actor actor, @PathVariable CouponTemplateId id,
			@RequestHeader(name = "Idempotency-Key", required = false) @Nullable String key,
			@RequestBody(required = false) @Nullable ClaimRequest request) {
		if (!(actor instanceof Actor.Customer customer)) {
			throw ApiException.forbidden("forbidden",
					"Customers claim coupons; the merchant's systems grant them (POST .../grants)");
		}
		ClaimRequest r = request == null ? new ClaimRequest(null, null) : request;
		CouponIssuing.Issued issued = issuing.claim(customer.id(), id, CouponRules.requestKey(key),
				CouponRules.source(r.source(), "source"), TextFields.optional(r.sourceRef(), "sourceRef", 128));
		return respond(issued);
	}

	@Operation(summary = "Grant a coupon of the template to a customer (campaigns, triggers, rewards)", description = """
			Needs coupons:write (or COUPON_WRITE) and an Idempotency-Key; the template's audience rules do not apply, \
			its stock, budget and per-customer limits do.""")
	@PostMapping("/{id}/grants")
	ResponseEntity<IssuedCoupon> grant(@AuthenticationPrincipal Actor actor, @PathVariable CouponTemplateId id,
			@RequestHeader(name = "Idempotency-Key", required = false) @Nullable String key,
			@RequestBody GrantRequest request) {
		access.require(actor, Permission.COUPON_WRITE);
		CustomerId customer = access.customer(actor, request.customerId(), request.customerExternalId());
		CouponIssuing.Issued issued = issuing.grant(id, customer, CouponRules.requestKey(key), CouponRules.who(actor),
				CouponRules.source(request.source(), "source"),
				TextFields.optional(request.sourceRef(), "sourceRef", 128));
		return respond(issued);
	}

	private ResponseEntity<IssuedCoupon> respond(CouponIssuing.Issued issued) {
		return ResponseEntity.status(issued.replayed() ? HttpStatus.OK : HttpStatus.CREATED)
			.header("Idempotent-Replayed", Boolean.toString(issued.replayed()))
			.body(coupons.view(issued.coupon()));
	}
}
