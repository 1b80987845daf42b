package io.storecast.campaigns.internal;

import java.time.Clock;
import java.time.Instant;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import io.storecast.identity.OrgDirectory;
import io.storecast.identity.OrgNode;
import io.storecast.identity.OrgNodeId;
import io.storecast.identity.Role;
import io.storecast.identity.StaffId;
import io.storecast.messaging.ConversationId;
import io.storecast.messaging.MerchantMessaging;
import io.storecast.messaging.MessageDraft;
import io.storecast.messaging.MessageKind;
import io.storecast.messaging.Participant;
import io.storecast.platform.ApiException;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What a staff notice does on its schedule: it is posted in its staff rooms (a room per audience node,
 * such as the East region's 店长群), laggards are reminded, and check-in rounds are asked. Each run is
 * one transaction holding the notice's row lock, in which the messages (posted as the merchant, with
 * idempotency keys), the records of them and the next run's schedule commit together; the notice's
 * row names the next reminder and round, so a repeated run does nothing twice.
 */
@Component
class StaffNoticeRuns {

	static final String FORWARD_ACTION = "forward";
	static final String OK_ACTION = "ok";
	static final String HELP_ACTION = "help";
	private static final int MAX_MENTIONS = 50;
	private static final Logger log = LoggerFactory.getLogger(StaffNoticeRuns.class);

	private final StaffNotices notices;
	private final StaffNoticeScheduling scheduling;
	private final AutoForwarding autoForwarding;
	private final StaffNoticeSettings settings;
	private final StaffNoticeAudience audiences;
	private final MerchantMessaging messaging;
	private final OrgDirectory org;
	private final JsonMapper json;
	private final TransactionTemplate tx;
	private final Clock clock;

	StaffNoticeRuns(StaffNotices notices, StaffNoticeScheduling scheduling, AutoForwarding autoForwarding,
			StaffNoticeSettings settings, StaffNoticeAudience audiences, MerchantMessaging messaging, OrgDirectory org,
			JsonMapper json, TransactionTemplate tx, Clock clock) {
		this.notices = notices;
		this.scheduling = scheduling;
		this.autoForwarding = autoForwarding;
		this.settings = settings;
		this.audiences = audiences;
		this.messaging = messaging;
		this.org = org;
		this.json = json;
		this.tx = tx;
		this.clock = clock;
	}

	/** Posts a scheduled notice in its rooms and schedules its first reminder and check-in round. */
	void post(StaffNoticeId id) {
		StaffNotice n = notices.find(id).orElse(null);
		if (n == null || n.status() != StaffNotice.Status.SCHEDULED) {
			return;
		}
		// a notice scheduled ahead reaches who holds the role now (a manager appointed since, not one who left);
		// one sent at once keeps who it was created for
		boolean ahead = n.sendAt().isAfter(n.createdAt());
		List<StaffNotices.Recipient> recipients = ahead ? audiences.resolve(n.audience(), n.scopeNodeId())
				: notices.recipients(id);
		if (recipients.isEmpty() || recipients.size() > settings.maxRecipients()) {
			String reason = recipients.isEmpty() ? "empty-audience" : "too-many-recipients";
			notices.fail(id, reason);
			log.warn("Staff notice {} was not posted: {} ({} recipients)", id, reason, recipients.size());
			return;
		}
		// the rooms first, each created (or joined by new members) in a transaction of its own: idempotent
		Map<OrgNodeId, List<StaffId>> members = new LinkedHashMap<>();
		recipients.forEach(r -> members.computeIfAbsent(r.roomNodeId(), k -> new java.util.ArrayList<>()).add(r.staffId()));
		Map<OrgNodeId, ConversationId> rooms = new LinkedHashMap<>();
		members.forEach((node, staff) -> rooms.put(node, room(n, node, staff)));
		try {
			tx.executeWithoutResult(s -> {
				StaffNotice locked = notices.lock(id).orElse(null);
				if (locked == null || locked.status() != StaffNotice.Status.SCHEDULED) {
					return;
				}
				Instant now = clock.instant();
				if (ahead) {
					// with the posting, under the lock: a run repeated after a crash starts again from here
					notices.replaceRecipients(id, recipients);
				}
				MessageDraft draft = noticeDraft(locked);
				rooms.forEach((node, room) -> {
					long seq = messaging.post(room, "notice-" + id, draft).message().seq();
					notices.posted(new StaffNotices.Post(room, seq, id, StaffNotices.PostKind.NOTICE, 0), now);
					notices.roomPosted(id, node, room);
				});
				notices.opened(id, now);
				StaffNotice open = notices.find(id).orElseThrow();
				// a cascade is announced to the stores now: their rules' automatic forwards are scheduled with the posting
				autoForwarding.announced(open, recipients.stream().map(StaffNotices.Recipient::orgNodeId).toList(), now);
				if (open.requiresAck() && open.remindAfterMinutes() != null) {
					scheduling.remind(id, 1, open.reminderDue(1));
				}
				if (open.checkIn() != null) {
					scheduling.checkIn(id, 1, open.checkInDue(1));
				}
			});
		}
		catch (ApiException refused) {
			// messaging refused what the notice says (a forbidden word): posting again would not help
			notices.fail(id, refused.code());
			log.warn("Staff notice {} could not be posted: {}", id, refused.getMessage());
		}
	}

	/** Reminder {@code k}: the recipients who have not acknowledged are mentioned in their room. */
	void remind(StaffNoticeId id, int k) {
		tx.executeWithoutResult(s -> {
			StaffNotice n = notices.lock(id).orElse(null);
			if (n == null || n.status() != StaffNotice.Status.OPEN || n.nextReminder() != k || !n.requiresAck()
					|| n.remindAfterMinutes() == null) {
				return;
			}
			notices.reminderDone(id, k);
			Map<ConversationId, Map<Participant, Instant>> acks = acknowledgements(id);
			Map<ConversationId, List<StaffId>> laggards = new LinkedHashMap<>();
			for (StaffNotices.Recipient r : notices.recipients(id)) {
				ConversationId room = r.conversationId();
				if (room != null && !acks.getOrDefault(room, Map.of()).containsKey(Participant.staff(r.staffId()))) {
					laggards.computeIfAbsent(room, x -> new java.util.ArrayList<>()).add(r.staffId());
				}
			}
			if (laggards.isEmpty()) {
				return;
			}
			Instant now = clock.instant();
			laggards.forEach((room, staff) -> {
				ObjectNode body = json.createObjectNode()
					.put("text", "提醒:请尽快确认通知「" + n.title() + "」(第" + k + "次提醒," + staff.size() + "人未确认)");
				ArrayNode mentions = body.putArray("mentions");
				staff.stream().limit(MAX_MENTIONS).forEach(p -> mentions.add(Participant.staff(p).toString()));
				long seq = messaging.post(room, "notice-" + id + "-remind-" + k, new MessageDraft(MessageKind.TEXT, body, false))
					.message()
					.seq();
				notices.posted(new StaffNotices.Post(room, seq, id, StaffNotices.PostKind.REMINDER, k), now);
				notices.reminded(id, staff, now);
			});
			if (k < n.maxReminders()) {
				scheduling.remind(id, k + 1, n.reminderDue(k + 1));
			}
		});
	}

	/** Check-in round {@code k}: a card asking each room to report, answered once per node. */
	void checkIn(StaffNoticeId id, int k) {
		tx.executeWithoutResult(s -> {
			StaffNotice n = notices.lock(id).orElse(null);
			if (n == null || n.status() != StaffNotice.Status.OPEN || n.nextCheckIn() != k || n.checkIn() == null) {
				return;
			}
			Instant now = clock.instant();
			MessageDraft card = actionCard(shorten("第" + k + "轮汇报 · " + n.title(), 100), n.checkIn().prompt(),
					OK_ACTION, "一切正常", HELP_ACTION, "需要支援");
			for (ConversationId room : rooms(id)) {
				long seq = messaging.post(room, "notice-" + id + "-check-in-" + k, card).message().seq();
				notices.posted(new StaffNotices.Post(room, seq, id, StaffNotices.PostKind.CHECK_IN, k), now);
			}
			notices.roundAsked(id, k, n.checkInDue(k), now);
			notices.checkInDone(id, k);
			if (k < settings.maxCheckInRounds()) {
				scheduling.checkIn(id, k + 1, n.checkInDue(k + 1));
			}
		});
	}

	/** Tells the rooms a notice is over (in the caller's transaction). */
	void closed(StaffNotice n) {
		MessageDraft text = text("通知「" + n.title() + "」已结束,无需再确认或汇报。");
		for (ConversationId room : rooms(n.id())) {
			messaging.post(room, "notice-" + n.id() + "-closed", text);
		}
	}

	/** Who acknowledged the notice in each of its rooms, and when. */
	Map<ConversationId, Map<Participant, Instant>> acknowledgements(StaffNoticeId id) {
		Map<ConversationId, Map<Participant, Instant>> acks = new HashMap<>();
		for (StaffNotices.Post post : notices.posts(id, StaffNotices.PostKind.NOTICE, 0)) {
			acks.put(post.conversationId(), messaging.acknowledgements(post.conversationId(), post.seq()));
		}
		return acks;
	}

	private List<ConversationId> rooms(StaffNoticeId id) {
		return notices.posts(id, StaffNotices.PostKind.NOTICE, 0).stream().map(StaffNotices.Post::conversationId).toList();
	}

	// ---- rooms and messages

	private static final Map<Role, String> ROLE_NAMES = Map.of(Role.OWNER, "负责人", Role.HQ_MARKETER, "总部市场",
			Role.REGION_MANAGER, "区域经理", Role.STORE_MANAGER, "店长", Role.CLERK, "店员");

	/**
	 * The staff room a notice reaches a node's recipients in: for an audience of roles, the node's room
	 * of those roles (the East region's 店长群, shared by every notice to the same roles there); for a
	 * list of staff, a room of the notice's own.
	 */
	private ConversationId room(StaffNotice n, OrgNodeId nodeId, List<StaffId> members) {
		OrgNode node = org.find(nodeId).orElseThrow();
		StaffNotice.Audience a = n.audience();
		if (!a.byRoles()) {
			return messaging.staffRoom(node.id(), "notice-" + n.id().value().toString().replace("-", ""),
					shorten(n.title(), 100), members);
		}
		Set<Role> roles = EnumSet.copyOf(Objects.requireNonNull(a.roles()));
		String purpose = "notices-" + roles.stream().map(r -> switch (r) {
			case OWNER -> "o";
			case HQ_MARKETER -> "m";
			case REGION_MANAGER -> "r";
			case STORE_MANAGER -> "s";
			case CLERK -> "c";
		}).collect(Collectors.joining());
		String title = node.name() + " · " + roles.stream().map(ROLE_NAMES::get).collect(Collectors.joining("、")) + "群";
		return messaging.staffRoom(node.id(), purpose, shorten(title, 100), members);
	}

	/** The notice as posted: text, or for a cascade an action card whose button forwards it to customers. */
	private MessageDraft noticeDraft(StaffNotice n) {
		StringBuilder text = new StringBuilder(n.text());
		if (n.requiresAck()) {
			text.append("\n请确认收到。");
		}
		if (n.checkIn() != null) {
			text.append("\n之后每").append(every(n.checkIn().everyMinutes())).append("请在汇报卡片上反馈情况,直到通知结束。");
		}
		if (n.campaignId() != null) {
			text.append("\n确认后请转发给本店顾客。");
			MessageDraft card = actionCard(n.title(), shorten(text.toString(), 1000), FORWARD_ACTION, "转发给本店顾客");
			return new MessageDraft(card.kind(), card.body(), n.requiresAck());
		}
		ObjectNode body = json.createObjectNode().put("text", "【" + n.title() + "】" + text);
		return new MessageDraft(MessageKind.TEXT, body, n.requiresAck());
	}

	static String every(int minutes) {
		return minutes % 60 == 0 ? minutes / 60 + "小时" : minutes + "分钟";
	}

	private MessageDraft text(String text) {
		return new MessageDraft(MessageKind.TEXT, json.createObjectNode().put("text", text), false);
	}

	/** An action card with buttons given as id, label, id, label ... */
	private MessageDraft actionCard(String title, String text, String... buttons) {
		ObjectNode payload = json.createObjectNode().put("title", title).put("text", text);
		ArrayNode array = payload.putArray("buttons");
		for (int i = 0; i < buttons.length; i += 2) {
			array.add(json.createObjectNode().put("id", buttons[i]).put("label", buttons[i + 1]));
		}
		ObjectNode body = json.createObjectNode().put("card", "action");
		body.set("payload", payload);
		return new MessageDraft(MessageKind.CARD, body, false);
	}

	/** The text cut to {@code max} characters (code points), with an ellipsis when cut. */
	static String shorten(String text, int max) {
		return text.codePointCount(0, text.length()) <= max ? text
				: text.substring(0, text.offsetByCodePoints(0, max - 1)) + "…";
	}
}
