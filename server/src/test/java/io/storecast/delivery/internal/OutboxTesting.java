package io.storecast.delivery.internal;

import org.springframework.jdbc.core.simple.JdbcClient;

/** What delivery's integration tests share. */
final class OutboxTesting {

	private OutboxTesting() {
	}

	/** Deletes a test's deliveries (of its own source) with their attempts and batches, so other tests' leases do not meet them. */
	static void forget(JdbcClient jdbc, String source) {
		jdbc.sql("DELETE FROM delivery_attempts WHERE delivery_id IN (SELECT id FROM delivery_messages WHERE source = ?)")
			.param(source)
			.update();
		jdbc.sql("DELETE FROM delivery_messages WHERE source = ?").param(source).update();
		jdbc.sql("DELETE FROM delivery_batches WHERE source = ?").param(source).update();
	}
}
