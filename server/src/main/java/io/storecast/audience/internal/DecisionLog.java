package io.storecast.audience.internal;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import io.storecast.audience.Channel;
import io.storecast.audience.Decision;
import io.storecast.audience.Purpose;
import io.storecast.identity.CustomerId;
import io.storecast.platform.ApiException;

/**
 * Every contact-policy decision, in {@code audience_decisions}: one row per decided chunk, an entry
 * per customer at the same position in each of its arrays (a million decisions are 200 inserts, not a
 * million rows and index entries). Read back by campaign key, in the order decided.
 */
@Repository
class DecisionLog {

	/** A recorded decision; {@code cursor} ({@code <row>:<position>}) pages through a key's decisions. */
	record Entry(Instant decidedAt, Instant at, String campaignKey, CustomerId customerId, Channel channel,
			Purpose purpose, Decision.Outcome outcome, String reason, @Nullable Instant deferUntil, String cursor) {
	}

	private final JdbcClient jdbc;

	DecisionLog(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	void record(List<Decision> decisions, String key, Channel channel, Purpose purpose, Instant at, Instant decidedAt) {
		if (decisions.isEmpty()) {
			return;
		}
		int n = decisions.size();
		String[] customers = new String[n];
		String[] outcomes = new String[n];
		String[] reasons = new String[n];
		String[] defers = new String[n];
		for (int i = 0; i < n; i++) {
			Decision d = decisions.get(i);
			customers[i] = d.customerId().toString();
			outcomes[i] = d.outcome().name();
			reasons[i] = d.reason();
			defers[i] = d.deferUntil() == null ? null : d.deferUntil().toString();
		}
		jdbc.sql("""
				INSERT INTO audience_decisions (decided_at, at, campaign_key, channel, purpose, customers, outcomes, reasons,
				                                defer_until)
				VALUES (?, ?, ?, ?, ?, CAST(? AS uuid[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS timestamptz[]))""")
			.params(Timestamp.from(decidedAt), Timestamp.from(at), key, channel.name(), purpose.name(), customers, outcomes,
					reasons, defers)
			.update();
	}

	/** Decisions for a key (and customer) in the order they were made, after the cursor. */
	List<Entry> list(String key, @Nullable UUID customer, @Nullable String after, int limit) {
		long afterRow = 0;
		long afterPosition = 0;
		if (after != null) {
			String[] parts = after.split(":");
			try {
				afterRow = Long.parseLong(parts[0]);
				afterPosition = Long.parseLong(parts[1]);
			}
			catch (RuntimeException e) {
				throw ApiException.badRequest("invalid-cursor", "after", "not a nextCursor of an earlier page");
			}
		}
		return jdbc.sql("""
				SELECT d.id, d.decided_at, d.at, d.campaign_key, d.channel, d.purpose, u.c, u.o, u.r, u.du, u.n
				  FROM audience_decisions d
				 CROSS JOIN LATERAL unnest(d.customers, d.outcomes, d.reasons, d.defer_until) WITH ORDINALITY AS u(c, o, r, du, n)
				 WHERE d.campaign_key = ? AND d.id >= ? AND (d.id, u.n) > (?, ?)
				   AND (CAST(? AS uuid) IS NULL OR u.c = ?)
				 ORDER BY d.id, u.n LIMIT ?""")
			.params(key, afterRow, afterRow, afterPosition, customer, customer, limit)
			.query((rs, i) -> new Entry(Rows.instant(rs, "decided_at"), Rows.instant(rs, "at"), rs.getString("campaign_key"),
					new CustomerId(rs.getObject("c", UUID.class)), Channel.valueOf(rs.getString("channel")),
					Purpose.valueOf(rs.getString("purpose")), Decision.Outcome.valueOf(rs.getString("o")),
					rs.getString("r"), Rows.instant(rs, "du"), rs.getLong("id") + ":" + rs.getLong("n")))
			.list();
	}
}
