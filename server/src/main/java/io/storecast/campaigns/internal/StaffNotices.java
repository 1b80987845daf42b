package io.storecast.campaigns.internal;

import static io.storecast.campaigns.internal.Campaigns.instant;
import static io.storecast.campaigns.internal.Campaigns.likePrefix;
import static io.storecast.campaigns.internal.Campaigns.ts;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import io.storecast.campaigns.CampaignId;
import io.storecast.identity.OrgNodeId;
import io.storecast.identity.Role;
import io.storecast.identity.StaffId;
import io.storecast.messaging.ConversationId;
import tools.jackson.databind.json.JsonMapper;

/**
 * Staff notices in {@code campaigns_staff_notices}, their recipients, the messages they posted,
 * their check-in rounds and the answers.
 */
@Repository
class StaffNotices {

	/** A recipient as planned when the notice was created, and how far they have been reminded. */
	record Recipient(StaffId staffId, String displayName, Role role, OrgNodeId orgNodeId, OrgNodeId roomNodeId,
			@Nullable ConversationId conversationId, int reminders, @Nullable Instant lastRemindedAt) {
	}

	enum PostKind {
		NOTICE, REMINDER, CHECK_IN
	}

	/** A message a notice posted; {@code round} is the reminder's or check-in's number, 0 for the notice. */
	record Post(ConversationId conversationId, long seq, StaffNoticeId noticeId, PostKind kind, int round) {
	}

	record Round(int round, Instant dueAt, Instant postedAt) {
	}

	record CheckInAnswer(int round, OrgNodeId orgNodeId, StaffId staffId, String status, @Nullable String text,
			Instant answeredAt) {
	}

	private final JdbcClient jdbc;
	private final JsonMapper json;

	StaffNotices(JdbcClient jdbc, JsonMapper json) {
		this.jdbc = jdbc;
		this.json = json;
	}

	void insert(StaffNotice n, List<Recipient> recipients) {
		jdbc.sql("""
				INSERT INTO campaigns_staff_notices (id, title, text, audience, requires_ack, remind_after_minutes, max_reminders,
				       check_in_minutes, check_in_prompt, campaign_id, scope_node_id, scope_path, status, send_at, created_by,
				       created_at)
				VALUES (?, ?, ?, CAST(? AS jsonb), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")
			.params(n.id().value(), n.title(), n.text(), json.writeValueAsString(n.audience()), n.requiresAck(),
					n.remindAfterMinutes(), n.maxReminders(), n.checkIn() == null ? null : n.checkIn().everyMinutes(),
					n.checkIn() == null ? null : n.checkIn().prompt(), n.campaignId() == null ? null : n.campaignId().value(),
					n.scopeNodeId().value(), n.scopePath(), n.status().name(), ts(n.sendAt()), n.createdBy(),
					ts(n.createdAt()))
			.update();
		insertRecipients(n.id(), recipients);
	}

	/** Replaces a notice's recipients (before it is posted: nothing refers to them yet). */
	void replaceRecipients(StaffNoticeId id, List<Recipient> recipients) {
		jdbc.sql("DELETE FROM campaigns_staff_notice_recipients WHERE notice_id = ?").param(id.value()).update();
		insertRecipients(id, recipients);
	}

	private void insertRecipients(StaffNoticeId id, List<Recipient> recipients) {
		jdbc.sql("""
				INSERT INTO campaigns_staff_notice_recipients (notice_id, staff_id, display_name, role, org_node_id, room_node_id)
				SELECT ?, * FROM unnest(CAST(? AS uuid[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS uuid[]),
				                        CAST(? AS uuid[]))""")
			.params(id.value(), recipients.stream().map(r -> r.staffId().value()).toArray(UUID[]::new),
					recipients.stream().map(Recipient::displayName).toArray(String[]::new),
					recipients.stream().map(r -> r.role().name()).toArray(String[]::new),
					recipients.stream().map(r -> r.orgNodeId().value()).toArray(UUID[]::new),
					recipients.stream().map(r -> r.roomNodeId().value()).toArray(UUID[]::new))
			.update();
	}

	Optional<StaffNotice> find(StaffNoticeId id) {
		return jdbc.sql("SELECT * FROM campaigns_staff_notices WHERE id = ?").param(id.value()).query(this::map).optional();
	}

	/** The notice, its row locked until the transaction ends (one run of its rounds at a time). */
	Optional<StaffNotice> lock(StaffNoticeId id) {
		return jdbc.sql("SELECT * FROM campaigns_staff_notices WHERE id = ? FOR UPDATE")
			.param(id.value())
			.query(this::map)
			.optional();
	}

	/**
	 * Notices whose scope lies at or below the path, or that {@code recipient} receives, newest first,
	 * after the cursor.
	 */
	List<StaffNotice> list(String scopePrefix, @Nullable StaffId recipient, StaffNotice.@Nullable Status status,
			@Nullable Instant afterCreated, @Nullable UUID afterId, int limit) {
		return jdbc.sql("""
				SELECT * FROM campaigns_staff_notices n
				 WHERE (n.scope_path LIKE :prefix OR EXISTS (SELECT 1 FROM campaigns_staff_notice_recipients r
				                                              WHERE r.notice_id = n.id AND r.staff_id = :recipient))
				   AND (CAST(:status AS text) IS NULL OR n.status = :status)
				   AND (CAST(:afterCreated AS timestamptz) IS NULL OR (n.created_at, n.id) < (:afterCreated, :afterId))
				 ORDER BY n.created_at DESC, n.id DESC LIMIT :limit""")
			.param("prefix", likePrefix(scopePrefix))
			.param("recipient", recipient == null ? null : recipient.value())
			.param("status", status == null ? null : status.name())
			.param("afterCreated", afterCreated == null ? null : ts(afterCreated))
			.param("afterId", afterId)
			.param("limit", limit)
			.query(this::map)
			.list();
	}

	/** The notices announcing a campaign (a cascade), oldest first. */
	List<StaffNotice> announcing(CampaignId campaign) {
		return jdbc.sql("SELECT * FROM campaigns_staff_notices WHERE campaign_id = ? ORDER BY created_at, id")
			.param(campaign.value())
			.query(this::map)
			.list();
	}

	void opened(StaffNoticeId id, Instant now) {
		jdbc.sql("UPDATE campaigns_staff_notices SET status = 'OPEN', sent_at = ? WHERE id = ? AND status = 'SCHEDULED'")
			.params(ts(now), id.value())
			.update();
	}

	/** Closes an open or scheduled notice; false when it was neither. */
	boolean close(StaffNoticeId id, String by, Instant now) {
		return jdbc.sql("""
				UPDATE campaigns_staff_notices SET status = 'CLOSED', closed_at = ?, closed_by = ?
				 WHERE id = ? AND status IN ('SCHEDULED', 'OPEN')""")
			.params(ts(now), by, id.value())
			.update() == 1;
	}

	void fail(StaffNoticeId id, String reason) {
		jdbc.sql("UPDATE campaigns_staff_notices SET status = 'FAILED', status_reason = ? WHERE id = ? AND status = 'SCHEDULED'")
			.params(reason, id.value())
			.update();
	}

	void reminderDone(StaffNoticeId id, int k) {
		jdbc.sql("UPDATE campaigns_staff_notices SET next_reminder = ? WHERE id = ? AND next_reminder = ?")
			.params(k + 1, id.value(), k)
			.update();
	}

	void checkInDone(StaffNoticeId id, int k) {
		jdbc.sql("UPDATE campaigns_staff_notices SET next_check_in = ? WHERE id = ? AND next_check_in = ?")
			.params(k + 1, id.value(), k)
			.update();
	}

	// ---- recipients

	List<Recipient> recipients(StaffNoticeId id) {
		return jdbc.sql("SELECT * FROM campaigns_staff_notice_recipients WHERE notice_id = ? ORDER BY display_name, staff_id")
			.param(id.value())
			.query(StaffNotices::recipient)
			.list();
	}

	Optional<Recipient> recipient(StaffNoticeId id, StaffId staff) {
		return jdbc.sql("SELECT * FROM campaigns_staff_notice_recipients WHERE notice_id = ? AND staff_id = ?")
			.params(id.value(), staff.value())
			.query(StaffNotices::recipient)
			.optional();
	}

	void roomPosted(StaffNoticeId id, OrgNodeId roomNode, ConversationId room) {
		jdbc.sql("UPDATE campaigns_staff_notice_recipients SET conversation_id = ? WHERE notice_id = ? AND room_node_id = ?")
			.params(room.value(), id.value(), roomNode.value())
			.update();
	}

	void reminded(StaffNoticeId id, Collection<StaffId> staff, Instant now) {
		jdbc.sql("""
				UPDATE campaigns_staff_notice_recipients SET reminders = reminders + 1, last_reminded_at = ?
				 WHERE notice_id = ? AND staff_id = ANY(CAST(? AS uuid[]))""")
			.params(ts(now), id.value(), staff.stream().map(StaffId::value).toArray(UUID[]::new))
			.update();
	}

	// ---- posts, rounds and answers

	void posted(Post post, Instant now) {
		jdbc.sql("""
				INSERT INTO campaigns_staff_notice_posts (conversation_id, seq, notice_id, kind, round, posted_at)
				VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING""")
			.params(post.conversationId().value(), post.seq(), post.noticeId().value(), post.kind().name(), post.round(),
					ts(now))
			.update();
	}

	Optional<Post> post(ConversationId conversation, long seq) {
		return jdbc.sql("SELECT * FROM campaigns_staff_notice_posts WHERE conversation_id = ? AND seq = ?")
			.params(conversation.value(), seq)
			.query(StaffNotices::post)
			.optional();
	}

	/** The notice's posts of a kind and round (one per room). */
	List<Post> posts(StaffNoticeId id, PostKind kind, int round) {
		return jdbc.sql("SELECT * FROM campaigns_staff_notice_posts WHERE notice_id = ? AND kind = ? AND round = ?")
			.params(id.value(), kind.name(), round)
			.query(StaffNotices::post)
			.list();
	}

	void roundAsked(StaffNoticeId id, int round, Instant dueAt, Instant now) {
		jdbc.sql("""
				INSERT INTO campaigns_staff_notice_rounds (notice_id, round, due_at, posted_at) VALUES (?, ?, ?, ?)
				ON CONFLICT DO NOTHING""")
			.params(id.value(), round, ts(dueAt), ts(now))
			.update();
	}

	List<Round> rounds(StaffNoticeId id) {
		return jdbc.sql("SELECT * FROM campaigns_staff_notice_rounds WHERE notice_id = ? ORDER BY round")
			.param(id.value())
			.query((rs, n) -> new Round(rs.getInt("round"), rs.getTimestamp("due_at").toInstant(),
					rs.getTimestamp("posted_at").toInstant()))
			.list();
	}

	/** Records a node's answer to a round; false when the node had already answered it. */
	boolean answer(StaffNoticeId id, CheckInAnswer a) {
		return jdbc.sql("""
				INSERT INTO campaigns_staff_notice_check_ins (notice_id, round, org_node_id, staff_id, status, text, answered_at)
				VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING""")
			.params(id.value(), a.round(), a.orgNodeId().value(), a.staffId().value(), a.status(), a.text(),
					ts(a.answeredAt()))
			.update() == 1;
	}

	List<CheckInAnswer> answers(StaffNoticeId id) {
		return jdbc.sql("SELECT * FROM campaigns_staff_notice_check_ins WHERE notice_id = ? ORDER BY round, org_node_id")
			.param(id.value())
			.query((rs, n) -> new CheckInAnswer(rs.getInt("round"), new OrgNodeId(rs.getObject("org_node_id", UUID.class)),
					new StaffId(rs.getObject("staff_id", UUID.class)), rs.getString("status"), rs.getString("text"),
					rs.getTimestamp("answered_at").toInstant()))
			.list();
	}

	// ---- mapping

	private static Recipient recipient(ResultSet rs, int n) throws SQLException {
		UUID room = rs.getObject("conversation_id", UUID.class);
		return new Recipient(new StaffId(rs.getObject("staff_id", UUID.class)), rs.getString("display_name"),
				Role.valueOf(rs.getString("role")), new OrgNodeId(rs.getObject("org_node_id", UUID.class)),
				new OrgNodeId(rs.getObject("room_node_id", UUID.class)), room == null ? null : new ConversationId(room),
				rs.getInt("reminders"), instant(rs, "last_reminded_at"));
	}

	private static Post post(ResultSet rs, int n) throws SQLException {
		return new Post(new ConversationId(rs.getObject("conversation_id", UUID.class)), rs.getLong("seq"),
				new StaffNoticeId(rs.getObject("notice_id", UUID.class)), PostKind.valueOf(rs.getString("kind")),
				rs.getInt("round"));
	}

	private StaffNotice map(ResultSet rs, int n) throws SQLException {
		Integer remind = rs.getObject("remind_after_minutes", Integer.class);
		Integer every = rs.getObject("check_in_minutes", Integer.class);
		UUID campaign = rs.getObject("campaign_id", UUID.class);
		return new StaffNotice(new StaffNoticeId(rs.getObject("id", UUID.class)), rs.getString("title"),
				rs.getString("text"), json.readValue(rs.getString("audience"), StaffNotice.Audience.class),
				rs.getBoolean("requires_ack"), remind, rs.getInt("max_reminders"),
				every == null ? null : new StaffNotice.CheckIn(every, rs.getString("check_in_prompt")),
				campaign == null ? null : new CampaignId(campaign), new OrgNodeId(rs.getObject("scope_node_id", UUID.class)),
				rs.getString("scope_path"), StaffNotice.Status.valueOf(rs.getString("status")),
				rs.getString("status_reason"), rs.getTimestamp("send_at").toInstant(), instant(rs, "sent_at"),
				instant(rs, "closed_at"), rs.getString("closed_by"), rs.getInt("next_reminder"), rs.getInt("next_check_in"),
				rs.getString("created_by"), rs.getTimestamp("created_at").toInstant());
	}
}
