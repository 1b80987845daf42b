package io.storecast.audience.internal;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.jspecify.annotations.Nullable;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.support.TransactionTemplate;

import io.storecast.audience.PhoneSuppressed;
import io.storecast.audience.Suppressions;
import io.storecast.platform.PhoneNumbers;

/**
 * Suppressed phone numbers in {@code audience_suppressions}: counted failures, suppressed after
 * {@code storecast.audience.suppress-after-failures}, or suppressed and released by hand.
 */
@Repository
class SuppressionList implements Suppressions {

	/** A number's row. */
	record Row(String phone, int failures, @Nullable String lastReason, boolean suppressed, @Nullable Instant suppressedAt,
			@Nullable String suppressedBy, @Nullable String note, Instant updatedAt) {
	}

	private final JdbcClient jdbc;
	private final AudienceSettings settings;
	private final ApplicationEventPublisher events;
	private final TransactionTemplate tx;
	private final Clock clock;

	SuppressionList(JdbcClient jdbc, AudienceSettings settings, ApplicationEventPublisher events, TransactionTemplate tx,
			Clock clock) {
		this.jdbc = jdbc;
		this.settings = settings;
		this.events = events;
		this.tx = tx;
		this.clock = clock;
	}

	@Override
	public boolean recordFailure(String phone, String reason, Instant at) {
		String number = PhoneNumbers.normalize(phone, "phone");
		Boolean now = tx.execute(s -> {
			// one statement: concurrent failures of the same number each count, and only one suppresses it
			int threshold = settings.suppressAfterFailures();
			Boolean suppressedHere = jdbc.sql("""
					INSERT INTO audience_suppressions AS s (phone, failures, last_reason, suppressed, suppressed_at,
					                                        suppressed_by, updated_at)
					VALUES (?, 1, ?, 1 >= ?, CASE WHEN 1 >= ? THEN CAST(? AS timestamptz) END,
					        CASE WHEN 1 >= ? THEN 'system' END, ?)
					ON CONFLICT (phone) DO UPDATE
					   SET failures = s.failures + 1, last_reason = EXCLUDED.last_reason, updated_at = EXCLUDED.updated_at,
					       suppressed = s.suppressed OR s.failures + 1 >= ?,
					       suppressed_at = CASE WHEN s.suppressed THEN s.suppressed_at
					                            WHEN s.failures + 1 >= ? THEN EXCLUDED.updated_at END,
					       suppressed_by = CASE WHEN s.suppressed THEN s.suppressed_by
					                            WHEN s.failures + 1 >= ? THEN 'system' END
					RETURNING suppressed AND suppressed_by = 'system' AND failures = ?""")
				.params(number, reason, threshold, threshold, Timestamp.from(at), threshold, Timestamp.from(at), threshold,
						threshold, threshold, threshold)
				.query(Boolean.class)
				.single();
			if (Boolean.TRUE.equals(suppressedHere)) {
				events.publishEvent(new PhoneSuppressed(number, reason, "system", at));
			}
			return suppressedHere;
		});
		return Boolean.TRUE.equals(now);
	}

	@Override
	public void recordSuccess(String phone) {
		jdbc.sql("UPDATE audience_suppressions SET failures = 0, updated_at = ? WHERE phone = ? AND failures > 0")
			.params(Timestamp.from(clock.instant()), PhoneNumbers.normalize(phone, "phone"))
			.update();
	}

	@Override
	public java.util.Set<String> suppressedAmong(java.util.Collection<String> phones) {
		if (phones.isEmpty()) {
			return java.util.Set.of();
		}
		return new java.util.HashSet<>(jdbc.sql("SELECT phone FROM audience_suppressions WHERE phone = ANY (?) AND suppressed")
			.param(phones.stream().distinct().toArray(String[]::new))
			.query(String.class)
			.list());
	}

	@Override
	public void recordSuccesses(java.util.Collection<String> phones) {
		if (phones.isEmpty()) {
			return;
		}
		jdbc.sql("UPDATE audience_suppressions SET failures = 0, updated_at = ? WHERE phone = ANY (?) AND failures > 0")
			.params(Timestamp.from(clock.instant()), phones.stream().distinct().toArray(String[]::new))
			.update();
	}

	@Override
	public boolean isSuppressed(String phone) {
		return jdbc.sql("SELECT EXISTS (SELECT 1 FROM audience_suppressions WHERE phone = ? AND suppressed)")
			.param(PhoneNumbers.normalize(phone, "phone"))
			.query(Boolean.class)
			.single();
	}

	/** Suppresses by hand; true when it was not suppressed before. */
	boolean suppress(String phone, String reason, String by, @Nullable String note, Instant at) {
		return !jdbc.sql("""
				INSERT INTO audience_suppressions AS s (phone, failures, last_reason, suppressed, suppressed_at, suppressed_by,
				                                        note, updated_at)
				VALUES (?, 0, ?, TRUE, ?, ?, ?, ?)
				ON CONFLICT (phone) DO UPDATE
				   SET suppressed = TRUE, suppressed_at = EXCLUDED.suppressed_at, suppressed_by = EXCLUDED.suppressed_by,
				       last_reason = EXCLUDED.last_reason, note = EXCLUDED.note, updated_at = EXCLUDED.updated_at
				 WHERE NOT s.suppressed
				RETURNING phone""")
			.params(phone, reason, Timestamp.from(at), by, note, Timestamp.from(at))
			.query(String.class)
			.list()
			.isEmpty();
	}

	/** Releases a number (its failures start again); true when it was suppressed. */
	boolean release(String phone, Instant at) {
		return jdbc.sql("""
				UPDATE audience_suppressions SET suppressed = FALSE, failures = 0, suppressed_at = NULL, suppressed_by = NULL,
				       updated_at = ? WHERE phone = ? AND suppressed""")
			.params(Timestamp.from(at), phone)
			.update() == 1;
	}

	Optional<Row> find(String phone) {
		return jdbc.sql("SELECT * FROM audience_suppressions WHERE phone = ?").param(phone).query((rs, n) -> map(rs)).optional();
	}

	List<Row> suppressed(@Nullable String after, int limit) {
		return jdbc.sql("""
				SELECT * FROM audience_suppressions WHERE suppressed AND (CAST(? AS text) IS NULL OR phone > ?)
				 ORDER BY phone LIMIT ?""")
			.params(after, after, limit)
			.query((rs, n) -> map(rs))
			.list();
	}

	private static Row map(java.sql.ResultSet rs) throws java.sql.SQLException {
		return new Row(rs.getString("phone"), rs.getInt("failures"), rs.getString("last_reason"), rs.getBoolean("suppressed"),
				Rows.instant(rs, "suppressed_at"), rs.getString("suppressed_by"), rs.getString("note"),
				Rows.instant(rs, "updated_at"));
	}
}
