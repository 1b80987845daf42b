package io.storecast.coupons;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

import io.storecast.StorecastApplication;
import io.storecast.support.Api;
import io.storecast.support.DemoFixture;
import io.storecast.support.TestDatabase;

/**
 * A crash in the middle of a claim storm: the server (a child JVM) and its PostgreSQL are killed
 * with SIGKILL while claims are in flight, as a power cut would. After a restart on the same data
 * directory (PostgreSQL replays its log) stock, counts, holdings and issued coupons agree; every
 * claim that was answered before the crash is there; retries of the same keys issue nothing twice;
 * and the storm, resumed, stops exactly at the stock.
 */
class CouponCrashIntegrationTest {

	static final String PASSWORD = "Crash-Test-Power-Cut-1";
	static final int STOCK = 400;
	static final int CUSTOMERS = 300;
	static final int LIMIT = 2;
	static final int ATTEMPTS_PER_CUSTOMER = 4;
	static final int ANSWERED_BEFORE_KILL = 120;

	record Claim(int customer, String key) {
	}

	@Test
	void a_server_killed_mid_storm_restarts_with_stock_counts_and_coupons_consistent() throws Exception {
		assumeFalse(TestDatabase.external(), "kills the embedded database with the server");
		Path dataDir = TestDatabase.temporaryDataDir();
		Path log = Files.createTempFile("storecast-crash-", ".log");
		log.toFile().deleteOnExit();
		int port = freePort();
		Process child = startChild(dataDir, port, log);
		String template;
		String[] tokens;
		Map<String, String> answered = new ConcurrentHashMap<>();
		List<Claim> claims = new ArrayList<>();
		AtomicInteger unknown = new AtomicInteger();
		try {
			Api anonymous = Api.at(port);
			await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(250)).until(() -> {
				if (!child.isAlive()) {
					throw new IllegalStateException("the child server exited: " + Files.readString(log));
				}
				try {
					return anonymous.get("/actuator/health").status() == 200;
				}
				catch (IllegalStateException notYet) {
					return false;
				}
			});
			Api owner = anonymous.login("owner", PASSWORD);
			template = owner.post("/api/v1/coupons/templates", Map.of("name", "断电测试", "kind", "NO_THRESHOLD",
					"discountFen", 500, "validFrom", Instant.now().minusSeconds(60).toString(), "validUntil",
					Instant.now().plus(Duration.ofDays(1)).toString(), "stock", STOCK, "perCustomerLimit", LIMIT))
				.expect(201)
				.string("id");
			String key = owner.post("/api/v1/api-keys", Map.of("name", "crash", "scopes", List.of("customers:token")))
				.expect(201)
				.string("key");
			tokens = mint(anonymous.as(key), CUSTOMERS);
			for (int a = 0; a < ATTEMPTS_PER_CUSTOMER; a++) {
				for (int c = 0; c < CUSTOMERS; c++) {
					claims.add(new Claim(c, "crash-" + a + "-" + c));
				}
			}
			java.util.Collections.shuffle(claims, new java.util.Random(11));

			// the storm; once enough claims are answered, SIGKILL the server, then its PostgreSQL
			CountDownLatch enough = new CountDownLatch(ANSWERED_BEFORE_KILL);
			long postmaster = Long.parseLong(Files.readAllLines(dataDir.resolve("postmaster.pid")).getFirst().trim());
			Thread killer = Thread.ofVirtual().start(() -> {
				try {
					enough.await();
				}
				catch (InterruptedException e) {
					return;
				}
				child.destroyForcibly();
				ProcessHandle.of(postmaster).ifPresent(ProcessHandle::destroyForcibly);
			});
			storm(anonymous, tokens, template, claims, answered, unknown, enough);
			killer.join();
			child.waitFor(30, TimeUnit.SECONDS);
			await().atMost(Duration.ofSeconds(30))
				.until(() -> ProcessHandle.of(postmaster).map(p -> !p.isAlive()).orElse(true));
		}
		finally {
			child.destroyForcibly();
		}
		assertThat(answered.size()).as("claims answered before the kill").isGreaterThanOrEqualTo(ANSWERED_BEFORE_KILL);
		assertThat(unknown.get()).as("claims cut off by the kill").isPositive();

		try (ConfigurableApplicationContext restarted = restart(dataDir)) {
			JdbcClient jdbc = restarted.getBean(JdbcClient.class);
			UUID id = UUID.fromString(template);
			long issued = consistentCount(jdbc, id);
			assertThat(issued).isBetween((long) answeredIssued(answered), (long) STOCK);
			System.out.printf("coupon crash: %d claims answered before the kill, %d cut off; %d issued after restart%n",
					answered.size(), unknown.get(), issued);
			// every answered claim survived the crash, bound to its customer
			for (var entry : answered.entrySet()) {
				assertThat(jdbc.sql("SELECT count(*) FROM coupons_coupons WHERE code = ? AND template_id = ?")
					.params(entry.getValue().replace("-", ""), id)
					.query(Long.class)
					.single()).as("coupon %s answered for %s", entry.getValue(), entry.getKey()).isEqualTo(1);
			}

			// the clients retry everything: answered keys get their coupon back, the rest go on to the stock
			Api api = Api.at(((WebServerApplicationContext) restarted).getWebServer().getPort());
			Map<String, String> after = new ConcurrentHashMap<>();
			AtomicInteger failed = new AtomicInteger();
			storm(api, tokens, template, claims, after, failed, new CountDownLatch(0));
			assertThat(failed.get()).isZero();
			answered.forEach((k, code) -> assertThat(after.get(k)).as("retry of %s", k).isEqualTo(code));
			assertThat(consistentCount(jdbc, id)).isEqualTo(STOCK);
			assertThat(Map.copyOf(after).values().stream().distinct().count()).isEqualTo(STOCK);
		}
	}

	/** Coupons per customer (as answered) that were issued, i.e. distinct codes. */
	static int answeredIssued(Map<String, String> answered) {
		return (int) answered.values().stream().distinct().count();
	}

	/**
	 * The template's counts agree: slots' issued = coupons written = holdings; no customer is over
	 * the limit, and each customer's holding matches their coupons. Returns the number issued.
	 */
	static long consistentCount(JdbcClient jdbc, UUID template) {
		long slots = jdbc.sql("SELECT sum(issued) FROM coupons_stock_slots WHERE template_id = ?").param(template)
			.query(Long.class).single();
		long coupons = jdbc.sql("SELECT count(*) FROM coupons_coupons WHERE template_id = ?").param(template)
			.query(Long.class).single();
		long holdings = jdbc.sql("SELECT coalesce(sum(issued), 0) FROM coupons_holdings WHERE template_id = ?")
			.param(template).query(Long.class).single();
		long mismatched = jdbc.sql("""
				SELECT count(*) FROM coupons_holdings h
				  FULL JOIN (SELECT customer_id, count(*) AS n FROM coupons_coupons WHERE template_id = ? GROUP BY customer_id) c
				    ON c.customer_id = h.customer_id
				 WHERE (h.template_id = ? OR h.template_id IS NULL) AND coalesce(h.issued, 0) <> coalesce(c.n, 0)""")
			.params(template, template).query(Long.class).single();
		long overLimit = jdbc.sql("SELECT count(*) FROM coupons_holdings WHERE template_id = ? AND issued > ?")
			.params(template, LIMIT).query(Long.class).single();
		assertThat(coupons).as("coupons written").isEqualTo(slots);
		assertThat(holdings).as("holdings").isEqualTo(slots);
		assertThat(mismatched).as("customers whose holding differs from their coupons").isZero();
		assertThat(overLimit).as("customers over the limit").isZero();
		assertThat(slots).isLessThanOrEqualTo(STOCK);
		return slots;
	}

	/** Sends the claims, 32 in flight; answered keys map to their code, others count as cut off. */
	static void storm(Api api, String[] tokens, String template, List<Claim> claims, Map<String, String> answered,
			AtomicInteger cutOff, CountDownLatch progress) throws InterruptedException {
		Semaphore permits = new Semaphore(32);
		try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
			for (Claim c : claims) {
				permits.acquire();
				threads.submit(() -> {
					try {
						Api.Response r = api.as(tokens[c.customer()])
							.header("Idempotency-Key", c.key())
							.post("/api/v1/coupons/templates/" + template + "/claims", Map.of());
						if (r.status() == 200 || r.status() == 201) {
							answered.put(c.customer() + "|" + c.key(), r.string("code"));
							progress.countDown();
						}
						else if (r.status() != 409) {
							cutOff.incrementAndGet();
						}
					}
					catch (RuntimeException connectionLost) {
						cutOff.incrementAndGet();
					}
					finally {
						permits.release();
					}
				});
			}
		}
	}

	static String[] mint(Api backend, int n) throws InterruptedException {
		return DemoFixture.mintCustomerTokens(backend, "crash-" + UUID.randomUUID().toString().substring(0, 8) + "-", n, 16);
	}

	static Process startChild(Path dataDir, int port, Path log) throws IOException {
		List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(), "-Xmx512m",
				"-cp", System.getProperty("java.class.path"), StorecastApplication.class.getName()));
		command.addAll(arguments(dataDir));
		command.add("--server.port=" + port);
		ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
			.redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
		builder.environment().keySet().removeIf(name -> name.startsWith("STORECAST_"));
		return builder.start();
	}

	static ConfigurableApplicationContext restart(Path dataDir) {
		List<String> args = new ArrayList<>(arguments(dataDir));
		args.add("--server.port=0");
		return new SpringApplicationBuilder(StorecastApplication.class).run(args.toArray(String[]::new));
	}

	static List<String> arguments(Path dataDir) {
		return List.of("--server.address=127.0.0.1", "--storecast.gateway.port=0", "--storecast.db.url=",
				"--storecast.db.data-dir=" + dataDir, "--storecast.identity.owner-password=" + PASSWORD,
				"--storecast.identity.login-attempts-per-ip=100000", "--storecast.db.pool-size=10");
	}

	static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
	}
}
