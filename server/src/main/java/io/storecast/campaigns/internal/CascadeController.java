package io.storecast.campaigns.internal;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import io.storecast.campaigns.CampaignId;
import io.storecast.identity.Actor;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

@Tag(name = "Cascades", description = "A campaign announced to store managers, forwarded by each to their store's customers, measured per store and employee")
@RestController
@RequestMapping("/api/v1/campaigns/{id}")
class CascadeController {

	private final CascadeForwarding cascades;

	CascadeController(CascadeForwarding cascades) {
		this.cascades = cascades;
	}

	@Operation(summary = "Forward an announced campaign to a store's customers (a child campaign sent now)", description = """
			{storeId? (default: your store), audience? ({kind: STORES} default, or {kind: SEGMENT, segmentId})}. \
			The campaign must have been announced by a staff notice; one forward per store. 201 with the forward; \
			its child campaign goes through the contact policy and is sent exactly once like any campaign.""")
	@PostMapping("/forwards")
	ResponseEntity<CascadeForwarding.ForwardView> forward(@AuthenticationPrincipal Actor actor, @PathVariable CampaignId id,
			@RequestBody(required = false) CascadeForwarding.@Nullable ForwardRequest request) {
		return ResponseEntity.status(HttpStatus.CREATED).body(cascades.forward(actor, id, request));
	}

	@Operation(summary = "The cascade's roll-up: each participating store (forwarded or not, by whom, by hand or by its rule, its results) and each forwarding employee",
			description = "autoForward per store: null where no forward rule took the campaign up, else {status: PENDING (due at dueAt) | "
					+ "FORWARDED | BY_HAND | SKIPPED | FAILED, reason (a problem code), detail, decidedAt}.")
	@GetMapping("/cascade")
	CascadeForwarding.CascadeView cascade(@AuthenticationPrincipal Actor actor, @PathVariable CampaignId id) {
		return cascades.cascade(actor, id);
	}

	@Operation(summary = "Forwarding employees (by=EMPLOYEE) or stores (by=STORE) ranked by a metric (FORWARDS, RECIPIENTS, SENT, DELIVERED, READ, CLAIMED, REDEEMED, REVENUE; default READ)")
	@GetMapping("/leaderboard")
	CascadeForwarding.Leaderboard leaderboard(@AuthenticationPrincipal Actor actor, @PathVariable CampaignId id,
			@RequestParam(required = false) CascadeForwarding.@Nullable RankBy by,
			@RequestParam(required = false) CascadeForwarding.@Nullable Metric metric) {
		return cascades.leaderboard(actor, id, by, metric);
	}
}
