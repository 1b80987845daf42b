package io.storecast.platform.internal;

import java.nio.file.Path;

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
 */
@ConfigurationProperties("storecast.db")
public record DatabaseSettings(@Nullable String url, @Nullable String username, @Nullable String password,
		@DefaultValue("./data/postgres") Path dataDir, @DefaultValue("0") int embeddedPort,
		@DefaultValue("false") boolean cleanOnStart, @DefaultValue("20") int poolSize,
		@DefaultValue("512MB") String embeddedSharedBuffers) {

	boolean embedded() {
		return url == null || url.isBlank();
	}
}
