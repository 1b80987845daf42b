package io.storecast.platform.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import javax.sql.DataSource;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * The one DataSource: an external PostgreSQL when {@code storecast.db.url} is set, otherwise an
 * embedded PostgreSQL 17 that keeps its files under {@code storecast.db.data-dir} across restarts.
 */
@Configuration(proxyBeanMethods = false)
class DatabaseConfiguration {

	private static final Logger log = LoggerFactory.getLogger(DatabaseConfiguration.class);

	@Bean
	DataSource dataSource(DatabaseSettings settings) {
		HikariConfig config = new HikariConfig();
		config.setPoolName("storecast");
		config.setMaximumPoolSize(settings.poolSize());
		config.setConnectionTimeout(Duration.ofSeconds(10).toMillis());
		if (!settings.embedded()) {
			config.setJdbcUrl(settings.url());
			config.setUsername(settings.username());
			config.setPassword(settings.password());
			log.info("Using external PostgreSQL at {}", settings.url());
			return new HikariDataSource(config);
		}
		EmbeddedPostgres postgres = startEmbedded(settings);
		config.setJdbcUrl(postgres.getJdbcUrl("postgres", "postgres"));
		return new EmbeddedPostgresDataSource(config, postgres);
	}

	private static EmbeddedPostgres startEmbedded(DatabaseSettings settings) {
		Path dir = settings.dataDir().toAbsolutePath().normalize();
		try {
			Files.createDirectories(dir);
			if (settings.cleanOnStart()) {
				deleteContents(dir);
			}
			long started = System.nanoTime();
			EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
				.setDataDirectory(dir)
				.setCleanDataDirectory(false)
				.setPGStartupWait(Duration.ofSeconds(60))
				.setLocaleConfig("encoding", "UTF8")
				.setLocaleConfig("locale", "C.UTF-8")
				.setServerConfig("listen_addresses", "127.0.0.1")
				.setServerConfig("max_connections", "200");
			if (settings.embeddedPort() > 0) {
				builder.setPort(settings.embeddedPort());
			}
			EmbeddedPostgres postgres = builder.start();
			log.info("Embedded PostgreSQL started on 127.0.0.1:{} with data in {} ({} ms)", postgres.getPort(), dir,
					Duration.ofNanos(System.nanoTime() - started).toMillis());
			return postgres;
		}
		catch (IOException e) {
			throw new IllegalStateException("Could not start the embedded PostgreSQL in " + dir
					+ " (is another Storecast using it? set storecast.db.data-dir to another folder): " + e.getMessage(),
					e);
		}
	}

	private static void deleteContents(Path dir) throws IOException {
		try (var paths = Files.walk(dir)) {
			paths.sorted(java.util.Comparator.reverseOrder()).filter(p -> !p.equals(dir)).forEach(p -> {
				try {
					Files.delete(p);
				}
				catch (IOException e) {
					throw new UncheckedIOException(e);
				}
			});
		}
	}

	/** Closes the pool first, then stops the embedded server, so shutdown never cuts live queries. */
	static final class EmbeddedPostgresDataSource extends HikariDataSource {

		private final EmbeddedPostgres postgres;

		EmbeddedPostgresDataSource(HikariConfig config, EmbeddedPostgres postgres) {
			super(config);
			this.postgres = postgres;
		}

		@Override
		public void close() {
			super.close();
			try {
				postgres.close();
			}
			catch (IOException e) {
				log.warn("Embedded PostgreSQL did not stop cleanly: {}", e.getMessage());
			}
		}
	}
}
