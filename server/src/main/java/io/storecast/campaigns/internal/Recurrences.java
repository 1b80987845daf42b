package io.storecast.campaigns.internal;

import static io.storecast.campaigns.internal.Campaigns.ts;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import io.storecast.campaigns.CampaignId;

/** Recurring campaigns' rules ({@code campaigns_recurrences}) and the runs they started ({@code campaigns_runs}). */
@Repository
class Recurrences {

	/** @param nextRunAt the next run's time; null once none is left */
	record Rule(CampaignId campaignId, String cron, ZoneId zone, @Nullable Instant until, @Nullable Instant nextRunAt) {
	}

	/** @param run 1, 2, … ; {@code childId} the campaign that is this run's send */
	record Run(int run, CampaignId childId, Instant dueAt, Instant startedAt) {
	}

	private final JdbcClient jdbc;

	Recurrences(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	void insert(Rule rule, Instant now) {
		jdbc.sql("""
				INSERT INTO campaigns_recurrences (campaign_id, cron, zone, until, next_run_at, created_at)
				VALUES (?, ?, ?, ?, ?, ?)""")
			.params(rule.campaignId().value(), rule.cron(), rule.zone().getId(), tsOrNull(rule.until()),
					tsOrNull(rule.nextRunAt()), ts(now))
			.update();
	}

	Optional<Rule> find(CampaignId id) {
		return jdbc.sql("SELECT * FROM campaigns_recurrences WHERE campaign_id = ?")
			.param(id.value())
			.query((rs, n) -> new Rule(id, rs.getString("cron"), ZoneId.of(rs.getString("zone")),
					Campaigns.instant(rs, "until"), Campaigns.instant(rs, "next_run_at")))
			.optional();
	}

	void nextRunAt(CampaignId id, @Nullable Instant at) {
		jdbc.sql("UPDATE campaigns_recurrences SET next_run_at = ? WHERE campaign_id = ?")
			.params(tsOrNull(at), id.value())
			.update();
	}

	/** Records a run; false when that run was recorded already (a retried task). */
	boolean insertRun(CampaignId id, Run run) {
		return jdbc.sql("""
				INSERT INTO campaigns_runs (campaign_id, run, child_id, due_at, started_at) VALUES (?, ?, ?, ?, ?)
				ON CONFLICT DO NOTHING""")
			.params(id.value(), run.run(), run.childId().value(), ts(run.dueAt()), ts(run.startedAt()))
			.update() == 1;
	}

	boolean hasRun(CampaignId id, int run) {
		return jdbc.sql("SELECT count(*) FROM campaigns_runs WHERE campaign_id = ? AND run = ?")
			.params(id.value(), run)
			.query(Long.class)
			.single() > 0;
	}

	int runCount(CampaignId id) {
		return jdbc.sql("SELECT count(*) FROM campaigns_runs WHERE campaign_id = ?")
			.param(id.value())
			.query(Integer.class)
			.single();
	}

	/** The newest runs first, at most {@code limit}. */
	List<Run> runs(CampaignId id, int limit) {
		return jdbc.sql("SELECT * FROM campaigns_runs WHERE campaign_id = ? ORDER BY run DESC LIMIT ?")
			.params(id.value(), limit)
			.query((rs, n) -> new Run(rs.getInt("run"), new CampaignId(rs.getObject("child_id", UUID.class)),
					rs.getTimestamp("due_at").toInstant(), rs.getTimestamp("started_at").toInstant()))
			.list();
	}

	private static @Nullable Timestamp tsOrNull(@Nullable Instant at) {
		return at == null ? null : ts(at);
	}
}
