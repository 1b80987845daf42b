package io.storecast.platform.internal;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Where the data lives. With no {@code url} Storecast starts its own PostgreSQL 17 under
 * {@code dataDir}; with one ({@code STORECAST_DB_URL}) it uses that database instead.
 *
 * @param url JDBC URL of an external PostgreSQL; empty for the embedded one
 * @param username user for the external database
 * @param password password for the external database
 * @param dataDir where the embedded PostgreSQL keeps its files
 * @param embeddedPort port of the embedded PostgreSQL on 127.0.0.1; 0 picks a free one
 * @param cleanOnStart wipe the embedded data directory at start (tests only)
 * @param poolSize maximum connections in the pool
 * @param embeddedSharedBuffers the embedded PostgreSQL's {@code shared_buffers}
 * @param embeddedSettings more settings for the embedded PostgreSQL ({@code name → value}, e.g.
 * {@code max_wal_size → 4GB}, or {@code shared_preload_libraries → pg_stat_statements} to find slow
 * statements); durability and the listen address are Storecast's own and cannot be changed here
 * @param analyzeGrowing how often to look for small tables that have grown several times over since
 * PostgreSQL last analyzed them, and analyze them ({@link GrowingTables}); 0 turns it off
 */
@ConfigurationProperties("storecast.db")
public record DatabaseSettings(@Nullable String url, @Nullable String username, @Nullable String password,
		@DefaultValue("./data/postgres") Path dataDir, @DefaultValue("0") int embeddedPort,
		@DefaultValue("false") boolean cleanOnStart, @DefaultValue("20") int poolSize,
		@DefaultValue("512MB") String embeddedSharedBuffers, @Nullable Map<String, String> embeddedSettings,
		@DefaultValue("5s") Duration analyzeGrowing) {

	private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_.]{0,62}");
	/** Settings the embedded database keeps as Storecast sets them (ADR 4: commits survive a crash; 127.0.0.1 only). */
	private static final Set<String> OWN = Set.of("fsync", "synchronous_commit", "full_page_writes", "listen_addresses",
			"port", "data_directory");

	public DatabaseSettings {
		embeddedSettings = embeddedSettings == null ? Map.of() : Map.copyOf(embeddedSettings);
		embeddedSettings.forEach((name, value) -> {
			if (!NAME.matcher(name).matches()) {
				throw new IllegalArgumentException("storecast.db.embedded-settings: '" + name
						+ "' is not a PostgreSQL setting name (lower-case letters, digits, _ and .)");
			}
			if (OWN.contains(name)) {
				throw new IllegalArgumentException("storecast.db.embedded-settings: " + name
						+ " is set by Storecast itself (durable commits, 127.0.0.1 only) and cannot be changed");
			}
			if (value == null || value.isBlank() || value.chars().anyMatch(c -> c < 0x20)) {
				throw new IllegalArgumentException("storecast.db.embedded-settings." + name + ": a value is required, on one line");
			}
		});
	}

	boolean embedded() {
		return url == null || url.isBlank();
	}
}
