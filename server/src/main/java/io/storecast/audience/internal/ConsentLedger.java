package io.storecast.audience.internal;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import io.storecast.audience.Channel;
import io.storecast.audience.Consents.ConsentRecord;
import io.storecast.audience.Purpose;
import io.storecast.identity.CustomerId;

/**
 * Consent: the current state in {@code audience_consents}, each change appended to
 * {@code audience_consent_history} (which refuses updates and deletes by trigger).
 */
@Repository
class ConsentLedger {

	/** The current explicit state of one channel and purpose. */
	record Current(Channel channel, Purpose purpose, boolean granted, String source, Instant changedAt) {
	}

	private final JdbcClient jdbc;

	ConsentLedger(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	Optional<Current> current(UUID customer, Channel channel, Purpose purpose) {
		return jdbc.sql("SELECT * FROM audience_consents WHERE customer_id = ? AND channel = ? AND purpose = ?")
			.params(customer, channel.name(), purpose.name())
			.query((rs, n) -> new Current(channel, purpose, rs.getBoolean("granted"), rs.getString("source"),
					Rows.instant(rs, "changed_at")))
			.optional();
	}

	/** The recorded consents of the customers on one channel, indexed by purpose ordinal. */
	java.util.Map<UUID, Current[]> currentOf(List<UUID> customers, Channel channel) {
		java.util.Map<UUID, Current[]> out = new java.util.HashMap<>();
		if (customers.isEmpty()) {
			return out;
		}
		jdbc.sql("SELECT * FROM audience_consents WHERE customer_id = ANY (?) AND channel = ?")
			.params(customers.toArray(UUID[]::new), channel.name())
			.query((rs, n) -> {
				Purpose purpose = Purpose.valueOf(rs.getString("purpose"));
				out.computeIfAbsent(rs.getObject("customer_id", UUID.class), k -> new Current[Purpose.values().length])
					[purpose.ordinal()] = new Current(channel, purpose, rs.getBoolean("granted"), rs.getString("source"),
							Rows.instant(rs, "changed_at"));
				return null;
			})
			.list();
		return out;
	}

	List<Current> all(UUID customer) {
		return jdbc.sql("SELECT * FROM audience_consents WHERE customer_id = ? ORDER BY channel, purpose")
			.param(customer)
			.query((rs, n) -> new Current(Channel.valueOf(rs.getString("channel")), Purpose.valueOf(rs.getString("purpose")),
					rs.getBoolean("granted"), rs.getString("source"), Rows.instant(rs, "changed_at")))
			.list();
	}

	/**
	 * Sets the state; when it changes (atomically: of two concurrent withdrawals only one changes
	 * anything), appends the history entry and returns its id.
	 */
	OptionalLong change(UUID customer, Channel channel, Purpose purpose, boolean granted, String source, String actor,
			@Nullable String evidence, Instant at) {
		boolean changed = !jdbc.sql("""
				INSERT INTO audience_consents (customer_id, channel, purpose, granted, source, changed_at)
				VALUES (?, ?, ?, ?, ?, ?)
				ON CONFLICT (customer_id, channel, purpose) DO UPDATE
				   SET granted = EXCLUDED.granted, source = EXCLUDED.source, changed_at = EXCLUDED.changed_at
				 WHERE audience_consents.granted <> EXCLUDED.granted
				RETURNING customer_id""")
			.params(customer, channel.name(), purpose.name(), granted, source, Timestamp.from(at))
			.query(UUID.class)
			.list()
			.isEmpty();
		if (!changed) {
			return OptionalLong.empty();
		}
		return OptionalLong.of(jdbc.sql("""
				INSERT INTO audience_consent_history (customer_id, channel, purpose, granted, source, actor, evidence, at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id""")
			.params(customer, channel.name(), purpose.name(), granted, source, actor, evidence, Timestamp.from(at))
			.query(Long.class)
			.single());
	}

	List<ConsentRecord> history(UUID customer) {
		return jdbc.sql("SELECT * FROM audience_consent_history WHERE customer_id = ? ORDER BY id")
			.param(customer)
			.query((rs, n) -> new ConsentRecord(rs.getLong("id"), new CustomerId(rs.getObject("customer_id", UUID.class)),
					Channel.valueOf(rs.getString("channel")), Purpose.valueOf(rs.getString("purpose")),
					rs.getBoolean("granted"), rs.getString("source"), rs.getString("actor"), rs.getString("evidence"),
					Rows.instant(rs, "at")))
			.list();
	}
}
