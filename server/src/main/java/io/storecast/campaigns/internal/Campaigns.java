package io.storecast.campaigns.internal;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import io.storecast.audience.Purpose;
import io.storecast.audience.SnapshotId;
import io.storecast.campaigns.CampaignId;
import io.storecast.identity.CustomerId;
import io.storecast.identity.OrgNodeId;
import tools.jackson.databind.json.JsonMapper;

/** Campaigns in {@code campaigns_campaigns}. */
@Repository
class Campaigns {

	private final JdbcClient jdbc;
	private final JsonMapper json;

	Campaigns(JdbcClient jdbc, JsonMapper json) {
		this.jdbc = jdbc;
		this.json = json;
	}

	void insert(Campaign c) {
		jdbc.sql("""
				INSERT INTO campaigns_campaigns (id, name, purpose, starts_at, ends_at, definition, scope_node_id, scope_path,
				                                 status, created_by, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, CAST(? AS jsonb), ?, ?, ?, ?, ?, ?)""")
			.params(c.id().value(), c.name(), c.purpose().name(), ts(c.startsAt()), ts(c.endsAt()),
					json.writeValueAsString(c.definition()), c.scopeNodeId().value(), c.scopePath(), c.status().name(),
					c.createdBy(), ts(c.createdAt()), ts(c.updatedAt()))
			.update();
	}

	/** Replaces a draft's definition; false when the campaign is no longer a draft. */
	boolean replaceDraft(Campaign c) {
		return jdbc.sql("""
				UPDATE campaigns_campaigns SET name = ?, purpose = ?, starts_at = ?, ends_at = ?, definition = CAST(? AS jsonb),
				       scope_node_id = ?, scope_path = ?, updated_at = ?
				 WHERE id = ? AND status = 'DRAFT'""")
			.params(c.name(), c.purpose().name(), ts(c.startsAt()), ts(c.endsAt()), json.writeValueAsString(c.definition()),
					c.scopeNodeId().value(), c.scopePath(), ts(c.updatedAt()), c.id().value())
			.update() == 1;
	}

	Optional<Campaign> find(CampaignId id) {
		return jdbc.sql("SELECT * FROM campaigns_campaigns WHERE id = ?").param(id.value()).query(this::map).optional();
	}

	/** The campaign, its row locked until the transaction ends (one sender per campaign at a time). */
	Optional<Campaign> lock(CampaignId id) {
		return jdbc.sql("SELECT * FROM campaigns_campaigns WHERE id = ? FOR UPDATE").param(id.value()).query(this::map)
			.optional();
	}

	/**
	 * The campaign, its row share-locked until the transaction ends: the chunks of one run, handed off
	 * side by side, each hold it, and whatever changes the campaign (a cancel, the end of the send)
	 * waits for them.
	 */
	Optional<Campaign> lockShared(CampaignId id) {
		return jdbc.sql("SELECT * FROM campaigns_campaigns WHERE id = ? FOR SHARE").param(id.value()).query(this::map)
			.optional();
	}

	/** Campaigns whose scope lies at or below the path, newest first, after the cursor ({@code <createdAt>_<id>}). */
	List<Campaign> list(String scopePrefix, Campaign.@Nullable Status status, @Nullable Instant afterCreated,
			@Nullable UUID afterId, int limit) {
		return jdbc.sql("""
				SELECT * FROM campaigns_campaigns
				 WHERE scope_path LIKE :prefix AND (CAST(:status AS text) IS NULL OR status = :status)
				   AND (CAST(:afterCreated AS timestamptz) IS NULL OR (created_at, id) < (:afterCreated, :afterId))
				 ORDER BY created_at DESC, id DESC LIMIT :limit""")
			.param("prefix", likePrefix(scopePrefix))
			.param("status", status == null ? null : status.name())
			.param("afterCreated", afterCreated == null ? null : ts(afterCreated))
			.param("afterId", afterId)
			.param("limit", limit)
			.query(this::map)
			.list();
	}

	/** Campaigns a stopped node left sending. */
	List<CampaignId> sending() {
		return jdbc.sql("SELECT id FROM campaigns_campaigns WHERE status = 'SENDING'")
			.query((rs, n) -> new CampaignId(rs.getObject(1, UUID.class)))
			.list();
	}

	/** Moves the campaign to {@code to} if it is in one of {@code from}; false when it was not. */
	boolean transition(CampaignId id, List<Campaign.Status> from, Campaign.Status to, @Nullable String reason,
			Instant now) {
		String set = switch (to) {
			case SCHEDULED, PENDING_APPROVAL, RECURRING, DRAFT -> "";
			case SENDING -> ", started_at = coalesce(started_at, :now)";
			case SENT, CANCELLED, FAILED -> ", finished_at = :now";
		};
		return jdbc.sql("UPDATE campaigns_campaigns SET status = :to, status_reason = :reason, updated_at = :now" + set
				+ " WHERE id = :id AND status = ANY(CAST(:from AS text[]))")
			.param("to", to.name())
			.param("reason", reason)
			.param("now", ts(now))
			.param("id", id.value())
			.param("from", from.stream().map(Enum::name).toArray(String[]::new))
			.update() == 1;
	}

	void scheduleAt(CampaignId id, Instant at, Instant now) {
		jdbc.sql("UPDATE campaigns_campaigns SET send_at = ?, updated_at = ? WHERE id = ?")
			.params(ts(at), ts(now), id.value())
			.update();
	}

	/**
	 * Planning is done: every recipient is listed, or ({@code walking}) the chunks walk the snapshot
	 * and list each recipient as they decide it ({@link RecipientWalks}).
	 */
	void planned(CampaignId id, @Nullable UUID snapshot, boolean walking, Instant now) {
		jdbc.sql("UPDATE campaigns_campaigns SET planned_at = ?, snapshot_id = ?, walking = ?, updated_at = ? WHERE id = ?")
			.params(ts(now), snapshot, walking, ts(now), id.value())
			.update();
	}

	/** Where a campaign's walk of its snapshot stands, while it walks: after the last customer of its last whole round. */
	record Walk(SnapshotId snapshot, @Nullable CustomerId after) {
	}

	/** The campaign's walk, if it walks its snapshot and has not reached the end. */
	Optional<Walk> walk(CampaignId id) {
		return jdbc.sql("SELECT snapshot_id, walk_after FROM campaigns_campaigns WHERE id = ? AND walking")
			.param(id.value())
			.query((rs, n) -> {
				UUID after = rs.getObject("walk_after", UUID.class);
				return new Walk(new SnapshotId(rs.getObject("snapshot_id", UUID.class)), after == null ? null : new CustomerId(after));
			})
			.optional();
	}

	/** Commits a walk's position: every customer up to {@code after} is listed. */
	void walkedTo(CampaignId id, CustomerId after) {
		jdbc.sql("UPDATE campaigns_campaigns SET walk_after = ? WHERE id = ? AND walking")
			.params(after.value(), id.value())
			.update();
	}

	/** The walk is over (every member listed); false when it already was. */
	boolean walked(CampaignId id) {
		return jdbc.sql("UPDATE campaigns_campaigns SET walking = false WHERE id = ? AND walking").param(id.value()).update() == 1;
	}

	private Campaign map(ResultSet rs, int n) throws SQLException {
		UUID scope = rs.getObject("scope_node_id", UUID.class);
		String reason = rs.getString("status_reason");
		return new Campaign(new CampaignId(rs.getObject("id", UUID.class)), rs.getString("name"),
				Purpose.valueOf(rs.getString("purpose")), rs.getTimestamp("starts_at").toInstant(), rs.getTimestamp("ends_at").toInstant(),
				json.readValue(rs.getString("definition"), Campaign.Definition.class), new OrgNodeId(scope),
				rs.getString("scope_path"), Campaign.Status.valueOf(rs.getString("status")), reason,
				instant(rs, "send_at"), instant(rs, "planned_at"), rs.getObject("snapshot_id", UUID.class),
				instant(rs, "started_at"), instant(rs, "finished_at"), rs.getString("created_by"),
				rs.getTimestamp("created_at").toInstant(), rs.getTimestamp("updated_at").toInstant());
	}

	static Timestamp ts(Instant at) {
		return Timestamp.from(at);
	}

	static @Nullable Instant instant(ResultSet rs, String column) throws SQLException {
		Timestamp t = rs.getTimestamp(column);
		return t == null ? null : t.toInstant();
	}

	static String likePrefix(String path) {
		return path.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
	}
}
