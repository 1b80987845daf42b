package io.storecast.audience.internal;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Topics customers follow, in {@code audience_subscriptions} (topics normalised: {@code store:<id>}). */
@Repository
class Subscriptions {

	/** One followed topic. */
	record Row(UUID customerId, String topic, String source, Instant createdAt) {
	}

	private final JdbcClient jdbc;

	Subscriptions(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	/** True when the customer did not follow the topic before. */
	boolean follow(UUID customer, String topic, String source, Instant at) {
		return jdbc.sql("""
				INSERT INTO audience_subscriptions (customer_id, topic, source, created_at) VALUES (?, ?, ?, ?)
				ON CONFLICT DO NOTHING""")
			.params(customer, topic, source, Timestamp.from(at))
			.update() == 1;
	}

	boolean unfollow(UUID customer, String topic) {
		return jdbc.sql("DELETE FROM audience_subscriptions WHERE customer_id = ? AND topic = ?")
			.params(customer, topic)
			.update() == 1;
	}

	List<Row> of(UUID customer) {
		return jdbc.sql("SELECT * FROM audience_subscriptions WHERE customer_id = ? ORDER BY created_at, topic")
			.param(customer)
			.query((rs, n) -> new Row(rs.getObject("customer_id", UUID.class), rs.getString("topic"), rs.getString("source"),
					Rows.instant(rs, "created_at")))
			.list();
	}

	List<UUID> followers(String topic, @Nullable UUID after, int limit) {
		return jdbc.sql("""
				SELECT customer_id FROM audience_subscriptions
				 WHERE topic = ? AND (CAST(? AS uuid) IS NULL OR customer_id > ?) ORDER BY customer_id LIMIT ?""")
			.params(topic, after, after, limit)
			.query(UUID.class)
			.list();
	}

	/**
	 * The customers following any of the topics or carrying any of the tags (names compared
	 * case-insensitively) whose home store is one of the stores, after {@code after} in id order: one
	 * query, the topics and tags each an index lookup, joined to the profiles for the home store.
	 */
	List<UUID> interested(List<String> topics, List<String> tagNames, List<UUID> stores, @Nullable UUID after, int limit) {
		return jdbc.sql("""
				SELECT m.customer_id
				  FROM (SELECT customer_id FROM audience_subscriptions WHERE topic = ANY(:topics)
				        UNION
				        SELECT ct.customer_id FROM audience_customer_tags ct JOIN audience_tags t ON t.id = ct.tag_id
				         WHERE lower(t.name) = ANY(:tags)) m
				  JOIN audience_profiles p ON p.customer_id = m.customer_id
				 WHERE p.home_store_id = ANY(:stores) AND (CAST(:after AS uuid) IS NULL OR m.customer_id > :after)
				 ORDER BY m.customer_id LIMIT :limit""")
			.param("topics", topics.toArray(String[]::new))
			.param("tags", tagNames.stream().map(t -> t.toLowerCase(java.util.Locale.ROOT)).toArray(String[]::new))
			.param("stores", stores.toArray(UUID[]::new))
			.param("after", after)
			.param("limit", limit)
			.query(UUID.class)
			.list();
	}
}
