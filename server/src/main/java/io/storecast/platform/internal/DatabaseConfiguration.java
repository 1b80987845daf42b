package io.storecast.platform.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.StandardOpenOption;
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
		// grow on demand: idle nodes (or test contexts) sharing one PostgreSQL must not hold its
		// connections (an external server's default max_connections is 100)
		config.setMinimumIdle(Math.min(2, settings.poolSize()));
		config.setConnectionTimeout(Duration.ofSeconds(10).toMillis());
		if (!settings.embedded()) {
			config.setJdbcUrl(settings.url());
			config.setUsername(settings.username());
			config.setPassword(settings.password());
			log.info("Using external PostgreSQL at {}", settings.url());
			return new HikariDataSource(config);
		}
		Path dir = settings.dataDir().toAbsolutePath().normalize();
		FileLock lock = lockDataDirectory(dir);
		try {
			EmbeddedPostgres postgres = startEmbedded(settings, dir);
			config.setJdbcUrl(postgres.getJdbcUrl("postgres", "postgres"));
			return new EmbeddedPostgresDataSource(config, postgres, lock);
		}
		catch (RuntimeException e) {
			release(lock);
			throw e;
		}
	}

	/**
	 * Takes the data directory for this process with an OS file lock beside it. The kernel releases
	 * it when the process dies, however it dies, so a held lock means a live Storecast owns the folder.
	 */
	static FileLock lockDataDirectory(Path dir) {
		try {
			Files.createDirectories(dir);
			Path lockFile = dir.resolveSibling(dir.getFileName() + ".lock");
			FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
			FileLock lock;
			try {
				lock = channel.tryLock();
			}
			catch (OverlappingFileLockException e) {
				lock = null;
			}
			if (lock == null) {
				channel.close();
				throw new IllegalStateException("The data directory " + dir + " is in use by another running Storecast;"
						+ " stop it or set storecast.db.data-dir (STORECAST_DATA_DIR) to another folder");
			}
			return lock;
		}
		catch (IOException e) {
			throw new UncheckedIOException("Could not lock the data directory " + dir, e);
		}
	}

	static void release(FileLock lock) {
		try {
			lock.release();
			lock.channel().close();
		}
		catch (IOException e) {
			log.warn("Could not release the data directory lock: {}", e.getMessage());
		}
	}

	static EmbeddedPostgres startEmbedded(DatabaseSettings settings, Path dir) {
		try {
			stopOrphanedServer(dir);
			if (settings.cleanOnStart()) {
				deleteContents(dir);
			}
			long started = System.nanoTime();
			EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
				.setDataDirectory(dir)
				.setCleanDataDirectory(false)
				.setPGStartupWait(Duration.ofSeconds(60))
				// zonky's own JVM hook would stop PostgreSQL while Spring still drains requests; the
				// DataSource's close() stops it after the pool instead
				.setRegisterShutdownHook(false)
				.setLocaleConfig("encoding", "UTF8")
				.setLocaleConfig("locale", "C.UTF-8")
				.setServerConfig("listen_addresses", "127.0.0.1")
				// zonky's defaults are for throwaway test databases (-F, synchronous_commit=off): a commit
				// must survive a crash here, so both are switched back on (later options win)
				.setServerConfig("fsync", "on")
				.setServerConfig("synchronous_commit", "on")
				.setServerConfig("max_connections", "200")
				// PostgreSQL's default (128MB) keeps a million customers' profiles and consents out of its
				// cache: the contact policy's reads went to the OS page cache on every chunk
				.setServerConfig("shared_buffers", settings.embeddedSharedBuffers());
			settings.embeddedSettings().forEach(builder::setServerConfig);
			if (settings.embeddedPort() > 0) {
				builder.setPort(settings.embeddedPort());
			}
			EmbeddedPostgres postgres = builder.start();
			log.info("Embedded PostgreSQL started on 127.0.0.1:{} with data in {} ({} ms)", postgres.getPort(), dir,
					Duration.ofNanos(System.nanoTime() - started).toMillis());
			return postgres;
		}
		catch (IOException e) {
			throw new IllegalStateException("Could not start the embedded PostgreSQL in " + dir + ": " + e.getMessage(), e);
		}
	}

	/**
	 * A Storecast killed without shutting down (SIGKILL, OOM killer) leaves its PostgreSQL running on
	 * the data directory, and a new start would wait for it forever. Called with the directory's lock
	 * held, so any server still running there is such an orphan: it is stopped.
	 */
	static void stopOrphanedServer(Path dir) throws IOException {
		Path pidFile = dir.resolve("postmaster.pid");
		if (!Files.exists(pidFile)) {
			return;
		}
		long pid;
		try {
			pid = Long.parseLong(Files.readAllLines(pidFile).getFirst().trim());
		}
		catch (RuntimeException e) {
			return;
		}
		var process = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
		if (process.isEmpty() || !process.get().info().command().orElse("").contains("postgres")) {
			return;
		}
		log.warn("Stopping the PostgreSQL (pid {}) left running on {} by a Storecast that did not shut down", pid, dir);
		process.get().destroy();
		try {
			process.get().onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
		}
		catch (Exception e) {
			process.get().destroyForcibly();
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
		private final FileLock lock;

		EmbeddedPostgresDataSource(HikariConfig config, EmbeddedPostgres postgres, FileLock lock) {
			super(config);
			this.postgres = postgres;
			this.lock = lock;
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
			finally {
				release(lock);
			}
		}
	}
}
