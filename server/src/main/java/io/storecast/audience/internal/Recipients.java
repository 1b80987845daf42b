package io.storecast.audience.internal;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import io.storecast.audience.Channel;

/** What the contact policy needs to know of a chunk of customers, in one query. */
@Repository
class Recipients {

	/**
	 * One customer's facts for a channel: consent rows (null: none recorded), whether their phone is
	 * suppressed.
	 */
	record Facts(UUID customerId, @Nullable UUID homeStoreId, @Nullable String timeZone, @Nullable String phone,
			@Nullable Boolean marketing, @Nullable Boolean transactional, boolean suppressed) {
	}

	/** A chunk of customers in order, with the facts of those that have a profile (null: not read yet). */
	record Page(java.util.List<UUID> ids, @Nullable Map<UUID, Facts> facts) {
	}

	private static final String FACTS = """
			p.customer_id, p.home_store_id, p.time_zone, p.phone, m.granted AS marketing, t.granted AS transactional,
			(? AND p.phone IS NOT NULL AND EXISTS (SELECT 1 FROM audience_suppressions s
			                                        WHERE s.phone = p.phone AND s.suppressed)) AS suppressed""";

	private final JdbcClient jdbc;

	Recipients(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	/** Facts of the customers that have a profile (the others are unknown). */
	Map<UUID, Facts> facts(Collection<UUID> customers, Channel channel) {
		Map<UUID, Facts> out = new HashMap<>(customers.size() * 2);
		jdbc.sql("SELECT " + FACTS + """

				  FROM unnest(CAST(? AS uuid[])) AS u(id)
				  JOIN audience_profiles p ON p.customer_id = u.id
				  LEFT JOIN audience_consents m ON m.customer_id = u.id AND m.channel = ? AND m.purpose = 'MARKETING'
				  LEFT JOIN audience_consents t ON t.customer_id = u.id AND t.channel = ? AND t.purpose = 'TRANSACTIONAL'""")
			.params(channel == Channel.SMS, Rows.uuids(customers), channel.name(), channel.name())
			.query((rs, n) -> {
				Facts f = map(rs);
				out.put(f.customerId(), f);
				return null;
			})
			.list();
		return out;
	}

	/**
	 * Facts of a chunk of customers given in the database's id order, read as the range from its
	 * first to its last id: one ordered pass over the profiles merged with the consents instead of
	 * three index lookups per customer (8 ms instead of 37 ms for 5,000 customers of a million,
	 * EXPLAIN ANALYZE). Worth it while the chunk is most of its range; null when the range holds more
	 * than {@code limit} profiles, and the caller looks the customers up one by one instead.
	 */
	@Nullable Map<UUID, Facts> factsOfRange(java.util.List<UUID> inIdOrder, Channel channel, int limit) {
		UUID first = inIdOrder.getFirst();
		UUID last = inIdOrder.getLast();
		java.util.Set<UUID> wanted = new java.util.HashSet<>(inIdOrder);
		Map<UUID, Facts> out = new HashMap<>(inIdOrder.size() * 2);
		int[] rows = { 0 };
		jdbc.sql("SELECT " + FACTS + """

				  FROM audience_profiles p
				  LEFT JOIN audience_consents m ON m.customer_id = p.customer_id AND m.channel = ? AND m.purpose = 'MARKETING'
				                               AND m.customer_id BETWEEN ? AND ?
				  LEFT JOIN audience_consents t ON t.customer_id = p.customer_id AND t.channel = ? AND t.purpose = 'TRANSACTIONAL'
				                               AND t.customer_id BETWEEN ? AND ?
				 WHERE p.customer_id BETWEEN ? AND ?
				 ORDER BY p.customer_id LIMIT ?""")
			.params(channel == Channel.SMS, channel.name(), first, last, channel.name(), first, last, first, last, limit + 1)
			.query((rs, n) -> {
				rows[0]++;
				Facts f = map(rs);
				if (wanted.contains(f.customerId())) {
					out.put(f.customerId(), f);
				}
				return null;
			})
			.list();
		return rows[0] > limit ? null : out;
	}

	private static Facts map(java.sql.ResultSet rs) throws java.sql.SQLException {
		UUID id = rs.getObject("customer_id", UUID.class);
		Boolean marketing = rs.getBoolean("marketing");
		marketing = rs.wasNull() ? null : marketing;
		Boolean transactional = rs.getBoolean("transactional");
		transactional = rs.wasNull() ? null : transactional;
		return new Facts(id, Rows.uuid(rs, "home_store_id"), rs.getString("time_zone"), rs.getString("phone"), marketing,
				transactional, rs.getBoolean("suppressed"));
	}
}
