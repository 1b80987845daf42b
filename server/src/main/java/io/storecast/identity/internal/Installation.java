package io.storecast.identity.internal;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Facts about this installation in {@code identity_installation}, and the lock that guards first-start work. */
@Repository
class Installation {

	private final JdbcClient jdbc;

	Installation(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	/** Serialises first-start work across nodes that start together; held until the transaction ends. */
	void lock() {
		jdbc.sql("SELECT pg_advisory_xact_lock(hashtext('storecast-installation'))").query(Object.class).single();
	}

	Optional<String> get(String key) {
		return jdbc.sql("SELECT value FROM identity_installation WHERE key = ?").param(key).query(String.class).optional();
	}

	void set(String key, String value) {
		jdbc.sql("""
				INSERT INTO identity_installation (key, value, at) VALUES (?, ?, ?)
				ON CONFLICT (key) DO UPDATE SET value = excluded.value, at = excluded.at""")
			.params(key, value, Timestamp.from(Instant.now()))
			.update();
	}
}
