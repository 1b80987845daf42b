package io.storecast.audience.internal;

import java.util.List;
import java.util.UUID;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
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
import io.storecast.identity.OrgNodeId;
import io.storecast.platform.CursorPage;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

/** The contact policy: send windows and caps per org node, holidays, and decisions. */
@Tag(name = "Audience: contact policy", description = "Quiet hours, holidays, frequency caps, decisions (docs/audience.md)")
@RestController
@RequestMapping("/api/v1/audience/policy")
class PolicyController {

	private final PolicyManagement policy;

	PolicyController(PolicyManagement policy) {
		this.policy = policy;
	}

	@Operation(summary = "A node's own contact-policy settings and what applies there (audience:read)")
	@GetMapping("/nodes/{orgNodeId}")
	PolicyManagement.SettingsView get(@AuthenticationPrincipal Actor actor, @PathVariable OrgNodeId orgNodeId) {
		return policy.get(actor, orgNodeId);
	}

	@Operation(summary = "Set a node's send window, cap and cap window in days (head office); fields left out are inherited",
			description = "sendWindow {start, end} in local time (end after start, same day); cap 0-1000 marketing "
					+ "messages per customer per capDays (1-366). An empty body removes the node's own settings.")
	@PutMapping("/nodes/{orgNodeId}")
	PolicyManagement.SettingsView put(@AuthenticationPrincipal Actor actor, @PathVariable OrgNodeId orgNodeId,
			@RequestBody PolicyManagement.SettingsBody body) {
		return policy.put(actor, orgNodeId, body);
	}

	@Operation(summary = "Holidays: from the settings (storecast.audience.holidays) and added here (audience:read)")
	@GetMapping("/holidays")
	List<PolicyManagement.HolidayView> holidays(@AuthenticationPrincipal Actor actor) {
		return policy.holidays(actor);
	}

	@Operation(summary = "Add a holiday (head office): no marketing that day, or only within its own sendWindow",
			description = "orgNodeId limits it to a region or store (default: the whole merchant).")
	@PostMapping("/holidays")
	ResponseEntity<PolicyManagement.HolidayView> addHoliday(@AuthenticationPrincipal Actor actor,
			@RequestBody PolicyManagement.HolidayBody body) {
		return ResponseEntity.status(HttpStatus.CREATED).body(policy.addHoliday(actor, body));
	}

	@Operation(summary = "Remove a holiday added over the API (head office)")
	@DeleteMapping("/holidays/{id}")
	ResponseEntity<Void> deleteHoliday(@AuthenticationPrincipal Actor actor, @PathVariable UUID id) {
		policy.deleteHoliday(actor, id);
		return ResponseEntity.noContent().build();
	}

	@Operation(summary = "Decide for a batch: customerIds or customerExternalIds (up to 10,000), or a snapshotId (head office)",
			description = "Every decision is recorded. With ids, the answer lists each decision; with a snapshot, only the "
					+ "summary (read the decisions with GET). Deciding again under the same campaignKey takes no second "
					+ "cap slot.")
	@PostMapping("/decisions")
	PolicyManagement.DecideAnswer decide(@AuthenticationPrincipal Actor actor,
			@RequestBody PolicyManagement.DecideBody body) {
		return policy.decide(actor, body);
	}

	@Operation(summary = "Recorded decisions for a campaign key (and customer), in the order made; cursor paged (head office)")
	@GetMapping("/decisions")
	CursorPage<DecisionLog.Entry> decisions(@AuthenticationPrincipal Actor actor, @RequestParam String campaignKey,
			@RequestParam(required = false) CustomerId customerId, @RequestParam(required = false) String after,
			@RequestParam(required = false) Integer limit) {
		int n = CursorPage.limit(limit);
		return CursorPage.of(policy.decisions(actor, campaignKey, customerId, after, n + 1), n, DecisionLog.Entry::cursor);
	}
}
