package io.storecast.campaigns.internal;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import io.storecast.campaigns.CampaignId;
import io.storecast.identity.AccessPolicy;
import io.storecast.identity.Actor;
import io.storecast.identity.OrgDirectory;
import io.storecast.identity.Permission;
import io.storecast.identity.StaffDirectory;
import io.storecast.identity.StaffId;
import io.storecast.platform.ApiException;
import io.storecast.platform.TextFields;

/**
 * Approval of large sends: a send whose audience exceeds the threshold waits as PENDING_APPROVAL until
 * someone with CAMPAIGN_APPROVE at the campaign's node — not who asked for it — approves it (it is then
 * scheduled as asked) or rejects it (back to DRAFT, with the reason); its requester, or anyone who may
 * change the campaign, may withdraw it (back to DRAFT). The threshold is a merchant-wide
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
	private final ApprovalScheduling expiry;
	private final StaffDirectory staff;
	private final TransactionTemplate tx;
	private final Clock clock;

	CampaignApproval(CampaignManagement management, Campaigns campaigns, Approvals approvals, AccessPolicy access,
			OrgDirectory org, ApprovalScheduling expiry, StaffDirectory staff, TransactionTemplate tx, Clock clock) {
		this.management = management;
		this.campaigns = campaigns;
		this.approvals = approvals;
		this.access = access;
		this.org = org;
		this.expiry = expiry;
		this.staff = staff;
		this.tx = tx;
		this.clock = clock;
	}

	/** Approves a pending send: it is scheduled (or its recurrence started) as asked; a time now past sends now. */
	CampaignManagement.CampaignView approve(Actor actor, CampaignId id) {
		approve(actor, id, null, () -> {
		});
		return management.get(actor, id);
	}

	/**
	 * Approves the pending send of request {@code requestId} (null: whichever is pending);
	 * {@code alsoInTransaction} commits with the decision (a press of a card in the chat recorded).
	 */
	void approve(Actor actor, CampaignId id, @Nullable UUID requestId, Runnable alsoInTransaction) {
		Campaign c = pending(actor, id);
		Approvals.Approval approval = request(id, null, "approved");
		String me = CampaignManagement.createdBy(actor);
		if (approval.requestedBy().equals(me)) {
			throw ApiException.forbidden("own-send-approval",
					"A send is approved by someone else than who asked for it (" + me + ")");
		}
		// one's own send is said first: a card of an earlier request, pressed by who asked anew, says so
		if (requestId != null && !requestId.equals(approval.requestId())) {
			throw notPending("approved");
		}
		Instant now = clock.instant();
		CampaignManagement.SendRequest asked = approval.request();
		if (asked.at() != null && asked.at().isBefore(now)) {
			asked = new CampaignManagement.SendRequest(null, null);
		}
		CampaignManagement.Plan plan = management.plan(c, asked, now);
		tx.executeWithoutResult(s -> {
			if (!management.start(id, Campaign.Status.PENDING_APPROVAL, plan, now)) {
				throw notPending("approved");
			}
			approvals.decide(id, Approvals.Decision.APPROVED, me, now, null);
			decided(actor, approval, Approvals.Decision.APPROVED, null);
			alsoInTransaction.run();
		});
	}

	/** Rejects a pending send: the campaign is a DRAFT again (status reason {@code rejected}), nothing scheduled. */
	CampaignManagement.CampaignView reject(Actor actor, CampaignId id, @Nullable RejectRequest request) {
		pending(actor, id);
		String reason = TextFields.required(request == null ? null : request.reason(), "reason", 500);
		reject(actor, id, null, reason, () -> {
		});
		return management.get(actor, id);
	}

	/** Rejects the pending send of request {@code requestId} (null: whichever is pending); see {@link #approve}. */
	void reject(Actor actor, CampaignId id, @Nullable UUID requestId, String reason, Runnable alsoInTransaction) {
		pending(actor, id);
		Approvals.Approval approval = request(id, requestId, "rejected");
		back(actor, approval, Approvals.Decision.REJECTED, "rejected", reason, "rejected", alsoInTransaction);
	}

	/**
	 * Withdraws a pending send (its requester, or anyone who may change the campaign): the campaign is a
	 * DRAFT again (status reason {@code withdrawn}), nothing scheduled.
	 */
	CampaignManagement.CampaignView withdraw(Actor actor, CampaignId id) {
		Campaign c = management.writable(actor, id);
		if (c.status() != Campaign.Status.PENDING_APPROVAL) {
			throw notPending("withdrawn");
		}
		Approvals.Approval approval = request(id, null, "withdrawn");
		back(actor, approval, Approvals.Decision.WITHDRAWN, "withdrawn", null, "withdrawn", () -> {
		});
		return management.get(actor, id);
	}

	/** The campaign back to DRAFT with the decision, in one transaction. */
	private void back(Actor actor, Approvals.Approval approval, Approvals.Decision decision, String statusReason,
			@Nullable String reason, String verb, Runnable alsoInTransaction) {
		CampaignId id = approval.campaignId();
		Instant now = clock.instant();
		tx.executeWithoutResult(s -> {
			if (!campaigns.transition(id, List.of(Campaign.Status.PENDING_APPROVAL), Campaign.Status.DRAFT, statusReason, now)) {
				throw notPending(verb);
			}
			approvals.decide(id, decision, CampaignManagement.createdBy(actor), now, reason);
			decided(actor, approval, decision, reason);
			alsoInTransaction.run();
		});
	}

	/** Tells the chat (after the commit) who decided what. */
	private void decided(Actor actor, Approvals.Approval approval, Approvals.Decision decision, @Nullable String reason) {
		if (approval.requestId() == null) {
			return; // asked before requests had ids: no cards were posted for it
		}
		StaffId by = actor instanceof Actor.Staff s ? s.id() : null;
		String name = switch (actor) {
			case Actor.Staff s -> staff.findActive(s.id()).map(StaffDirectory.StaffMemberView::displayName).orElse(s.username());
			case Actor.ApiClient k -> "API 密钥「" + k.name() + "」";
			default -> CampaignManagement.createdBy(actor);
		};
		expiry.decided(new ApprovalDecided(approval.campaignId(), approval.requestId(), decision, name, by, reason,
				approval.requestedByStaff()));
	}

	/** The pending request; {@code requestId} (when given) must be the one pending. */
	private Approvals.Approval request(CampaignId id, @Nullable UUID requestId, String verb) {
		return approvals.find(id)
			.filter(Approvals.Approval::pending)
			.filter(a -> requestId == null || requestId.equals(a.requestId()))
			.orElseThrow(() -> notPending(verb));
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
			throw notPending(null);
		}
		return c;
	}

	/** @param verb what could not be done: approved, rejected, withdrawn; null: approved or rejected */
	private static ApiException notPending(@Nullable String verb) {
		return ApiException.conflict("campaign-not-pending-approval", "Only a send waiting for approval (PENDING_APPROVAL) is "
				+ (verb == null ? "approved or rejected" : verb) + "; this one is not (a draft, or decided, withdrawn or expired already)");
	}
}
