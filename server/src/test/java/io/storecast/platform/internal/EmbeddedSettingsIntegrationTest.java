package io.storecast.platform.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import io.storecast.support.TestDatabase;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * {@code storecast.db.embedded-settings}: more settings for the embedded PostgreSQL (written with
 * brackets, so that a name keeps its underscores and dots), applied at its start; the settings
 * Storecast's durability and address rest on are refused.
 */
class EmbeddedSettingsIntegrationTest {

	static DatabaseSettings bind(Map<String, String> properties) {
		return new Binder(new MapConfigurationPropertySource(properties)).bindOrCreate("storecast.db",
				DatabaseSettings.class);
	}

	@Test
	void settings_in_brackets_reach_the_embedded_postgresql() throws Exception {
		assumeFalse(TestDatabase.external(), "about the embedded database");
		DatabaseSettings settings = bind(Map.of("storecast.db.embedded-settings[work_mem]", "7MB",
				"storecast.db.embedded-settings[max_wal_size]", "3GB"));
		assertThat(settings.embeddedSettings()).containsExactlyInAnyOrderEntriesOf(Map.of("work_mem", "7MB",
				"max_wal_size", "3GB"));
		Path dir = TestDatabase.temporaryDataDir().resolve("postgres");
		try (EmbeddedPostgres postgres = DatabaseConfiguration.startEmbedded(settings, dir);
				Connection c = postgres.getPostgresDatabase().getConnection()) {
			assertThat(show(c, "work_mem")).isEqualTo("7MB");
			assertThat(show(c, "max_wal_size")).isEqualTo("3GB");
			// Storecast's own stay as they are
			assertThat(show(c, "fsync")).isEqualTo("on");
			assertThat(show(c, "synchronous_commit")).isEqualTo("on");
		}
	}

	@Test
	void durability_the_address_and_malformed_names_are_refused() {
		assertThatThrownBy(() -> bind(Map.of("storecast.db.embedded-settings[fsync]", "off")))
			.isInstanceOf(BindException.class)
			.rootCause()
			.hasMessageContaining("fsync is set by Storecast itself");
		assertThatThrownBy(() -> bind(Map.of("storecast.db.embedded-settings[listen_addresses]", "*")))
			.rootCause()
			.hasMessageContaining("listen_addresses is set by Storecast itself");
		assertThatThrownBy(() -> bind(Map.of("storecast.db.embedded-settings[Work Mem]", "7MB")))
			.rootCause()
			.hasMessageContaining("is not a PostgreSQL setting name");
		assertThatThrownBy(() -> bind(Map.of("storecast.db.embedded-settings[work_mem]", "7MB\n-c fsync=off")))
			.rootCause()
			.hasMessageContaining("on one line");
		assertThat(bind(Map.of()).embeddedSettings()).isEmpty();
	}

	private static String show(Connection c, String name) throws Exception {
		try (var s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW " + name)) {
			rs.next();
			return rs.getString(1);
		}
	}
}
