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

/** Every contact-policy decision, in {@code audience_decisions}; a chunk is one multi-row statement. */
@Repository
class DecisionLog {

	/** A recorded decision. */
	record Entry(Instant decidedAt, Instant at, String campaignKey, CustomerId customerId, Channel channel,
			Purpose purpose, Decision.Outcome outcome, String reason, @Nullable Instant deferUntil) {
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
				INSERT INTO audience_decisions (decided_at, at, campaign_key, customer_id, channel, purpose, outcome, reason,
				                                defer_until)
				SELECT ?, ?, ?, u.c, ?, ?, u.o, u.r, u.d
				  FROM unnest(CAST(? AS uuid[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS timestamptz[])) AS u(c, o, r, d)""")
			.params(Timestamp.from(decidedAt), Timestamp.from(at), key, channel.name(), purpose.name(), customers, outcomes,
					reasons, defers)
			.update();
	}

	/** Decisions for a key (and customer), in customer order after {@code after}. */
	List<Entry> list(String key, @Nullable UUID customer, @Nullable UUID after, int limit) {
		return jdbc.sql("""
				SELECT * FROM audience_decisions
				 WHERE campaign_key = ? AND (CAST(? AS uuid) IS NULL OR customer_id = ?)
				   AND (CAST(? AS uuid) IS NULL OR customer_id > ?)
				 ORDER BY customer_id, decided_at LIMIT ?""")
			.params(key, customer, customer, after, after, limit)
			.query((rs, i) -> new Entry(Rows.instant(rs, "decided_at"), Rows.instant(rs, "at"), rs.getString("campaign_key"),
					new CustomerId(rs.getObject("customer_id", UUID.class)), Channel.valueOf(rs.getString("channel")),
					Purpose.valueOf(rs.getString("purpose")), Decision.Outcome.valueOf(rs.getString("outcome")),
					rs.getString("reason"), Rows.instant(rs, "defer_until")))
			.list();
	}
}
