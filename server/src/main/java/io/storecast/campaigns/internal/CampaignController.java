package io.storecast.campaigns.internal;

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

import io.storecast.campaigns.CampaignId;
import io.storecast.identity.Actor;
import io.storecast.platform.CursorPage;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

@Tag(name = "Campaigns", description = "Promotions to the right customers, on time, exactly once, with their progress")
@RestController
@RequestMapping("/api/v1/campaigns")
class CampaignController {

	private final CampaignManagement campaigns;
	private final CampaignApproval approval;

	CampaignController(CampaignManagement campaigns, CampaignApproval approval) {
		this.campaigns = campaigns;
		this.approval = approval;
	}

	@Operation(summary = "Create a campaign (a DRAFT)", description = """
			name, purpose (MARKETING or TRANSACTIONAL), startsAt/endsAt, offer {text, couponTemplateId?, \
			couponMode? (GRANT or CLAIM), product?, link? (where the tracked {link} leads), surveyId? (a survey you can \
			read and not closed, else 400 unknown-survey / survey-closed; the in-app message is then its first question's \
			card and the in-app template its text, at most 1,000 characters; not with couponMode CLAIM)}, \
			stores (org node ids; a region or the head office stands for its stores), route [{channel, \
			fallbackAfterMinutes?}], templates {IN_APP|SMS: {zh-CN, en?}} with {nickname} {store} {coupon} {link} \
			{unsubscribe} {product}, audience {kind: STORES | SEGMENT (segmentId) | CUSTOMERS (customerIds, up to 10,000)}, \
			abTest? {variants [{key A-D, templates?, offer? {couponTemplateId?, product?}}] (2-4), split (percent per \
			variant, sum 100), testFraction (0<f<=1), metric (READ_RATE | CLICK_RATE | REDEMPTION_RATE | \
			REVENUE_PER_RECIPIENT), winner (MANUAL | AUTO), testPeriod (AUTO)}. \
			Everything is checked before anything is stored (docs/campaigns.md).""")
	@PostMapping
	ResponseEntity<CampaignManagement.CampaignView> create(@AuthenticationPrincipal Actor actor,
			@RequestBody CampaignManagement.CampaignRequest request) {
		return ResponseEntity.status(HttpStatus.CREATED).body(campaigns.create(actor, request));
	}

	@Operation(summary = "Replace a DRAFT campaign's definition")
	@PutMapping("/{id}")
	CampaignManagement.CampaignView replace(@AuthenticationPrincipal Actor actor, @PathVariable CampaignId id,
			@RequestBody CampaignManagement.CampaignRequest request) {
		return campaigns.replace(actor, id, request);
	}

	@Operation(summary = "Campaigns within your part of the organisation, newest first")
	@GetMapping
	CursorPage<CampaignManagement.CampaignView> list(@AuthenticationPrincipal Actor actor,
			@RequestParam(required = false) Campaign.@Nullable Status status,
			@RequestParam(required = false) @Nullable String after, @RequestParam(required = false) @Nullable Integer limit) {
		return campaigns.list(actor, status, after, CursorPage.limit(limit));
	}

	@Operation(summary = "A campaign with its progress: recipients planned, handed off, deferred, skipped by reason, and delivery outcomes", description = """
			A recurring campaign's progress is its runs' added up; its recurrence names the run count, the last run \
			(campaignId, status, dueAt, startedAt) and the next run's time (nextRunAt).""")
	@GetMapping("/{id}")
	CampaignManagement.CampaignView get(@AuthenticationPrincipal Actor actor, @PathVariable CampaignId id) {
		return campaigns.get(actor, id);
	}

	@Operation(summary = "The campaign's recipients in customer order, optionally of one status")
	@GetMapping("/{id}/recipients")
	CursorPage<CampaignManagement.RecipientView> recipients(@AuthenticationPrincipal Actor actor,
			@PathVariable CampaignId id, @RequestParam(required = false) Recipients.@Nullable Status status,
			@RequestParam(required = false) @Nullable String after, @RequestParam(required = false) @Nullable Integer limit) {
		return campaigns.recipients(actor, id, status, after, CursorPage.limit(limit));
	}

	@Operation(summary = "Send a DRAFT campaign now, schedule it ({\"at\": instant}) or make it recurring ({\"recurrence\": {cron, zone?, until?}})", description = """
			202 with the campaign SCHEDULED (it turns SENDING when its time comes), or RECURRING: each occurrence of \
			the cron rule (db-scheduler syntax, second minute hour day month weekday, in zone — default the head \
			office's) starts a run, a child campaign sent to the audience then. An audience above the approval \
			threshold leaves it PENDING_APPROVAL: the staff who may approve it get an approve / reject card in \
			their 营销审批 room in the chat, and it is a DRAFT again (approval-expired) if still undecided when the \
			campaign ends. A campaign a staff notice announced (a cascade's source) is 409 cascade-source: it \
			reaches customers through each store's forward. An audience with nobody in it is 409 empty-audience; a time in the \
			past 400 schedule-in-past; a bad rule 400 invalid-cron, invalid-zone, recurrence-never-fires or \
			recurrence-too-frequent.""")
	@PostMapping("/{id}/send")
	ResponseEntity<CampaignManagement.CampaignView> send(@AuthenticationPrincipal Actor actor,
			@PathVariable CampaignId id, @RequestBody(required = false) CampaignManagement.@Nullable SendRequest request) {
		return ResponseEntity.status(HttpStatus.ACCEPTED).body(campaigns.send(actor, id, request));
	}

	@Operation(summary = "Approve a send waiting for approval (CAMPAIGN_APPROVE; not the one who asked): it is scheduled as asked", description = """
			An at that has passed meanwhile sends now. The same as pressing 批准 on the card in the chat; the \
			requester is told there. 403 own-send-approval for one's own send; 409 campaign-not-pending-approval \
			when nothing waits.""")
	@PostMapping("/{id}/approve")
	CampaignManagement.CampaignView approve(@AuthenticationPrincipal Actor actor, @PathVariable CampaignId id) {
		return approval.approve(actor, id);
	}

	@Operation(summary = "Reject a send waiting for approval ({\"reason\"}): the campaign is a DRAFT again", description = """
			reason: 1-500 characters. The same as pressing 驳回 on the card in the chat (whose reason is 在聊天中驳回); \
			the requester is told there, with the reason.""")
	@PostMapping("/{id}/reject")
	CampaignManagement.CampaignView reject(@AuthenticationPrincipal Actor actor, @PathVariable CampaignId id,
			@RequestBody(required = false) CampaignApproval.@Nullable RejectRequest request) {
		return approval.reject(actor, id, request);
	}

	@Operation(summary = "Withdraw a send waiting for approval: the campaign is a DRAFT again (statusReason withdrawn)", description = """
			The requester, or anyone with CAMPAIGN_WRITE on the campaign; the approvers are told in the chat, and \
			their cards then answer that nothing waits any more. Not PENDING_APPROVAL: 409 \
			campaign-not-pending-approval.""")
	@PostMapping("/{id}/withdraw")
	CampaignManagement.CampaignView withdraw(@AuthenticationPrincipal Actor actor, @PathVariable CampaignId id) {
		return approval.withdraw(actor, id);
	}

	@Operation(summary = "Campaign settings: approvalAbove, the audience size above which a send waits for approval (0: never)")
	@GetMapping("/settings")
	CampaignApproval.SettingsView settings(@AuthenticationPrincipal Actor actor) {
		return approval.settings(actor);
	}

	@Operation(summary = "Change the campaign settings ({\"approvalAbove\": n}; CAMPAIGN_APPROVE at the head office)")
	@PutMapping("/settings")
	CampaignApproval.SettingsView changeSettings(@AuthenticationPrincipal Actor actor,
			@RequestBody(required = false) CampaignApproval.@Nullable SettingsRequest request) {
		return approval.changeSettings(actor, request);
	}

	@Operation(summary = "Cancel a SCHEDULED, SENDING or RECURRING campaign: nothing more is handed to delivery, no run starts")
	@PostMapping("/{id}/cancel")
	CampaignManagement.CampaignView cancel(@AuthenticationPrincipal Actor actor, @PathVariable CampaignId id) {
		return campaigns.cancel(actor, id);
	}
}
