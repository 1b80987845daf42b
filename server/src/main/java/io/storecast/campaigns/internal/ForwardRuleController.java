package io.storecast.campaigns.internal;

import java.util.List;

import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import io.storecast.identity.Actor;
import io.storecast.identity.OrgNodeId;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

@Tag(name = "Cascades")
@RestController
@RequestMapping("/api/v1/campaigns/forward-rules")
class ForwardRuleController {

	private final ForwardRuleManagement rules;

	ForwardRuleController(ForwardRuleManagement rules) {
		this.rules = rules;
	}

	@Operation(summary = "Set a store's forward rule: cascades announced to the store are forwarded automatically", description = """
			{enabled? (default true), delayMinutes? (0-1440 after the announcement, default 0), \
			audience? ({kind: STORES} default, or {kind: SEGMENT, segmentId}), purposes? ([MARKETING, TRANSACTIONAL]; default any)}. \
			Needs CAMPAIGN_WRITE at the store; the rule's forwards are made in the name of whoever set it last.""")
	@PutMapping("/{storeId}")
	ForwardRuleManagement.RuleView put(@AuthenticationPrincipal Actor actor, @PathVariable OrgNodeId storeId,
			@RequestBody ForwardRuleManagement.RuleRequest request) {
		return rules.put(actor, storeId, request);
	}

	@Operation(summary = "A store's forward rule (404 when it has none)")
	@GetMapping("/{storeId}")
	ForwardRuleManagement.RuleView get(@AuthenticationPrincipal Actor actor, @PathVariable OrgNodeId storeId) {
		return rules.get(actor, storeId);
	}

	@Operation(summary = "Remove a store's forward rule; automatic forwards still waiting are then skipped")
	@DeleteMapping("/{storeId}")
	ResponseEntity<Void> delete(@AuthenticationPrincipal Actor actor, @PathVariable OrgNodeId storeId) {
		rules.delete(actor, storeId);
		return ResponseEntity.noContent().build();
	}

	@Operation(summary = "The forward rules of the stores within your part of the organisation, the latest set first")
	@GetMapping
	List<ForwardRuleManagement.RuleView> list(@AuthenticationPrincipal Actor actor) {
		return rules.list(actor);
	}
}
