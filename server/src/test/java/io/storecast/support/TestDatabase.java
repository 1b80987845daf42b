package io.storecast.support;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.UUID;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.test.util.TestPropertyValues;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Gives every test application context a database of its own: by default an embedded PostgreSQL in
 * a fresh temporary folder; with {@code -Dstorecast.test.database=external} a fresh database on the
 * PostgreSQL at 127.0.0.1:5432 (dropped when the JVM exits).
 * <p>
 * Both are cleaned up by Spring Boot's shutdown handlers, which run once every application context
 * has been closed. A JVM shutdown hook of its own would run at the same time as the contexts close:
 * the external database was dropped under the still-open pools, whose closing then waited 10 s per
 * connection for a database that was gone (and the forked test JVM was killed after 30 s).
 */
public class TestDatabase implements ApplicationContextInitializer<ConfigurableApplicationContext> {

	public static final String EXTERNAL_HOST = "127.0.0.1";
	public static final int EXTERNAL_PORT = 5432;
	public static final String EXTERNAL_ADMIN_URL = "jdbc:postgresql://127.0.0.1:5432/postgres";
	public static final String EXTERNAL_USER = "postgres";

	public static boolean external() {
		return "external".equals(System.getProperty("storecast.test.database"));
	}

	public static boolean externalReachable() {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress(EXTERNAL_HOST, EXTERNAL_PORT), 1000);
			return true;
		}
		catch (IOException e) {
			return false;
		}
	}

	@Override
	public void initialize(ConfigurableApplicationContext context) {
		if (external()) {
			String url = createExternalDatabase();
			TestPropertyValues
				.of("storecast.db.url=" + url, "storecast.db.username=" + EXTERNAL_USER, "storecast.db.password=")
				.applyTo(context);
		}
		else {
			Path dir = temporaryDataDir();
			TestPropertyValues.of("storecast.db.url=", "storecast.db.data-dir=" + dir, "storecast.db.clean-on-start=true")
				.applyTo(context);
		}
	}

	/**
	 * A fresh folder for an embedded PostgreSQL, deleted when the JVM exits, with the lock file the
	 * server keeps beside it when it is the data directory itself.
	 */
	public static Path temporaryDataDir() {
		try {
			Path dir = Files.createTempDirectory("storecast-test-pg-");
			SpringApplication.getShutdownHandlers().add(() -> {
				delete(dir);
				delete(dir.resolveSibling(dir.getFileName() + ".lock"));
			});
			return dir;
		}
		catch (IOException e) {
			throw new IllegalStateException(e);
		}
	}

	/** Creates an empty database on the external PostgreSQL and returns its JDBC URL. */
	public static String createExternalDatabase() {
		String name = "storecast_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
		try (Connection c = DriverManager.getConnection(EXTERNAL_ADMIN_URL, EXTERNAL_USER, "");
				Statement s = c.createStatement()) {
			s.execute("CREATE DATABASE " + name + " ENCODING 'UTF8' TEMPLATE template0");
		}
		catch (SQLException e) {
			throw new IllegalStateException("Could not create a test database on " + EXTERNAL_ADMIN_URL + ": "
					+ e.getMessage(), e);
		}
		SpringApplication.getShutdownHandlers().add(() -> {
			try (Connection c = DriverManager.getConnection(EXTERNAL_ADMIN_URL, EXTERNAL_USER, "");
					Statement s = c.createStatement()) {
				s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
			}
			catch (SQLException ignored) {
				// the cluster may already be gone; a leftover test database is harmless
			}
		});
		return "jdbc:postgresql://" + EXTERNAL_HOST + ":" + EXTERNAL_PORT + "/" + name;
	}

	private static void delete(Path dir) {
		try (var paths = Files.walk(dir)) {
			paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
		}
		catch (IOException ignored) {
			// best effort: it is a temporary folder
		}
	}
}
