package io.storecast.platform.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.storecast.support.TestDatabase;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * A Storecast killed with SIGKILL leaves its PostgreSQL running; the next start must stop that
 * orphan instead of hanging, but must never touch a database a live Storecast is using.
 */
class OrphanedPostgresIntegrationTest {

	@Test
	void the_postgres_of_a_killed_server_is_stopped_at_the_next_start() throws Exception {
		assumeFalse(TestDatabase.external(), "about the embedded database");
		Path dir = TestDatabase.temporaryDataDir().resolve("postgres");
		Process child = new ProcessBuilder(ProcessHandle.current().info().command().orElseThrow(), "-cp",
				System.getProperty("java.class.path"), EmbeddedServerMain.class.getName(), dir.toString())
			.redirectErrorStream(true)
			.start();
		try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream()))) {
			String line;
			while ((line = out.readLine()) != null && !line.equals("READY")) {
				// wait for the child's PostgreSQL
			}
			assertThat(line).as("the child started its PostgreSQL").isEqualTo("READY");
		}
		long postgresPid = Long.parseLong(Files.readAllLines(dir.resolve("postmaster.pid")).getFirst().trim());
		child.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
		assertThat(ProcessHandle.of(postgresPid).map(ProcessHandle::isAlive)).as("orphaned by SIGKILL").contains(true);

		// the kernel released the dead server's lock, so this start may take the folder and clean up
		var lock = DatabaseConfiguration.lockDataDirectory(dir);
		DatabaseConfiguration.stopOrphanedServer(dir);

		assertThat(ProcessHandle.of(postgresPid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
		try (EmbeddedPostgres again = EmbeddedPostgres.builder().setDataDirectory(dir).setCleanDataDirectory(false)
			.setPGStartupWait(Duration.ofSeconds(30)).start()) {
			assertThat(again.getPostgresDatabase().getConnection().isValid(5)).isTrue();
		}
		finally {
			DatabaseConfiguration.release(lock);
		}
	}

	@Test
	void a_database_in_use_by_a_live_server_is_refused_not_stopped() throws Exception {
		assumeFalse(TestDatabase.external(), "about the embedded database");
		Path dir = TestDatabase.temporaryDataDir().resolve("postgres");
		var lock = DatabaseConfiguration.lockDataDirectory(dir);
		try (EmbeddedPostgres live = EmbeddedPostgres.builder().setDataDirectory(dir).setCleanDataDirectory(false).start()) {
			assertThatThrownBy(() -> DatabaseConfiguration.lockDataDirectory(dir))
				.hasMessageContaining("in use by another running Storecast");
			assertThat(live.getPostgresDatabase().getConnection().isValid(5)).isTrue();
		}
		finally {
			DatabaseConfiguration.release(lock);
		}
	}

	/** Runs in a child JVM as a server would: locks the folder, starts PostgreSQL on it, says READY, waits to be killed. */
	public static final class EmbeddedServerMain {

		public static void main(String[] args) throws Exception {
			DatabaseConfiguration.lockDataDirectory(Path.of(args[0]));
			EmbeddedPostgres.builder().setDataDirectory(Path.of(args[0])).setCleanDataDirectory(false).start();
			System.out.println("READY");
			System.out.flush();
			Thread.currentThread().join();
		}
	}
}
