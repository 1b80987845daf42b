package io.storecast.orders.internal;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The event ids of the webhook deliveries processed, in {@code orders_webhook_events}: a replay is a no-op. */
@Repository
class WebhookDeliveries {

	/** A delivery processed before. */
	record Delivery(String eventId, String type, @Nullable String orderExternalId, Instant receivedAt) {
	}

	private final JdbcClient jdbc;

	WebhookDeliveries(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	/**
	 * Claims the event id for the current transaction; false when it was processed before. A
	 * concurrent delivery of the same id waits here until the first one commits or rolls back.
	 */
	boolean claim(String eventId, String type, @Nullable String orderExternalId, Instant now) {
		return jdbc.sql("""
				INSERT INTO orders_webhook_events (event_id, type, order_external_id, received_at) VALUES (?, ?, ?, ?)
				ON CONFLICT (event_id) DO NOTHING""")
			.params(eventId, type, orderExternalId, Timestamp.from(now))
			.update() == 1;
	}

	Optional<Delivery> find(String eventId) {
		return jdbc.sql("SELECT * FROM orders_webhook_events WHERE event_id = ?")
			.param(eventId)
			.query((rs, n) -> new Delivery(rs.getString("event_id"), rs.getString("type"),
					rs.getString("order_external_id"), rs.getTimestamp("received_at").toInstant()))
			.optional();
	}
}
