package io.storecast.campaigns.internal;

import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.modulith.events.ApplicationModuleListener;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.support.TransactionTemplate;

import io.storecast.identity.Actor;
import io.storecast.identity.OrgDirectory;
import io.storecast.identity.OrgNode;
import io.storecast.identity.Permission;
import io.storecast.identity.StaffDirectory;
import io.storecast.identity.StaffId;
import io.storecast.messaging.CardActionClicked;
import io.storecast.messaging.ConversationId;
import io.storecast.messaging.MerchantMessaging;
import io.storecast.messaging.MessageDraft;
import io.storecast.messaging.MessageKind;
import io.storecast.messaging.Participant;
import io.storecast.messaging.SendResult;
import io.storecast.platform.ApiException;
import tools.jackson.databind.json.JsonMapper;

/**
 * Approval in the chat. When a send starts waiting, each staff member who may approve it
 * (CAMPAIGN_APPROVE at or above the campaign's node, not the requester) gets an action card, 批准 /
 * 驳回, in their own 营销审批 room (a room per staff member, so the requester never sees the cards of
 * their own send and an approver sees only theirs); the requester is told there who was asked. A
 * press decides as {@code POST …/approve} or {@code …/reject} would, in the presser's name; a press
 * that cannot decide (one's own send, one decided already) is answered in the room. Once the request
 * is decided — by a card, over REST, withdrawn or expired — the requester and every approver hear it.
 * <p>
 * The listeners run after the commit, in transactions of their own; messages carry keys derived from
 * the request, cards are found by their conversation and sequence number (never by what a button
 * says), and a press is recorded in the transaction that acts on it: a listener run again after a
 * crash posts nothing twice and decides nothing twice.
 */
@Component
class ApprovalChat {

	static final String APPROVE = "approve";
	static final String REJECT = "reject";
	static final String CHAT_REASON = "在聊天中驳回";
	private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm");
	private static final Logger log = LoggerFactory.getLogger(ApprovalChat.class);

	private final Approvals approvals;
	private final Campaigns campaigns;
	private final CampaignApproval approval;
	private final StaffDirectory staff;
	private final OrgDirectory org;
	private final MerchantMessaging messaging;
	private final JsonMapper json;
	private final TransactionTemplate tx;
	private final Clock clock;

	ApprovalChat(Approvals approvals, Campaigns campaigns, CampaignApproval approval, StaffDirectory staff, OrgDirectory org, MerchantMessaging messaging, JsonMapper json, TransactionTemplate tx,
			Clock clock) {
		this.approvals = approvals;
		this.campaigns = campaigns;
		this.approval = approval;
		this.staff = staff;
		this.org = org;
		this.messaging = messaging;
		this.json = json;
		this.tx = tx;
		this.clock = clock;
	}

	// ---- a send waits: cards to the approvers

	@ApplicationModuleListener(propagation = Propagation.NOT_SUPPORTED)
	void on(ApprovalRequested event) {
		Approvals.Approval a = approvals.find(event.campaignId())
			.filter(found -> event.requestId().equals(found.requestId()) && found.pending())
			.orElse(null);
		Campaign c = campaigns.find(event.campaignId()).orElse(null);
		if (a == null || c == null) {
			return; // decided (or asked anew) before anyone was told: the decision's message says it all
		}
		String requester = requesterName(a);
		MessageDraft card = card(c, a, requester);
		List<StaffDirectory.StaffMemberView> approvers = approvers(c, a.requestedByStaff());
		for (StaffDirectory.StaffMemberView approver : approvers) {
			ConversationId room = room(approver);
			// the card and its record commit together: a press always finds the card's request
			tx.executeWithoutResult(s -> {
				SendResult posted = messaging.post(room, "appr-card-" + a.requestId(), card);
				approvals.cardPosted(new Approvals.Card(room, posted.message().seq(), c.id(), event.requestId(),
						approver.id()), clock.instant());
			});
		}
		if (a.requestedByStaff() != null) {
			String told = approvers.isEmpty() ? "但目前没有其他可以审批的同事(需要总部或所在区域的审批权限),请联系总部。"
					: "已通知 " + String.join("、", approvers.stream().map(StaffDirectory.StaffMemberView::displayName).toList())
							+ " 审批。审批前可以撤回。";
			staff.findActive(a.requestedByStaff())
				.ifPresent(r -> say(room(r), "appr-asked-" + a.requestId(),
						"您的营销「" + c.name() + "」(" + a.audience() + " 位顾客)需要审批才能发送," + told));
		}
	}

	/** Those who may approve: CAMPAIGN_APPROVE at the campaign's node or above it, other than the requester. */
	private List<StaffDirectory.StaffMemberView> approvers(Campaign c, @Nullable StaffId requester) {
		List<StaffDirectory.StaffMemberView> found = new ArrayList<>();
		Optional<OrgNode> node = org.find(c.scopeNodeId());
		while (node.isPresent()) {
			for (StaffDirectory.StaffMemberView s : staff.activeAt(node.get().id())) {
				if (s.role().permissions().contains(Permission.CAMPAIGN_APPROVE) && !s.id().equals(requester)) {
					found.add(s);
				}
			}
			node = node.get().parentId() == null ? Optional.empty() : org.find(node.get().parentId());
		}
		return found;
	}

	private MessageDraft card(Campaign c, Approvals.Approval a, String requester) {
		CampaignManagement.SendRequest asked = a.request();
		String when;
		if (asked.recurrence() != null) {
			CampaignRecurrence.Recurrence r = asked.recurrence();
			when = "按规则 " + r.cron() + (r.zone() == null ? "" : "(" + r.zone() + ")") + " 循环发送"
					+ (r.until() == null ? "" : ",至 " + time(r.until())) + ",批准后开始";
		}
		else if (asked.at() != null) {
			when = "计划 " + time(asked.at()) + " 发送(批准晚于此时则批准后立即发送)";
		}
		else {
			when = "批准后立即发送";
		}
		String text = requester + " 申请发送营销「" + c.name() + "」给 " + a.audience() + " 位顾客," + when + "。活动截止 "
				+ time(c.endsAt()) + ",届时仍未审批将退回草稿。";
		Map<String, Object> payload = Map.of("title", StaffNoticeRuns.shorten("营销审批 · " + c.name(), 100), "text",
				StaffNoticeRuns.shorten(text, 1000), "buttons",
				List.of(Map.of("id", APPROVE, "label", "批准"), Map.of("id", REJECT, "label", "驳回")));
		return new MessageDraft(MessageKind.CARD,
				json.createObjectNode().put("card", "action").set("payload", json.valueToTree(payload)), false);
	}

	// ---- a press of 批准 or 驳回

	@ApplicationModuleListener(propagation = Propagation.NOT_SUPPORTED)
	void on(CardActionClicked click) {
		String action = click.actionId();
		if (click.by().kind() != Participant.Kind.STAFF || !(action.equals(APPROVE) || action.equals(REJECT))) {
			return;
		}
		Approvals.Card card = approvals.card(click.conversationId(), click.seq()).orElse(null);
		StaffId presser = new StaffId(click.by().id());
		if (card == null || approvals.handled(click.conversationId(), click.seq(), presser)) {
			return;
		}
		Campaign c = campaigns.find(card.campaignId()).orElseThrow();
		try {
			Actor.Staff actor = staff.actorOf(presser)
				.orElseThrow(() -> ApiException.forbidden("forbidden", "account disabled"));
			if (action.equals(APPROVE)) {
				approval.approve(actor, c.id(), card.requestId(), () -> press(click, presser, "APPROVED"));
			}
			else {
				approval.reject(actor, c.id(), card.requestId(), CHAT_REASON, () -> press(click, presser, "REJECTED"));
			}
		}
		catch (PressedAlready again) {
			// another delivery of the same press got there first
		}
		catch (ApiException refused) {
			log.info("Approval card of campaign {} ({}) pressed by {} refused: {}", c.id(), action, presser,
					refused.getMessage());
			String who = staff.findActive(presser).map(StaffDirectory.StaffMemberView::displayName).orElse("");
			String text = who + ":" + refusal(c, card, action, refused);
			try {
				tx.executeWithoutResult(s -> {
					press(click, presser, refused.code());
					say(click.conversationId(), "appr-re-" + click.seq() + "-" + presser.value(), text);
				});
			}
			catch (PressedAlready again) {
				// told already
			}
		}
	}

	/** Records the press in the caller's transaction; a press handled already aborts it. */
	private void press(CardActionClicked click, StaffId presser, String outcome) {
		if (!approvals.pressed(click.conversationId(), click.seq(), presser, click.actionId(), outcome, clock.instant())) {
			throw new PressedAlready();
		}
	}

	/** Why a press did nothing, for the presser, in zh-CN. */
	private String refusal(Campaign c, Approvals.Card card, String action, ApiException refused) {
		String name = "「" + c.name() + "」";
		return switch (refused.code()) {
			case "own-send-approval" -> "不能批准自己提交的发送申请" + name + ",需由其他有审批权限的同事批准。";
			case "campaign-not-pending-approval" -> approvals.find(c.id())
				.map(a -> !card.requestId().equals(a.requestId())
						? "这张卡片的申请已处理," + name + "已重新提交,请在新的审批卡片上操作。"
						: name + "的这次发送申请" + (a.decision() == null ? "已处理" : outcome(a.decision())) + ",无需再操作。")
				.orElse(name + "的这次发送申请已处理,无需再操作。");
			case "forbidden", "not-found" -> "您没有审批" + name + "的权限(需要活动所属组织范围内的审批权限)。";
			default -> (action.equals(APPROVE) ? "无法批准" : "无法驳回") + name + ":" + refused.getMessage();
		};
	}

	private static String outcome(Approvals.Decision decision) {
		return switch (decision) {
			case APPROVED -> "已被批准";
			case REJECTED -> "已被驳回";
			case WITHDRAWN -> "已撤回";
			case EXPIRED -> "已过期(活动结束前无人审批)";
		};
	}

	// ---- decided: the requester and the approvers hear it

	@ApplicationModuleListener(propagation = Propagation.NOT_SUPPORTED)
	void on(ApprovalDecided d) {
		Campaign c = campaigns.find(d.campaignId()).orElse(null);
		if (c == null) {
			return;
		}
		String name = "「" + c.name() + "」";
		String reason = d.decision() == Approvals.Decision.REJECTED && d.reason() != null ? ",理由:" + d.reason() : "";
		String verb = switch (d.decision()) {
			case APPROVED -> "已由 " + d.byName() + " 批准";
			case REJECTED -> "已被 " + d.byName() + " 驳回" + reason;
			case WITHDRAWN -> "已由 " + d.byName() + " 撤回";
			case EXPIRED -> "在活动截止(" + time(c.endsAt()) + ")前无人审批,已过期";
		};
		for (Approvals.Card card : approvals.cards(d.requestId())) {
			say(card.conversationId(), "appr-done-" + d.requestId(), "营销" + name + "的发送申请" + verb + ",无需再审批。");
		}
		if (d.requester() == null || d.requester().equals(d.by())) {
			return;
		}
		String then = switch (d.decision()) {
			case APPROVED -> c.status() == Campaign.Status.SCHEDULED && c.sendAt() != null && c.sendAt().isAfter(clock.instant())
					? ",将于 " + time(c.sendAt()) + " 发送。"
					: c.status() == Campaign.Status.RECURRING && c.sendAt() != null
							? ",将按规则循环发送,首次 " + time(c.sendAt()) + "。" : ",已开始发送。";
			case REJECTED, WITHDRAWN -> "。活动已退回草稿,可以修改后重新提交。";
			case EXPIRED -> "。活动已退回草稿;如仍要发送,请修改活动时间后重新提交。";
		};
		staff.findActive(d.requester())
			.ifPresent(r -> say(room(r), "appr-done-" + d.requestId(), "您的营销" + name + "的发送申请" + verb + then));
	}

	// ---- rooms and messages

	/** The staff member's own 营销审批 room (at their org node), created on first use. */
	private ConversationId room(StaffDirectory.StaffMemberView s) {
		return messaging.staffRoom(s.orgNodeId(), "appr-" + s.id().value().toString().replace("-", ""),
				StaffNoticeRuns.shorten("营销审批 · " + s.displayName(), 100), List.of(s.id()));
	}

	private String requesterName(Approvals.Approval a) {
		if (a.requestedByStaff() != null) {
			return staff.findActive(a.requestedByStaff()).map(StaffDirectory.StaffMemberView::displayName)
				.orElse(a.requestedBy());
		}
		return a.requestedBy().startsWith("api-key:") ? "API 密钥「" + a.requestedBy().substring(8) + "」" : a.requestedBy();
	}

	private String time(Instant at) {
		return TIME.format(at.atZone(org.headOffice().timeZone()));
	}

	private void say(ConversationId room, String key, String text) {
		messaging.post(room, key, new MessageDraft(MessageKind.TEXT, json.createObjectNode().put("text", text), false));
	}

	/** A press delivered again, found recorded: its transaction is rolled back and nothing else happens. */
	private static final class PressedAlready extends RuntimeException {

		private static final long serialVersionUID = 1L;

		PressedAlready() {
			super(null, null, false, false);
		}
	}
}
