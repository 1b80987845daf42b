package io.storecast.campaigns.internal;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import io.storecast.campaigns.CampaignId;
import io.storecast.identity.AccessPolicy;
import io.storecast.identity.Actor;
import io.storecast.identity.OrgDirectory;
import io.storecast.identity.OrgNode;
import io.storecast.identity.OrgNodeId;
import io.storecast.identity.Permission;
import io.storecast.identity.Role;
import io.storecast.identity.StaffDirectory;
import io.storecast.identity.StaffId;
import io.storecast.messaging.ConversationId;
import io.storecast.messaging.Messaging;
import io.storecast.messaging.Participant;
import io.storecast.platform.ApiException;
import io.storecast.platform.CursorPage;
import io.storecast.platform.Ids;
import io.storecast.platform.TextFields;

/**
 * Staff notices: checked and scheduled when created, read with who has acknowledged and the check-in
 * table, acknowledged and answered by their recipients, closed by their senders. Every check comes
 * before anything is stored: a refused request changes nothing.
 */
@Service
class StaffNoticeManagement {

	/** A notice as the API takes it; every field is checked here, naming it when refused. */
	record NoticeRequest(@Nullable String title, @Nullable String text, StaffNotice.@Nullable Audience audience,
			@Nullable Boolean requiresAck, @Nullable Integer remindAfterMinutes, @Nullable Integer maxReminders,
			StaffNotice.@Nullable CheckIn checkIn, @Nullable CampaignId campaignId, @Nullable Instant sendAt) {
	}

	enum Answer {
		OK, NEEDS_HELP
	}

	/** @param round the round answered; null: the latest asked */
	record CheckInRequest(@Nullable Integer round, @Nullable Answer status, @Nullable String text) {
	}

	record NodeRef(OrgNodeId id, String code, String name) {

		/** The node's reference, looked up once per cache. */
		static NodeRef of(OrgDirectory org, Map<OrgNodeId, NodeRef> cache, OrgNodeId id) {
			return cache.computeIfAbsent(id,
					k -> org.find(k).map(n -> new NodeRef(n.id(), n.code(), n.name())).orElse(new NodeRef(k, "", "")));
		}
	}

	/**
	 * @param remindersSent reminders sent, one per laggard and round
	 * @param rounds check-in rounds asked so far
	 */
	record Summary(int recipients, int acknowledged, int pending, int remindersSent, int rounds) {
	}

	record NoticeView(StaffNoticeId id, String title, String text, StaffNotice.Audience audience, boolean requiresAck,
			@Nullable Integer remindAfterMinutes, int maxReminders, StaffNotice.@Nullable CheckIn checkIn,
			@Nullable CampaignId campaignId, OrgNodeId scopeNodeId, StaffNotice.Status status,
			@Nullable String statusReason, Instant sendAt, @Nullable Instant sentAt, @Nullable Instant closedAt,
			@Nullable String closedBy, String createdBy, Instant createdAt, Summary summary) {
	}

	record RecipientView(StaffId staffId, String displayName, Role role, NodeRef node, boolean acknowledged,
			@Nullable Instant acknowledgedAt, int reminders, @Nullable Instant lastRemindedAt,
			@Nullable ConversationId conversationId) {
	}

	record Cell(int round, Answer status, @Nullable String text, StaffId by, String byName, Instant at) {
	}

	/** One org node's answers, a cell per round asked (null where it has not answered). */
	record Row(NodeRef node, List<@Nullable Cell> cells) {
	}

	record CheckInTable(List<StaffNotices.Round> rounds, List<Row> rows) {
	}

	private static final int MAX_NODES = 100;
	private static final int MAX_REMIND_MINUTES = 7 * 24 * 60;
	private static final int MAX_CHECK_IN_MINUTES = 7 * 24 * 60;
	private static final int DEFAULT_MAX_REMINDERS = 3;
	private static final int MAX_REMINDERS = 10;

	private final StaffNotices notices;
	private final StaffNoticeRuns runs;
	private final StaffNoticeScheduling scheduling;
	private final StaffNoticeSettings settings;
	private final StaffNoticeAudience audiences;
	private final Campaigns campaigns;
	private final CampaignManagement campaignManagement;
	private final AccessPolicy access;
	private final OrgDirectory org;
	private final StaffDirectory staff;
	private final Messaging messaging;
	private final TransactionTemplate tx;
	private final Clock clock;

	StaffNoticeManagement(StaffNotices notices, StaffNoticeRuns runs, StaffNoticeScheduling scheduling,
			StaffNoticeSettings settings, StaffNoticeAudience audiences, Campaigns campaigns,
			CampaignManagement campaignManagement, AccessPolicy access, OrgDirectory org, StaffDirectory staff,
			Messaging messaging, TransactionTemplate tx, Clock clock) {
		this.notices = notices;
		this.runs = runs;
		this.scheduling = scheduling;
		this.settings = settings;
		this.audiences = audiences;
		this.campaigns = campaigns;
		this.campaignManagement = campaignManagement;
		this.access = access;
		this.org = org;
		this.staff = staff;
		this.messaging = messaging;
		this.tx = tx;
		this.clock = clock;
	}

	// ---- creating

	NoticeView create(Actor actor, NoticeRequest r) {
		access.require(actor, Permission.CAMPAIGN_WRITE);
		String createdBy = CampaignManagement.createdBy(actor);
		Instant now = clock.instant();
		Campaign campaign = null;
		if (r.campaignId() != null) {
			campaign = campaigns.find(r.campaignId())
				.filter(c -> access.reaches(actor, c.scopeNodeId()))
				.orElseThrow(() -> ApiException.badRequest("unknown-campaign", "campaignId", "No campaign " + r.campaignId()));
			requireUnsent(campaign);
		}
		String title = TextFields.required(r.title() == null && campaign != null ? campaign.name() : r.title(), "title", 100);
		String text = TextFields.required(r.text() == null && campaign != null ? campaign.definition().offer().text()
				: r.text(), "text", 1000);
		boolean requiresAck = Boolean.TRUE.equals(r.requiresAck());
		Integer remind = r.remindAfterMinutes();
		if (remind != null) {
			if (!requiresAck) {
				throw ApiException.badRequest("validation-failed", "remindAfterMinutes",
						"Reminders go to those who have not acknowledged: set requiresAck to true");
			}
			if (remind < 1 || remind > MAX_REMIND_MINUTES) {
				throw ApiException.badRequest("validation-failed", "remindAfterMinutes",
						"remindAfterMinutes is between 1 and " + MAX_REMIND_MINUTES);
			}
		}
		int maxReminders = r.maxReminders() == null ? DEFAULT_MAX_REMINDERS : r.maxReminders();
		if (maxReminders < 1 || maxReminders > MAX_REMINDERS) {
			throw ApiException.badRequest("validation-failed", "maxReminders", "maxReminders is between 1 and " + MAX_REMINDERS);
		}
		StaffNotice.CheckIn checkIn = checkIn(r.checkIn());
		Instant sendAt = r.sendAt() == null ? now : r.sendAt();
		// a second of slack for "now" computed on the caller's clock
		if (sendAt.isBefore(now.minusSeconds(1))) {
			throw ApiException.badRequest("schedule-in-past", "sendAt", "sendAt (" + sendAt + ") is in the past; leave it out to send now");
		}
		Instant when = sendAt.isBefore(now) ? now : sendAt;
		Resolved audience = audience(actor, r.audience());
		StaffNotice n = new StaffNotice(new StaffNoticeId(Ids.newId()), title, text, audience.stored(), requiresAck, remind,
				maxReminders, checkIn, campaign == null ? null : campaign.id(), audience.scope().id(), audience.scope().path(),
				StaffNotice.Status.SCHEDULED, null, when, null, null, null, 1, 1, createdBy, now);
		CampaignId announced = n.campaignId();
		tx.executeWithoutResult(s -> {
			if (announced != null) {
				// sending it locks the row too: one of the two sees the other
				requireUnsent(campaigns.lock(announced).orElseThrow());
			}
			notices.insert(n, audience.recipients());
			scheduling.post(n.id(), when);
		});
		return view(n);
	}

	/**
	 * A cascade's source reaches customers through the stores' forwards only, so a campaign sent,
	 * scheduled or waiting for approval already is not announced (409 {@code campaign-sent-directly}).
	 */
	private static void requireUnsent(Campaign c) {
		if (c.status() != Campaign.Status.DRAFT) {
			throw ApiException.conflict("campaign-sent-directly", "「" + c.name() + "」 is " + c.status()
					+ ": it is sent to customers directly, so it is not announced for the stores to forward as well; "
					+ "announce a draft (a copy of it) instead");
		}
	}

	private StaffNotice.@Nullable CheckIn checkIn(StaffNotice.@Nullable CheckIn checkIn) {
		if (checkIn == null) {
			return null;
		}
		int every = checkIn.everyMinutes();
		if (every < settings.minCheckInMinutes()) {
			throw ApiException.badRequest("interval-too-small", "checkIn.everyMinutes",
					"checkIn.everyMinutes is at least " + settings.minCheckInMinutes());
		}
		if (every > MAX_CHECK_IN_MINUTES) {
			throw ApiException.badRequest("validation-failed", "checkIn.everyMinutes",
					"checkIn.everyMinutes is at most " + MAX_CHECK_IN_MINUTES);
		}
		String prompt = TextFields.optional(checkIn.prompt(), "checkIn.prompt", 200);
		return new StaffNotice.CheckIn(every, prompt == null ? "请汇报当前情况:一切正常,或需要支援(可附说明)。" : prompt);
	}

	/** The audience as stored, who it reaches (each with the node whose room carries it), and its scope. */
	private record Resolved(StaffNotice.Audience stored, List<StaffNotices.Recipient> recipients, OrgNode scope) {
	}

	private Resolved audience(Actor actor, StaffNotice.@Nullable Audience a) {
		if (a == null) {
			throw ApiException.badRequest("validation-failed", "audience",
					"audience is {\"nodes\": [...], \"roles\": [...]} or {\"staffIds\": [...]}");
		}
		boolean byRoles = a.nodes() != null || a.roles() != null;
		if (byRoles == (a.staffIds() != null)) {
			throw ApiException.badRequest("validation-failed", "audience",
					"audience names either nodes and roles, or staffIds, not both");
		}
		Map<StaffId, StaffNotices.Recipient> recipients = new LinkedHashMap<>();
		OrgNode scope;
		if (byRoles) {
			List<OrgNode> nodes = nodes(actor, a.nodes());
			List<Role> roles = a.roles() == null ? List.of() : a.roles();
			if (roles.isEmpty() || roles.stream().anyMatch(Objects::isNull)) {
				throw ApiException.badRequest("validation-failed", "audience.roles",
						"audience.roles names the roles to reach, e.g. [\"STORE_MANAGER\"]");
			}
			// a node within another named node is covered by it
			List<OrgNode> roots = nodes.stream()
				.filter(n -> nodes.stream().noneMatch(o -> !o.id().equals(n.id()) && o.contains(n)))
				.toList();
			audiences.byRoles(roots.stream().map(OrgNode::id).toList(), roles)
				.forEach(r -> recipients.putIfAbsent(r.staffId(), r));
			scope = campaignManagement.lowestCommonNode(roots);
			a = new StaffNotice.Audience(roots.stream().map(OrgNode::id).toList(), List.copyOf(roles), null);
		}
		else {
			List<StaffId> ids = Objects.requireNonNull(a.staffIds());
			if (ids.isEmpty() || ids.size() > settings.maxRecipients()) {
				throw ApiException.badRequest(ids.isEmpty() ? "empty-audience" : "validation-failed", "audience.staffIds",
						"audience.staffIds names 1 to " + settings.maxRecipients() + " staff members");
			}
			List<StaffDirectory.StaffMemberView> members = new ArrayList<>();
			List<OrgNode> homes = new ArrayList<>();
			for (int i = 0; i < ids.size(); i++) {
				String field = "audience.staffIds[" + i + "]";
				StaffId id = ids.get(i);
				StaffDirectory.StaffMemberView member = id == null ? null : staff.findActive(id).orElse(null);
				if (member == null) {
					throw ApiException.badRequest("unknown-staff", field, "No active staff member " + id);
				}
				access.requireAt(actor, Permission.CAMPAIGN_WRITE, member.orgNodeId());
				members.add(member);
				homes.add(org.find(member.orgNodeId()).orElseThrow());
			}
			scope = campaignManagement.lowestCommonNode(homes);
			members.forEach(m -> recipients.putIfAbsent(m.id(), StaffNoticeAudience.recipient(m, scope.id())));
			a = new StaffNotice.Audience(null, null, List.copyOf(recipients.keySet()));
		}
		if (recipients.isEmpty()) {
			throw ApiException.badRequest("empty-audience", "audience",
					"Nobody active has these roles within these nodes: the notice would reach nobody");
		}
		if (recipients.size() > settings.maxRecipients()) {
			throw ApiException.badRequest("validation-failed", "audience",
					"The notice would reach " + recipients.size() + " staff; at most " + settings.maxRecipients());
		}
		return new Resolved(a, List.copyOf(recipients.values()), scope);
	}

	private List<OrgNode> nodes(Actor actor, @Nullable List<OrgNodeId> ids) {
		if (ids == null || ids.isEmpty() || ids.size() > MAX_NODES) {
			throw ApiException.badRequest("validation-failed", "audience.nodes",
					"audience.nodes names 1 to " + MAX_NODES + " org nodes (the head office, regions or stores)");
		}
		List<OrgNode> nodes = new ArrayList<>();
		for (int i = 0; i < ids.size(); i++) {
			OrgNodeId id = ids.get(i);
			OrgNode node = id == null ? null : org.find(id).orElse(null);
			if (node == null) {
				throw ApiException.badRequest("unknown-org-node", "audience.nodes[" + i + "]", "No org node " + id);
			}
			access.requireAt(actor, Permission.CAMPAIGN_WRITE, node.id());
			if (nodes.stream().noneMatch(n -> n.id().equals(node.id()))) {
				nodes.add(node);
			}
		}
		return nodes;
	}

	// ---- reading

	NoticeView get(Actor actor, StaffNoticeId id) {
		return view(readable(actor, id));
	}

	CursorPage<NoticeView> list(Actor actor, StaffNotice.@Nullable Status status, @Nullable String after, int limit) {
		access.require(actor, Permission.CAMPAIGN_READ);
		NewestFirst from = NewestFirst.after(after);
		StaffId me = actor instanceof Actor.Staff s ? s.id() : null;
		List<StaffNotice> rows = notices.list(access.scopePath(actor), me, status, from.createdAt(), from.id(), limit + 1);
		CursorPage<StaffNotice> page = CursorPage.of(rows, limit, n -> NewestFirst.cursor(n.createdAt(), n.id()));
		return new CursorPage<>(page.items().stream().map(this::view).toList(), page.nextCursor());
	}

	/** Every recipient with whether and when they acknowledged, and the reminders they were sent. */
	List<RecipientView> recipients(Actor actor, StaffNoticeId id, @Nullable Boolean acknowledged) {
		StaffNotice n = readable(actor, id);
		Map<ConversationId, Map<Participant, Instant>> acks = runs.acknowledgements(n.id());
		Map<OrgNodeId, NodeRef> nodes = new HashMap<>();
		List<RecipientView> views = new ArrayList<>();
		for (StaffNotices.Recipient r : notices.recipients(n.id())) {
			Instant at = r.conversationId() == null ? null
					: acks.getOrDefault(r.conversationId(), Map.of()).get(Participant.staff(r.staffId()));
			if (acknowledged != null && acknowledged != (at != null)) {
				continue;
			}
			views.add(new RecipientView(r.staffId(), r.displayName(), r.role(), node(nodes, r.orgNodeId()), at != null, at,
					r.reminders(), r.lastRemindedAt(), r.conversationId()));
		}
		return views;
	}

	/** The check-in table: the recipients' nodes (stores) × the rounds asked, each cell the node's answer. */
	CheckInTable checkIns(Actor actor, StaffNoticeId id) {
		StaffNotice n = readable(actor, id);
		List<StaffNotices.Round> rounds = notices.rounds(n.id());
		Map<OrgNodeId, NodeRef> nodes = new HashMap<>();
		Map<StaffId, String> names = new HashMap<>();
		Map<OrgNodeId, List<@Nullable Cell>> rows = new LinkedHashMap<>();
		List<StaffNotices.Recipient> recipients = notices.recipients(n.id());
		recipients.forEach(r -> names.put(r.staffId(), r.displayName()));
		recipients.stream()
			.map(r -> node(nodes, r.orgNodeId()))
			.sorted(java.util.Comparator.comparing(NodeRef::code))
			.forEach(ref -> rows.computeIfAbsent(ref.id(), k -> {
				List<@Nullable Cell> cells = new ArrayList<>();
				rounds.forEach(round -> cells.add(null));
				return cells;
			}));
		for (StaffNotices.CheckInAnswer a : notices.answers(n.id())) {
			List<@Nullable Cell> cells = rows.get(a.orgNodeId());
			if (cells != null && a.round() >= 1 && a.round() <= cells.size()) {
				cells.set(a.round() - 1, new Cell(a.round(), Answer.valueOf(a.status()), a.text(), a.staffId(),
						names.getOrDefault(a.staffId(), ""), a.answeredAt()));
			}
		}
		return new CheckInTable(rounds, rows.entrySet().stream().map(e -> new Row(nodes.get(e.getKey()), e.getValue())).toList());
	}

	// ---- recipients acting

	/** The recipient acknowledges the notice (as pressing 确认 on the message in the chat does). */
	RecipientView acknowledge(Actor actor, StaffNoticeId id) {
		StaffNotice n = readable(actor, id);
		StaffNotices.Recipient r = requireRecipient(actor, n);
		requireOpen(n);
		if (!n.requiresAck()) {
			throw ApiException.badRequest("ack-not-required", "id", "This notice does not ask for acknowledgement");
		}
		StaffNotices.Post post = notices.posts(n.id(), StaffNotices.PostKind.NOTICE, 0)
			.stream()
			.filter(p -> p.conversationId().equals(r.conversationId()))
			.findFirst()
			.orElseThrow();
		messaging.acknowledge(actor, post.conversationId(), post.seq());
		return recipients(actor, id, null).stream().filter(v -> v.staffId().equals(r.staffId())).findFirst().orElseThrow();
	}

	/** A recipient's answer to a check-in round, for their node. */
	Cell checkIn(Actor actor, StaffNoticeId id, CheckInRequest request) {
		StaffNotice n = readable(actor, id);
		StaffNotices.Recipient r = requireRecipient(actor, n);
		if (request.status() == null) {
			throw ApiException.badRequest("validation-failed", "status", "status is OK or NEEDS_HELP");
		}
		String text = TextFields.optional(request.text(), "text", 500);
		return answer(n, r, request.round(), request.status(), text);
	}

	/** Records an answer after checking the notice asks for it now; the cell recorded. */
	Cell answer(StaffNotice n, StaffNotices.Recipient r, @Nullable Integer round, Answer status, @Nullable String text) {
		if (n.checkIn() == null) {
			throw ApiException.conflict("check-in-not-open", "This notice asks for no check-ins");
		}
		requireOpen(n);
		List<StaffNotices.Round> rounds = notices.rounds(n.id());
		int k = round == null ? rounds.size() : round;
		if (k < 1 || k > rounds.size()) {
			throw new ApiException(HttpStatus.CONFLICT, "check-in-not-open",
					rounds.isEmpty() ? "No check-in round has been asked yet" : "Rounds 1 to " + rounds.size() + " have been asked",
					List.of(new ApiException.FieldProblem("round", "round " + k + " has not been asked")), null);
		}
		Instant now = clock.instant();
		if (!notices.answer(n.id(), new StaffNotices.CheckInAnswer(k, r.orgNodeId(), r.staffId(), status.name(), text, now))) {
			throw ApiException.conflict("check-in-already-answered",
					"Round " + k + " has already been answered for this store");
		}
		return new Cell(k, status, text, r.staffId(), r.displayName(), now);
	}

	// ---- closing

	NoticeView close(Actor actor, StaffNoticeId id) {
		StaffNotice n = readable(actor, id);
		access.requireAt(actor, Permission.CAMPAIGN_WRITE, n.scopeNodeId());
		String by = CampaignManagement.createdBy(actor);
		tx.executeWithoutResult(s -> {
			StaffNotice locked = notices.lock(id).orElseThrow();
			if (!notices.close(id, by, clock.instant())) {
				throw ApiException.conflict("notice-closed", "The notice is already " + locked.status());
			}
			if (locked.status() == StaffNotice.Status.OPEN) {
				runs.closed(locked);
			}
		});
		return get(actor, id);
	}

	// ---- helpers

	private StaffNotice readable(Actor actor, StaffNoticeId id) {
		StaffNotice n = notices.find(id).orElseThrow(() -> notFound(id));
		if (isRecipient(actor, n)) {
			return n;
		}
		if (!access.has(actor, Permission.CAMPAIGN_READ) || !access.reaches(actor, n.scopeNodeId())) {
			throw notFound(id);
		}
		return n;
	}

	private boolean isRecipient(Actor actor, StaffNotice n) {
		return actor instanceof Actor.Staff s && notices.recipient(n.id(), s.id()).isPresent();
	}

	private StaffNotices.Recipient requireRecipient(Actor actor, StaffNotice n) {
		return (actor instanceof Actor.Staff s ? notices.recipient(n.id(), s.id()) : java.util.Optional.<StaffNotices.Recipient>empty())
			.orElseThrow(() -> ApiException.forbidden("not-a-recipient", "This notice was not sent to you"));
	}

	private static void requireOpen(StaffNotice n) {
		switch (n.status()) {
			case OPEN -> {
			}
			case SCHEDULED -> throw ApiException.conflict("notice-not-open", "The notice has not been sent yet (" + n.sendAt() + ")");
			case CLOSED, FAILED -> throw ApiException.conflict("notice-closed", "The notice is " + n.status() + ": nothing more is taken");
		}
	}

	private static ApiException notFound(StaffNoticeId id) {
		return ApiException.notFound("not-found", "No staff notice " + id);
	}

	private NodeRef node(Map<OrgNodeId, NodeRef> cache, OrgNodeId id) {
		return NodeRef.of(org, cache, id);
	}

	private NoticeView view(StaffNotice n) {
		int recipients = 0;
		int acknowledged = 0;
		int reminders = 0;
		Map<ConversationId, Map<Participant, Instant>> acks = n.sentAt() == null ? Map.of() : runs.acknowledgements(n.id());
		for (StaffNotices.Recipient r : notices.recipients(n.id())) {
			recipients++;
			reminders += r.reminders();
			if (r.conversationId() != null
					&& acks.getOrDefault(r.conversationId(), Map.of()).containsKey(Participant.staff(r.staffId()))) {
				acknowledged++;
			}
		}
		Summary summary = new Summary(recipients, acknowledged, recipients - acknowledged, reminders, n.nextCheckIn() - 1);
		return new NoticeView(n.id(), n.title(), n.text(), n.audience(), n.requiresAck(), n.remindAfterMinutes(),
				n.maxReminders(), n.checkIn(), n.campaignId(), n.scopeNodeId(), n.status(), n.statusReason(), n.sendAt(),
				n.sentAt(), n.closedAt(), n.closedBy(), n.createdBy(), n.createdAt(), summary);
	}
}
