package io.storecast.campaigns.internal;

import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import io.storecast.identity.Actor;
import io.storecast.identity.CustomerId;
import io.storecast.platform.CursorPage;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

@Tag(name = "Campaign triggers", description = "Event-driven messages: new arrivals, birthdays, orders shipped and delivered, "
		+ "surveys after a purchase, coupons about to expire; each recipient once, through the contact policy")
@RestController
@RequestMapping("/api/v1/campaign-triggers")
class TriggerController {

	private final TriggerManagement triggers;

	TriggerController(TriggerManagement triggers) {
		this.triggers = triggers;
	}

	@Operation(summary = "Create a trigger (enabled unless enabled=false)", description = """
			name, kind (NEW_ARRIVAL | BIRTHDAY | ORDER_SHIPPED | ORDER_DELIVERED | DAYS_AFTER_PURCHASE | COUPON_EXPIRING), \
			purpose (optional; ORDER_* are TRANSACTIONAL, the others MARKETING), params (NEW_ARRIVAL: categories?, topics?, \
			customerTags?, restocks? (true: also a product back in stock at one of the stores, to that store's \
			customers, once per product, store and day); BIRTHDAY: daysBefore 0-60; DAYS_AFTER_PURCHASE: days 1-365, surveyId?; ORDER_DELIVERED: surveyId? (the in-app message \
			is then the survey's first question as a card)), stores (org node ids), route \
			[{channel, fallbackAfterMinutes?}], templates {IN_APP|SMS: {zh-CN, en?}} with {nickname} {store} {link} and the \
			kind's own: {product} (NEW_ARRIVAL), {order} {carrier} {tracking} (ORDER_SHIPPED), {order} (ORDER_DELIVERED, \
			DAYS_AFTER_PURCHASE), {coupon} (COUPON_EXPIRING). Everything is checked before anything is stored \
			(docs/campaigns.md#triggers).""")
	@PostMapping
	ResponseEntity<TriggerManagement.TriggerView> create(@AuthenticationPrincipal Actor actor,
			@RequestBody TriggerManagement.TriggerRequest request) {
		return ResponseEntity.status(HttpStatus.CREATED).body(triggers.create(actor, request));
	}

	@Operation(summary = "Replace a trigger's definition (same body; the kind does not change)")
	@PutMapping("/{id}")
	TriggerManagement.TriggerView replace(@AuthenticationPrincipal Actor actor, @PathVariable UUID id,
			@RequestBody TriggerManagement.TriggerRequest request) {
		return triggers.replace(actor, id, request);
	}

	@Operation(summary = "Triggers within your part of the organisation, newest first")
	@GetMapping
	CursorPage<TriggerManagement.TriggerView> list(@AuthenticationPrincipal Actor actor,
			@RequestParam(required = false) Trigger.@Nullable Kind kind, @RequestParam(required = false) @Nullable String after,
			@RequestParam(required = false) @Nullable Integer limit) {
		return triggers.list(actor, kind, after, CursorPage.limit(limit));
	}

	@Operation(summary = "A trigger with its figures: firings (of which restocks), recipients handed off, deferred, skipped by reason")
	@GetMapping("/{id}")
	TriggerManagement.TriggerView get(@AuthenticationPrincipal Actor actor, @PathVariable UUID id) {
		return triggers.get(actor, id);
	}

	@Operation(summary = "Enable a trigger: it fires on events from now on")
	@PostMapping("/{id}/enable")
	TriggerManagement.TriggerView enable(@AuthenticationPrincipal Actor actor, @PathVariable UUID id) {
		return triggers.enable(actor, id, true);
	}

	@Operation(summary = "Disable a trigger: it fires on nothing more, and recipients still waiting are skipped (trigger-disabled)")
	@PostMapping("/{id}/disable")
	TriggerManagement.TriggerView disable(@AuthenticationPrincipal Actor actor, @PathVariable UUID id) {
		return triggers.enable(actor, id, false);
	}

	@Operation(summary = "The trigger's recipients, newest first: the event, status, reason, deferral and delivery of each")
	@GetMapping("/{id}/recipients")
	CursorPage<TriggerManagement.RecipientView> recipients(@AuthenticationPrincipal Actor actor, @PathVariable UUID id,
			@RequestParam(required = false) Triggers.@Nullable Status status,
			@RequestParam(required = false) @Nullable CustomerId customerId,
			@RequestParam(required = false) @Nullable String after, @RequestParam(required = false) @Nullable Integer limit) {
		return triggers.recipients(actor, id, status, customerId, after, CursorPage.limit(limit));
	}
}
