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
}
