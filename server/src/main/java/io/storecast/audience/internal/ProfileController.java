package io.storecast.audience.internal;

import java.time.Clock;
import java.time.Instant;
import java.util.List;

import org.jspecify.annotations.Nullable;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import io.storecast.audience.AudienceProfile;
import io.storecast.audience.AudienceProfiles.EngagementKind;
import io.storecast.identity.Actor;
import io.storecast.identity.CustomerDirectory;
import io.storecast.identity.CustomerId;
import io.storecast.identity.CustomerProfile;
import io.storecast.identity.Permission;
import io.storecast.platform.ApiException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

/** Customer profiles: identity data with purchase and engagement facts, tags and subscriptions. */
@Tag(name = "Audience: profiles", description = "Customer profiles, time zones, engagement, rebuild (docs/audience.md)")
@RestController
@RequestMapping("/api/v1/audience")
class ProfileController {

	record ProfileView(CustomerId customerId, String externalId, @Nullable String nickname, AudienceProfile profile) {
	}

	record ProfilePatch(@Nullable String timeZone) {
	}

	record EngagementBody(@Nullable CustomerId customerId, @Nullable String customerExternalId,
			@Nullable EngagementKind kind, @Nullable Instant at) {
	}

	private final ProfileKeeping profiles;
	private final Profiles rows;
	private final AudienceAccess access;
	private final CustomerDirectory customers;
	private final TransactionTemplate tx;
	private final Clock clock;

	ProfileController(ProfileKeeping profiles, Profiles rows, AudienceAccess access, CustomerDirectory customers,
			TransactionTemplate tx, Clock clock) {
		this.profiles = profiles;
		this.rows = rows;
		this.access = access;
		this.customers = customers;
		this.tx = tx;
		this.clock = clock;
	}

	@Operation(summary = "A customer's profile: facts, lifecycle, tags, subscriptions (audience:read, or staff of their store)")
	@GetMapping("/customers/{customerId}")
	ProfileView get(@AuthenticationPrincipal Actor actor, @PathVariable CustomerId customerId) {
		CustomerProfile customer = access.requireCustomer(actor, Permission.AUDIENCE_READ, customerId);
		return view(customer);
	}

	@Operation(summary = "Set a customer's own time zone for quiet hours (null: the home store's) (audience:write)")
	@PatchMapping("/customers/{customerId}")
	ProfileView patch(@AuthenticationPrincipal Actor actor, @PathVariable CustomerId customerId,
			@RequestBody ProfilePatch body) {
		CustomerProfile customer = access.requireCustomer(actor, Permission.AUDIENCE_WRITE, customerId);
		setZone(customerId, body.timeZone());
		return view(customer);
	}

	@Operation(summary = "A customer sets their own time zone (customer token)")
	@PatchMapping("/me")
	ProfilePatch patchMe(@AuthenticationPrincipal Actor actor, @RequestBody ProfilePatch body) {
		if (!(actor instanceof Actor.Customer self)) {
			throw ApiException.forbidden("forbidden", "Only a customer has a 'me' here");
		}
		return new ProfilePatch(setZone(self.id(), body.timeZone()));
	}

	@Operation(summary = "Report a customer's engagement: a message READ or a link CLICKed (audience:write)",
			description = "Rule tags over lastReadAt / lastClickAt are re-evaluated for the customer.")
	@PostMapping("/engagement")
	ProfileView engagement(@AuthenticationPrincipal Actor actor, @RequestBody EngagementBody body) {
		access.requireHeadOffice(actor, Permission.AUDIENCE_WRITE);
		if (body.kind() == null) {
			throw ApiException.badRequest("validation-failed", "kind", "kind is required: READ or CLICK");
		}
		CustomerProfile customer = body.customerId() != null ? customers.find(body.customerId()).orElse(null)
				: body.customerExternalId() != null ? customers.findByExternalId(body.customerExternalId()).orElse(null) : null;
		if (customer == null) {
			throw ApiException.badRequest("unknown-customer", body.customerId() != null ? "customerId" : "customerExternalId",
					"Name a known customer by customerId or customerExternalId");
		}
		Instant at = body.at() == null ? clock.instant() : body.at();
		if (at.isAfter(clock.instant().plusSeconds(300))) {
			throw ApiException.badRequest("invalid-value", "at", "at is in the future");
		}
		profiles.recordEngagement(customer.id(), body.kind(), at);
		return view(customer);
	}

	@Operation(summary = "Rebuild every profile's purchase facts from the order history, then every rule tag (head office)",
			description = "Reads each customer's kept purchases through the orders module; use after importing history "
					+ "that published no events. Synchronous.")
	@PostMapping("/rebuild")
	ProfileKeeping.Rebuilt rebuild(@AuthenticationPrincipal Actor actor) {
		access.requireHeadOffice(actor, Permission.AUDIENCE_WRITE);
		return profiles.rebuild(List.of());
	}

	private @Nullable String setZone(CustomerId customer, @Nullable String zone) {
		String clean = zone == null || zone.isBlank() ? null : ConditionParser.zone(zone.strip(), "timeZone").getId();
		tx.executeWithoutResult(s -> {
			profiles.ensure(customer);
			rows.setTimeZone(customer.value(), clean, clock.instant());
		});
		return clean;
	}

	private ProfileView view(CustomerProfile customer) {
		AudienceProfile profile = tx.execute(s -> profiles.ensure(customer.id()).map(profiles::view).orElseThrow());
		return new ProfileView(customer.id(), customer.externalId(), customer.nickname(), profile);
	}
}
