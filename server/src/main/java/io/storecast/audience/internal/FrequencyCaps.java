package io.storecast.audience.internal;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The shared frequency cap in {@code audience_frequency}: one row per customer with the marketing
 * sends still inside the window and the key of each. A slot is taken by
 * {@code INSERT ... ON CONFLICT DO UPDATE ... WHERE <sends in window> < cap}: PostgreSQL takes the
 * row's lock and re-checks the condition on its latest version, so of two transactions racing for a
 * customer's last slot exactly one gets it, whatever the campaigns, channels or nodes.
 */
@Repository
class FrequencyCaps {

	/** What a take did for a chunk of customers. */
	record Taken(Set<UUID> granted, Set<UUID> alreadyCounted) {
	}

	private final JdbcClient jdbc;

	FrequencyCaps(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	/**
	 * Takes one slot for each customer (sorted, so concurrent takers lock rows in the same order and
	 * never deadlock). A customer already counted for {@code key} in the window takes none and is
	 * reported as such; the others that got nothing are at their cap.
	 */
	Taken take(Collection<UUID> customers, String key, Instant at, int cap, int windowDays) {
		if (customers.isEmpty() || cap <= 0) {
			return new Taken(Set.of(), cap <= 0 ? alreadyCounted(customers, key, at, windowDays) : Set.of());
		}
		String[] ids = customers.stream().sorted().map(UUID::toString).toArray(String[]::new);
		Timestamp since = Timestamp.from(at.minus(java.time.Duration.ofDays(windowDays)));
		// Cheap for the common case: a row with fewer sends than the cap (counting old ones too) can take
		// a slot without looking at the times, and keeps its old sends until it reaches the cap; only a
		// row at the cap is pruned to the window and counted.
		List<UUID> granted = jdbc.sql("""
				INSERT INTO audience_frequency AS f (customer_id, sends, keys)
				SELECT u.id, ARRAY[CAST(? AS timestamptz)], ARRAY[CAST(? AS text)]
				  FROM unnest(CAST(? AS uuid[])) AS u(id) ORDER BY u.id
				ON CONFLICT (customer_id) DO UPDATE
				   SET (sends, keys) = (
				       SELECT CASE WHEN cardinality(f.sends) < ? THEN f.sends
				                   ELSE coalesce((SELECT array_agg(x.s ORDER BY x.s) FROM unnest(f.sends, f.keys) AS x(s, k)
				                                   WHERE x.s > ?), '{}') END || EXCLUDED.sends,
				              CASE WHEN cardinality(f.sends) < ? THEN f.keys
				                   ELSE coalesce((SELECT array_agg(x.k ORDER BY x.s) FROM unnest(f.sends, f.keys) AS x(s, k)
				                                   WHERE x.s > ?), '{}') END || EXCLUDED.keys)
				 WHERE CASE WHEN ? = ANY(f.keys)
				            THEN NOT EXISTS (SELECT 1 FROM unnest(f.sends, f.keys) AS x(s, k) WHERE x.k = ? AND x.s > ?)
				            ELSE TRUE END
				   AND CASE WHEN cardinality(f.sends) < ? THEN TRUE
				            ELSE (SELECT count(*) FROM unnest(f.sends) AS y(s) WHERE y.s > ?) < ? END
				RETURNING f.customer_id""")
			.params(Timestamp.from(at), key, ids, cap, since, cap, since, key, key, since, cap, since, cap)
			.query(UUID.class)
			.list();
		Set<UUID> got = new HashSet<>(granted);
		List<UUID> rest = customers.stream().filter(c -> !got.contains(c)).toList();
		return new Taken(got, alreadyCounted(rest, key, at, windowDays));
	}

	private Set<UUID> alreadyCounted(Collection<UUID> customers, String key, Instant at, int windowDays) {
		if (customers.isEmpty()) {
			return Set.of();
		}
		Timestamp since = Timestamp.from(at.minus(java.time.Duration.ofDays(windowDays)));
		return new HashSet<>(jdbc.sql("""
				SELECT f.customer_id FROM audience_frequency f
				 WHERE f.customer_id = ANY(CAST(? AS uuid[]))
				   AND EXISTS (SELECT 1 FROM unnest(f.sends, f.keys) AS x(s, k) WHERE x.k = ? AND x.s > ?)""")
			.params(Rows.uuids(customers), key, since)
			.query(UUID.class)
			.list());
	}

	/** The recorded sends of each customer (for telling a deferred message whether a slot will be left). */
	Map<UUID, List<Instant>> sends(Collection<UUID> customers) {
		Map<UUID, List<Instant>> out = new HashMap<>();
		if (customers.isEmpty()) {
			return out;
		}
		jdbc.sql("SELECT customer_id, sends FROM audience_frequency WHERE customer_id = ANY(CAST(? AS uuid[]))")
			.param(Rows.uuids(customers))
			.query((rs, n) -> {
				Timestamp[] sends = (Timestamp[]) rs.getArray("sends").getArray();
				out.put(rs.getObject("customer_id", UUID.class),
						new ArrayList<>(Arrays.stream(sends).map(Timestamp::toInstant).toList()));
				return null;
			})
			.list();
		return out;
	}
}
