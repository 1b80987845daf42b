package io.storecast.audience.internal;

import java.time.Clock;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import io.storecast.audience.PhoneSuppressed;
import io.storecast.identity.Actor;
import io.storecast.identity.Permission;
import io.storecast.platform.ApiException;
import io.storecast.platform.CursorPage;
import io.storecast.platform.PhoneNumbers;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

/** Phone numbers no SMS goes to: suppressed after repeated failures, or by hand. */
@Tag(name = "Audience: suppressions", description = "Suppressed phone numbers (docs/audience.md)")
@RestController
@RequestMapping("/api/v1/audience/suppressions")
class SuppressionController {

	static final Set<String> REASONS = Set.of("INVALID_NUMBER", "COMPLAINT", "REQUESTED", "OTHER");

	record SuppressBody(@Nullable String phone, @Nullable String reason, @Nullable String note) {
	}

	private final SuppressionList list;
	private final AudienceAccess access;
	private final ApplicationEventPublisher events;
	private final TransactionTemplate tx;
	private final Clock clock;

	SuppressionController(SuppressionList list, AudienceAccess access, ApplicationEventPublisher events,
			TransactionTemplate tx, Clock clock) {
		this.list = list;
		this.access = access;
		this.events = events;
		this.tx = tx;
		this.clock = clock;
	}

	@Operation(summary = "Suppressed numbers in order; cursor paged (head office, audience:read or consent:write)")
	@GetMapping
	CursorPage<SuppressionList.Row> list(@AuthenticationPrincipal Actor actor, @RequestParam(required = false) String after,
			@RequestParam(required = false) Integer limit) {
		access.requireHeadOffice(actor, Permission.CONSENT_WRITE);
		int n = CursorPage.limit(limit);
		return CursorPage.of(list.suppressed(after, n + 1), n, SuppressionList.Row::phone);
	}

	@Operation(summary = "A number's failures and whether it is suppressed (consent:write)")
	@GetMapping("/{phone}")
	SuppressionList.Row get(@AuthenticationPrincipal Actor actor, @PathVariable String phone) {
		access.require(actor, Permission.CONSENT_WRITE);
		String number = PhoneNumbers.normalize(phone, "phone");
		return list.find(number).orElseThrow(() -> ApiException.notFound("not-found", "Nothing recorded for " + number));
	}

	@Operation(summary = "Suppress a number by hand (consent:write): reason INVALID_NUMBER, COMPLAINT, REQUESTED or OTHER",
			description = "201 when newly suppressed, 200 when it was already.")
	@PostMapping
	ResponseEntity<SuppressionList.Row> suppress(@AuthenticationPrincipal Actor actor, @RequestBody SuppressBody body) {
		access.require(actor, Permission.CONSENT_WRITE);
		if (body.phone() == null) {
			throw ApiException.badRequest("validation-failed", "phone", "phone is required");
		}
		String number = PhoneNumbers.normalize(body.phone(), "phone");
		String reason = body.reason() == null ? "OTHER" : body.reason();
		if (!REASONS.contains(reason)) {
			throw ApiException.badRequest("invalid-value", "reason", "reason must be one of " + String.join(", ", REASONS));
		}
		if (body.note() != null && body.note().length() > 500) {
			throw ApiException.badRequest("validation-failed", "note", "note is at most 500 characters");
		}
		String by = AudienceAccess.who(actor);
		boolean created = Boolean.TRUE.equals(tx.execute(s -> {
			boolean now = list.suppress(number, reason, by, body.note(), clock.instant());
			if (now) {
				events.publishEvent(new PhoneSuppressed(number, reason, by, clock.instant()));
			}
			return now;
		}));
		return ResponseEntity.status(created ? HttpStatus.CREATED : HttpStatus.OK).body(list.find(number).orElseThrow());
	}

	@Operation(summary = "Release a suppressed number (head office, consent:write); its failure count starts again")
	@DeleteMapping("/{phone}")
	ResponseEntity<Void> release(@AuthenticationPrincipal Actor actor, @PathVariable String phone) {
		access.requireHeadOffice(actor, Permission.CONSENT_WRITE);
		if (!list.release(PhoneNumbers.normalize(phone, "phone"), clock.instant())) {
			throw ApiException.notFound("not-found", "The number is not suppressed");
		}
		return ResponseEntity.noContent().build();
	}
}
