package io.storecast.campaigns.internal;

import static io.storecast.campaigns.internal.Campaigns.ts;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import io.storecast.campaigns.CampaignId;
import io.storecast.identity.OrgNodeId;

/**
 * Automatic forwards in {@code campaigns_auto_forwards}: one per source campaign and store, from the
 * announcement that scheduled it to its outcome. Only a PENDING one is decided, once.
 */
@Repository
class AutoForwards {

	enum Status {
		/** Waiting for its due time. */
		PENDING,
		/** The rule forwarded the campaign ({@code childId}). */
		FORWARDED,
		/** Someone of the store forwarded it by hand first: the rule did nothing. */
		BY_HAND,
		/** The rule was off, removed or not for this purpose by then: nothing was tried. */
		SKIPPED,
		/** The forward was refused ({@code reason}: its problem code). */
		FAILED
	}

	record AutoForward(CampaignId sourceId, OrgNodeId storeId, StaffNoticeId noticeId, Instant dueAt, Status status,
			@Nullable String reason, @Nullable String detail, @Nullable CampaignId childId, Instant createdAt,
			@Nullable Instant decidedAt) {
	}

	private final JdbcClient jdbc;

	AutoForwards(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	/** Records an automatic forward; false when the store's one for this source exists already. */
	boolean insert(AutoForward a) {
		return jdbc.sql("""
				INSERT INTO campaigns_auto_forwards (source_id, store_id, notice_id, due_at, status, reason, detail, created_at,
				       decided_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING""")
			.params(a.sourceId().value(), a.storeId().value(), a.noticeId().value(), ts(a.dueAt()), a.status().name(),
					a.reason(), a.detail(), ts(a.createdAt()), a.decidedAt() == null ? null : ts(a.decidedAt()))
			.update() == 1;
	}

	/** The store's automatic forward of the source, its row locked until the transaction ends. */
	Optional<AutoForward> lock(CampaignId source, OrgNodeId store) {
		return jdbc.sql("SELECT * FROM campaigns_auto_forwards WHERE source_id = ? AND store_id = ? FOR UPDATE")
			.params(source.value(), store.value())
			.query(AutoForwards::map)
			.optional();
	}

	List<AutoForward> bySource(CampaignId source) {
		return jdbc.sql("SELECT * FROM campaigns_auto_forwards WHERE source_id = ?")
			.param(source.value())
			.query(AutoForwards::map)
			.list();
	}

	/** Decides a PENDING automatic forward; false when it was decided already. */
	boolean decide(CampaignId source, OrgNodeId store, Status status, @Nullable String reason, @Nullable String detail,
			@Nullable CampaignId child, Instant now) {
		return jdbc.sql("""
				UPDATE campaigns_auto_forwards SET status = ?, reason = ?, detail = ?, child_id = ?, decided_at = ?
				 WHERE source_id = ? AND store_id = ? AND status = 'PENDING'""")
			.params(status.name(), reason, detail, child == null ? null : child.value(), ts(now), source.value(),
					store.value())
			.update() == 1;
	}

	private static AutoForward map(ResultSet rs, int n) throws SQLException {
		UUID child = rs.getObject("child_id", UUID.class);
		return new AutoForward(new CampaignId(rs.getObject("source_id", UUID.class)),
				new OrgNodeId(rs.getObject("store_id", UUID.class)), new StaffNoticeId(rs.getObject("notice_id", UUID.class)),
				rs.getTimestamp("due_at").toInstant(), Status.valueOf(rs.getString("status")), rs.getString("reason"),
				rs.getString("detail"), child == null ? null : new CampaignId(child), rs.getTimestamp("created_at").toInstant(),
				Campaigns.instant(rs, "decided_at"));
	}
}
