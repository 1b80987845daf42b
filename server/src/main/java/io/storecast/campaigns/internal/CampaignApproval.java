package io.storecast.campaigns.internal;

import java.time.Clock;
import java.time.Instant;
import java.util.List;

import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import io.storecast.campaigns.CampaignId;
import io.storecast.identity.AccessPolicy;
import io.storecast.identity.Actor;
import io.storecast.identity.OrgDirectory;
import io.storecast.identity.Permission;
import io.storecast.platform.ApiException;
import io.storecast.platform.TextFields;

/**
 * Approval of large sends: a send whose audience exceeds the threshold waits as PENDING_APPROVAL until
 * someone with CAMPAIGN_APPROVE at the campaign's node — not who asked for it — approves it (it is then
 * scheduled as asked) or rejects it (back to DRAFT, with the reason). The threshold is a merchant-wide
 * setting changed over the API at the head office; {@code storecast.campaigns.approval-above} is its default.
 */
@Service
class CampaignApproval {

	record RejectRequest(@Nullable String reason) {
	}

	record SettingsRequest(@Nullable Long approvalAbove) {
	}

	/** @param updatedBy null: the property's default, never changed over the API */
	record SettingsView(long approvalAbove, @Nullable String updatedBy, @Nullable Instant updatedAt) {
	}

	private static final long MAX_THRESHOLD = 1_000_000_000L;

	private final CampaignManagement management;
	private final Campaigns campaigns;
	private final Approvals approvals;
	private final AccessPolicy access;
	private final OrgDirectory org;
	private final TransactionTemplate tx;
	private final Clock clock;

	CampaignApproval(CampaignManagement management, Campaigns campaigns, Approvals approvals, AccessPolicy access,
			OrgDirectory org, TransactionTemplate tx, Clock clock) {
		this.management = management;
		this.campaigns = campaigns;
		this.approvals = approvals;
		this.access = access;
		this.org = org;
		this.tx = tx;
		this.clock = clock;
	}

	/** Approves a pending send: it is scheduled (or its recurrence started) as asked; a time now past sends now. */
	CampaignManagement.CampaignView approve(Actor actor, CampaignId id) {
		Campaign c = pending(actor, id);
		Approvals.Approval approval = approvals.find(id).orElseThrow(CampaignApproval::notPending);
		String me = CampaignManagement.createdBy(actor);
		if (approval.requestedBy().equals(me)) {
			throw ApiException.forbidden("own-send-approval",
					"A send is approved by someone else than who asked for it (" + me + ")");
		}
		Instant now = clock.instant();
		CampaignManagement.SendRequest asked = approval.request();
		if (asked.at() != null && asked.at().isBefore(now)) {
			asked = new CampaignManagement.SendRequest(null, null);
		}
		CampaignManagement.Plan plan = management.plan(c, asked, now);
		tx.executeWithoutResult(s -> {
			if (!management.start(id, Campaign.Status.PENDING_APPROVAL, plan, now)) {
				throw notPending();
			}
			approvals.decide(id, Approvals.Decision.APPROVED, me, now, null);
		});
		return management.get(actor, id);
	}

	/** Rejects a pending send: the campaign is a DRAFT again (status reason {@code rejected}), nothing scheduled. */
	CampaignManagement.CampaignView reject(Actor actor, CampaignId id, @Nullable RejectRequest request) {
		pending(actor, id);
		String reason = TextFields.required(request == null ? null : request.reason(), "reason", 500);
		Instant now = clock.instant();
		tx.executeWithoutResult(s -> {
			if (!campaigns.transition(id, List.of(Campaign.Status.PENDING_APPROVAL), Campaign.Status.DRAFT, "rejected", now)) {
				throw notPending();
			}
			approvals.decide(id, Approvals.Decision.REJECTED, CampaignManagement.createdBy(actor), now, reason);
		});
		return management.get(actor, id);
	}

	SettingsView settings(Actor actor) {
		access.require(actor, Permission.CAMPAIGN_READ);
		Approvals.Settings s = approvals.settings();
		return new SettingsView(s.approvalAbove(), s.updatedBy(), s.updatedAt());
	}

	SettingsView changeSettings(Actor actor, @Nullable SettingsRequest request) {
		access.requireAt(actor, Permission.CAMPAIGN_APPROVE, org.headOffice().id());
		Long above = request == null ? null : request.approvalAbove();
		if (above == null || above < 0 || above > MAX_THRESHOLD) {
			throw ApiException.badRequest("validation-failed", "approvalAbove",
					"approvalAbove is the audience size above which a send waits for approval: 0 (never) to " + MAX_THRESHOLD);
		}
		approvals.saveSettings(above, CampaignManagement.createdBy(actor), clock.instant());
		return settings(actor);
	}

	private Campaign pending(Actor actor, CampaignId id) {
		Campaign c = management.readable(actor, id);
		access.requireAt(actor, Permission.CAMPAIGN_APPROVE, c.scopeNodeId());
		if (c.status() != Campaign.Status.PENDING_APPROVAL) {
			throw notPending();
		}
		return c;
	}

	private static ApiException notPending() {
		return ApiException.conflict("campaign-not-pending-approval",
				"Only a send waiting for approval (PENDING_APPROVAL) is approved or rejected");
	}
}
