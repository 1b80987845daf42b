package io.storecast.delivery.internal;

import java.security.SecureRandom;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The merchant's webhook endpoint (one per server) and its signing secret. */
@Repository
class WebhookEndpoints {

	private static final SecureRandom RANDOM = new SecureRandom();

	record Endpoint(String url, String secret, int timeoutMillis, Instant updatedAt) {
	}

	private final JdbcClient jdbc;
	private record Cached(Optional<Endpoint> endpoint, long loadedAt) {
	}

	/** Another node may change the endpoint: what this one read is used for at most 10 s. */
	private static final long FRESH_NANOS = 10_000_000_000L;

	private volatile @org.jspecify.annotations.Nullable Cached cached;

	WebhookEndpoints(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	Optional<Endpoint> current() {
		Cached c = cached;
		if (c == null || System.nanoTime() - c.loadedAt() > FRESH_NANOS) {
			Optional<Endpoint> e = jdbc.sql("SELECT url, secret, timeout_millis, updated_at FROM delivery_webhook_endpoint WHERE id = 1")
				.query((rs, n) -> new Endpoint(rs.getString("url"), rs.getString("secret"), rs.getInt("timeout_millis"),
						rs.getTimestamp("updated_at").toInstant()))
				.optional();
			c = new Cached(e, System.nanoTime());
			cached = c;
		}
		return c.endpoint();
	}

	/** Sets the endpoint; a new secret is made when asked (or when there was none). */
	Endpoint set(String url, int timeoutMillis, boolean newSecret, Instant now) {
		String secret = current().filter(e -> !newSecret).map(Endpoint::secret).orElseGet(WebhookEndpoints::newSecret);
		jdbc.sql("""
				INSERT INTO delivery_webhook_endpoint (id, url, secret, timeout_millis, updated_at) VALUES (1, ?, ?, ?, ?)
				ON CONFLICT (id) DO UPDATE SET url = excluded.url, secret = excluded.secret,
				  timeout_millis = excluded.timeout_millis, updated_at = excluded.updated_at""")
			.params(url, secret, timeoutMillis, Timestamp.from(now))
			.update();
		cached = null;
		return current().orElseThrow();
	}

	boolean remove() {
		boolean removed = jdbc.sql("DELETE FROM delivery_webhook_endpoint WHERE id = 1").update() == 1;
		cached = null;
		return removed;
	}

	private static String newSecret() {
		byte[] b = new byte[32];
		RANDOM.nextBytes(b);
		return "whsec_" + HexFormat.of().formatHex(b);
	}
}
