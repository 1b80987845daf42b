package io.storecast.campaigns.internal;

import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Service;

import io.storecast.audience.Purpose;
import io.storecast.audience.SegmentId;
import io.storecast.identity.AccessPolicy;
import io.storecast.identity.Actor;
import io.storecast.identity.OrgDirectory;
import io.storecast.identity.OrgNode;
import io.storecast.identity.OrgNodeId;
import io.storecast.identity.Permission;
import io.storecast.identity.StaffDirectory;
import io.storecast.identity.StaffId;
import io.storecast.platform.ApiException;

/**
 * Stores' forward rules: set, read and removed by whoever may forward for the store (CAMPAIGN_WRITE
 * there: its manager, its region's manager, the head office). The rule forwards in the name of who set
 * it last — they are measured for its forwards — so only a staff member sets one.
 */
@Service
class ForwardRuleManagement {

	static final int MAX_DELAY_MINUTES = 1440;

	/**
	 * A rule as asked.
	 *
	 * @param enabled default true
	 * @param delayMinutes after the announcement, 0–1440 (default 0: at once)
	 * @param audience {@code STORES} (default) or {@code SEGMENT} with its segment
	 * @param purposes forward only campaigns of these purposes (default: any)
	 */
	record RuleRequest(@Nullable Boolean enabled, @Nullable Integer delayMinutes, Campaign.@Nullable Audience audience,
			@Nullable List<Purpose> purposes) {
	}

	record AudienceView(Campaign.AudienceKind kind, @Nullable SegmentId segmentId) {
	}

	record RuleView(StaffNoticeManagement.NodeRef store, boolean enabled, int delayMinutes, AudienceView audience,
			@Nullable List<Purpose> purposes, StaffId setBy, String setByName, java.time.Instant updatedAt) {
	}

	private final ForwardRules rules;
	private final CascadeForwarding cascades;
	private final AccessPolicy access;
	private final OrgDirectory org;
	private final StaffDirectory staff;
	private final Clock clock;

	ForwardRuleManagement(ForwardRules rules, CascadeForwarding cascades, AccessPolicy access, OrgDirectory org,
			StaffDirectory staff, Clock clock) {
		this.rules = rules;
		this.cascades = cascades;
		this.access = access;
		this.org = org;
		this.staff = staff;
		this.clock = clock;
	}

	/** Sets (or replaces) the store's rule in the caller's name. */
	RuleView put(Actor actor, OrgNodeId storeId, RuleRequest request) {
		if (!(actor instanceof Actor.Staff me)) {
			throw ApiException.forbidden("forbidden",
					"A forward rule forwards in the name of the staff member who sets it, who is measured for its forwards");
		}
		OrgNode store = reachable(actor, Permission.CAMPAIGN_WRITE, storeId);
		int delay = request.delayMinutes() == null ? 0 : request.delayMinutes();
		if (delay < 0 || delay > MAX_DELAY_MINUTES) {
			throw ApiException.badRequest("validation-failed", "delayMinutes",
					"delayMinutes is 0 (at once) to " + MAX_DELAY_MINUTES + " (a day), not " + delay);
		}
		List<Purpose> purposes = request.purposes() == null ? null : request.purposes().stream().distinct().toList();
		if (purposes != null && purposes.isEmpty()) {
			throw ApiException.badRequest("validation-failed", "purposes",
					"purposes names at least one of MARKETING, TRANSACTIONAL; leave it out to forward campaigns of any purpose");
		}
		Campaign.Audience audience = cascades.audience(request.audience());
		String name = staff.findActive(me.id()).map(StaffDirectory.StaffMemberView::displayName).orElse(me.username());
		ForwardRules.Rule rule = new ForwardRules.Rule(store.id(), request.enabled() == null || request.enabled(), delay,
				audience, purposes, me.id(), name, clock.instant());
		rules.upsert(rule);
		return view(rule, new HashMap<>());
	}

	RuleView get(Actor actor, OrgNodeId storeId) {
		OrgNode store = reachable(actor, Permission.CAMPAIGN_READ, storeId);
		return rules.find(store.id()).map(r -> view(r, new HashMap<>())).orElseThrow(() -> noRule(store));
	}

	/** Removes the store's rule; automatic forwards it scheduled and not yet made are then skipped. */
	void delete(Actor actor, OrgNodeId storeId) {
		OrgNode store = reachable(actor, Permission.CAMPAIGN_WRITE, storeId);
		if (!rules.delete(store.id())) {
			throw noRule(store);
		}
	}

	/** The rules of the stores within the caller's part of the organisation, the latest set first. */
	List<RuleView> list(Actor actor) {
		access.require(actor, Permission.CAMPAIGN_READ);
		Map<OrgNodeId, StaffNoticeManagement.NodeRef> nodes = new HashMap<>();
		return rules.all().stream().filter(r -> access.reaches(actor, r.storeId())).map(r -> view(r, nodes)).toList();
	}

	private OrgNode reachable(Actor actor, Permission permission, OrgNodeId storeId) {
		access.require(actor, permission);
		OrgNode store = cascades.store(storeId);
		access.requireAt(actor, permission, store.id());
		return store;
	}

	private RuleView view(ForwardRules.Rule r, Map<OrgNodeId, StaffNoticeManagement.NodeRef> nodes) {
		return new RuleView(StaffNoticeManagement.NodeRef.of(org, nodes, r.storeId()), r.enabled(), r.delayMinutes(),
				new AudienceView(r.audience().kind(), r.audience().segmentId()), r.purposes(), r.setBy(), r.setByName(),
				r.updatedAt());
	}

	private static ApiException noRule(OrgNode store) {
		return ApiException.notFound("not-found", store.name() + " has no forward rule");
	}
}
