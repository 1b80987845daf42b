package io.storecast.audience.internal;

import java.time.Clock;
import java.util.List;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import io.storecast.audience.Channel;
import io.storecast.audience.ConsentState;
import io.storecast.audience.Consents;
import io.storecast.audience.Purpose;
import io.storecast.identity.AccessPolicy;
import io.storecast.identity.Actor;
import io.storecast.identity.CustomerId;
import io.storecast.identity.Permission;
import io.storecast.platform.ApiException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

/** Consent per channel and purpose with its append-only history; the customer's own choices. */
@Tag(name = "Audience: consent", description = "Consent and its history, per channel and purpose (docs/audience.md)")
@RestController
@RequestMapping("/api/v1/audience")
class ConsentController {

	record ConsentBody(@Nullable Channel channel, @Nullable Purpose purpose, @Nullable Boolean granted,
			@Nullable String source, @Nullable String evidence) {
	}

	record ConsentsView(CustomerId customerId, List<ConsentState> consents, List<Consents.ConsentRecord> history) {
	}

	private final ConsentKeeping consents;
	private final ProfileKeeping profiles;
	private final AudienceAccess access;
	private final AccessPolicy policy;
	private final Clock clock;

	ConsentController(ConsentKeeping consents, ProfileKeeping profiles, AudienceAccess access, AccessPolicy policy,
			Clock clock) {
		this.consents = consents;
		this.profiles = profiles;
		this.access = access;
		this.policy = policy;
		this.clock = clock;
	}

	@Operation(summary = "A customer's consent on every channel and purpose, and its whole history (audience:read or consent:write)")
	@GetMapping("/customers/{customerId}/consents")
	ConsentsView get(@AuthenticationPrincipal Actor actor, @PathVariable CustomerId customerId) {
		access.requireCustomer(actor, policy.has(actor, Permission.AUDIENCE_READ) ? Permission.AUDIENCE_READ
				: Permission.CONSENT_WRITE, customerId);
		return view(customerId);
	}

	@Operation(summary = "Record a customer's consent or its withdrawal, with how it was given (consent:write)",
			description = "source: STAFF, API, PAPER_FORM, POS, QR, GROUP, WIDGET, IMPORT …; evidence: what proves it "
					+ "(up to 500 characters). 201 when it changed the state, 200 when it was so already. Every "
					+ "change is appended to the history; nothing is ever rewritten.")
	@PostMapping("/customers/{customerId}/consents")
	ResponseEntity<ConsentsView> change(@AuthenticationPrincipal Actor actor, @PathVariable CustomerId customerId,
			@RequestBody ConsentBody body) {
		access.requireCustomer(actor, Permission.CONSENT_WRITE, customerId);
		String source = ConsentKeeping.requireSource(body.source());
		return record(actor, customerId, body, source);
	}

	@Operation(summary = "My consent and its history (customer token)")
	@GetMapping("/me/consents")
	ConsentsView mine(@AuthenticationPrincipal Actor actor) {
		return view(SubscriptionController.self(actor));
	}

	@Operation(summary = "Give or withdraw my consent for a channel and purpose (customer token); resubscribing is this call")
	@PostMapping("/me/consents")
	ResponseEntity<ConsentsView> changeMine(@AuthenticationPrincipal Actor actor, @RequestBody ConsentBody body) {
		if (body.source() != null && !body.source().equals("WIDGET")) {
			throw ApiException.badRequest("invalid-value", "source", "a customer's own change has source WIDGET");
		}
		return record(actor, SubscriptionController.self(actor), body, "WIDGET");
	}

	private ResponseEntity<ConsentsView> record(Actor actor, CustomerId customer, ConsentBody body, String source) {
		if (body.channel() == null) {
			throw ApiException.badRequest("validation-failed", "channel", "channel is required: IN_APP, SMS or WEBHOOK");
		}
		if (body.purpose() == null) {
			throw ApiException.badRequest("validation-failed", "purpose", "purpose is required: MARKETING or TRANSACTIONAL");
		}
		if (body.granted() == null) {
			throw ApiException.badRequest("validation-failed", "granted", "granted is required: true or false");
		}
		if (body.evidence() != null && body.evidence().length() > 500) {
			throw ApiException.badRequest("validation-failed", "evidence", "evidence is at most 500 characters");
		}
		profiles.ensure(customer);
		boolean changed = consents.change(customer, body.channel(), body.purpose(), body.granted(), source,
				AudienceAccess.who(actor), body.evidence(), clock.instant(), null).isPresent();
		return ResponseEntity.status(changed ? HttpStatus.CREATED : HttpStatus.OK).body(view(customer));
	}

	private ConsentsView view(CustomerId customer) {
		return new ConsentsView(customer, consents.all(customer), consents.history(customer));
	}
}
