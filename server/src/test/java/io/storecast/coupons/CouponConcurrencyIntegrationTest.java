package io.storecast.coupons;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;

import io.storecast.gateway.Gateway;
import io.storecast.support.Api;
import io.storecast.support.DemoFixture;
import io.storecast.support.StorecastIntegrationTest;

/**
 * The oversell and double-redemption bugs of coupon engines, tried over HTTP against the whole
 * server: a claim storm on a template with little stock, and one code redeemed from 50 threads.
 */
@StorecastIntegrationTest
class CouponConcurrencyIntegrationTest {

	static final int CUSTOMERS = 2_000;
	static final int CLAIMS = 10_000;
	static final int STOCK = 1_000;
	static final int IN_FLIGHT = 200;

	@LocalServerPort
	int port;

	@Autowired
	JdbcClient jdbc;

	@Autowired
	Gateway gateway;

	DemoFixture demo;

	@BeforeEach
	void setUp() {
		demo = new DemoFixture(port);
	}

	@Test
	void ten_thousand_claims_from_two_thousand_customers_issue_exactly_the_stock_and_one_each() throws Exception {
		// the REST storm (about 15 s) runs on the embedded PostgreSQL; the gateway's storm below runs on both
		assumeFalse("external".equals(System.getProperty("storecast.test.database")),
				"the REST storm runs on the embedded database only");
		storm(Api.at(port), "REST");
	}

	/** The same storm on the gateway's port, where concurrent claims are verified and issued in batches. */
	@Test
	void the_same_storm_on_the_gateway_port_issues_exactly_the_stock_and_one_each() throws Exception {
		storm(Api.at(gateway.port()), "gateway");
	}

	private void storm(Api claimer, String route) throws Exception {
		String template = demo.owner.post("/api/v1/coupons/templates", Map.of("name", "秒杀 无门槛30元", "kind",
				"NO_THRESHOLD", "discountFen", 3000, "validFrom", Instant.now().minusSeconds(60).toString(), "validUntil",
				Instant.now().plus(Duration.ofDays(1)).toString(), "stock", 5_000, "budgetFen", 3000L * STOCK,
				"perCustomerLimit", 1)).expect(201).string("id");
		String[] tokens = mintCustomers(CUSTOMERS);

		// five attempts per customer with their own keys, plus 500 retries of an earlier key, shuffled
		record Claim(int customer, String key) {
		}
		List<Claim> claims = new ArrayList<>();
		for (int i = 0; i < CLAIMS; i++) {
			claims.add(new Claim(i % CUSTOMERS, "storm-" + i));
		}
		Random random = new Random(7);
		for (int i = 0; i < 500; i++) {
			Claim earlier = claims.get(random.nextInt(CLAIMS));
			claims.add(new Claim(earlier.customer(), earlier.key()));
		}
		Collections.shuffle(claims, random);

		Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
		Map<String, String> codeByKey = new ConcurrentHashMap<>();
		Set<String> problems = ConcurrentHashMap.newKeySet();
		long started = System.nanoTime();
		runAll(claims.size(), i -> {
			Claim c = claims.get(i);
			Api.Response r = claimer.as(tokens[c.customer()])
				.header("Idempotency-Key", c.key())
				.post("/api/v1/coupons/templates/" + template + "/claims", Map.of("source", "live"));
			statuses.computeIfAbsent(r.status(), s -> new AtomicInteger()).incrementAndGet();
			if (r.status() == 201 || r.status() == 200) {
				String code = r.string("code");
				String before = codeByKey.putIfAbsent(c.customer() + "|" + c.key(), code);
				if (before != null && !before.equals(code)) {
					problems.add("key " + c.key() + " answered two codes");
				}
			}
			else if (r.status() == 409) {
				String problem = r.string("code");
				if (!problem.equals("sold-out") && !problem.equals("limit-reached")) {
					problems.add("409 " + problem);
				}
			}
			else {
				problems.add(r.status() + " " + r.raw().body());
			}
		});
		Duration took = Duration.ofNanos(System.nanoTime() - started);
		System.out.printf("coupon claim storm (%s): %d requests in %d ms, statuses %s%n", route, claims.size(),
				took.toMillis(), statuses);

		assertThat(problems).isEmpty();
		assertThat(statuses.get(201).get()).isEqualTo(STOCK);
		assertThat(Set.copyOf(codeByKey.values())).hasSize(STOCK);
		UUID id = UUID.fromString(template);
		assertThat(jdbc.sql("SELECT sum(issued) FROM coupons_stock_slots WHERE template_id = ?").param(id)
			.query(Long.class).single()).isEqualTo(STOCK);
		assertThat(jdbc.sql("SELECT count(*) FROM coupons_coupons WHERE template_id = ?").param(id)
			.query(Long.class).single()).isEqualTo(STOCK);
		assertThat(jdbc.sql("SELECT count(DISTINCT customer_id) FROM coupons_coupons WHERE template_id = ?").param(id)
			.query(Long.class).single()).isEqualTo(STOCK);
		assertThat(jdbc.sql("SELECT coalesce(sum(issued), 0) FROM coupons_holdings WHERE template_id = ?").param(id)
			.query(Long.class).single()).isEqualTo(STOCK);
		assertThat(jdbc.sql("SELECT coalesce(max(issued), 0) FROM coupons_holdings WHERE template_id = ?").param(id)
			.query(Long.class).single()).isEqualTo(1);
		var counts = demo.owner.get("/api/v1/coupons/templates/" + template).expect(200).json();
		// the budget (3,000 fen × 1,000) capped the stock of 5,000, and was spent to the fen
		assertThat(counts.path("stock").asInt()).isEqualTo(STOCK);
		assertThat(counts.path("counts").path("remaining").asInt()).isZero();
		assertThat(counts.path("counts").path("issuedFaceValueFen").asLong()).isEqualTo(3000L * STOCK);
	}

	@Test
	void one_code_redeemed_from_fifty_threads_is_redeemed_once() throws Exception {
		String template = demo.owner.post("/api/v1/coupons/templates", Map.of("name", "并发核销", "kind", "NO_THRESHOLD",
				"discountFen", 1000, "validFrom", Instant.now().minusSeconds(60).toString(), "validUntil",
				Instant.now().plus(Duration.ofDays(1)).toString(), "stock", 10)).expect(201).string("id");
		String[] token = mintCustomers(1);
		Api customer = Api.at(port).as(token[0]);
		var coupon = customer.header("Idempotency-Key", "once")
			.post("/api/v1/coupons/templates/" + template + "/claims", Map.of())
			.expect(201)
			.json();
		String code = coupon.path("code").asString();
		String customerId = coupon.path("customerId").asString();
		Api pos = demo.anonymous.as(demo.apiKey("till", "coupons:redeem"));
		Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
		Set<String> codes = ConcurrentHashMap.newKeySet();
		CountDownLatch go = new CountDownLatch(1);
		try (ExecutorService threads = Executors.newFixedThreadPool(50)) {
			for (int i = 0; i < 50; i++) {
				String order = "SO-RACE-" + i;
				threads.submit(() -> {
					go.await();
					Api.Response r = pos.post("/api/v1/coupons/redemptions", Map.of("orderExternalId", order, "customerId",
							customerId, "codes", List.of(code), "cart",
							Map.of("lines", List.of(Map.of("sku", "ANY", "quantity", 1, "unitPriceFen", 5000)))));
					statuses.computeIfAbsent(r.status(), s -> new AtomicInteger()).incrementAndGet();
					if (r.status() == 409) {
						codes.add(r.string("code"));
					}
					return null;
				});
			}
			go.countDown();
		}
		assertThat(statuses.get(201).get()).isEqualTo(1);
		assertThat(statuses.get(409).get()).isEqualTo(49);
		assertThat(codes).containsExactly("already-redeemed");
		assertThat(jdbc.sql("SELECT count(*) FROM coupons_redemptions r JOIN coupons_coupons c ON c.id = r.coupon_id"
				+ " WHERE c.code = ? AND r.status = 'ACTIVE'").param(code.replace("-", "")).query(Long.class).single())
			.isEqualTo(1);
		assertThat(demo.owner.get("/api/v1/coupons/templates/" + template).expect(200).json().path("counts")
			.path("redeemedFen").asLong()).isEqualTo(1000);
	}

	/** Customer tokens minted by the merchant's backend, 32 at a time. */
	String[] mintCustomers(int n) throws Exception {
		Api backend = demo.anonymous.as(demo.apiKey("storm backend", "customers:token"));
		return DemoFixture.mintCustomerTokens(backend, "storm-" + UUID.randomUUID().toString().substring(0, 8) + "-", n, 32);
	}

	interface Task {
		void run(int index) throws Exception;
	}

	/** Runs tasks 0…n-1 on virtual threads, {@link #IN_FLIGHT} at a time; fails with the first failure. */
	static void runAll(int n, Task task) throws Exception {
		Semaphore permits = new Semaphore(IN_FLIGHT);
		List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
		try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
			for (int i = 0; i < n; i++) {
				int index = i;
				permits.acquire();
				threads.submit(() -> {
					try {
						task.run(index);
					}
					catch (Throwable e) {
						failures.add(e);
					}
					finally {
						permits.release();
					}
				});
			}
		}
		if (!failures.isEmpty()) {
			throw new AssertionError(failures.size() + " requests failed; the first: " + failures.getFirst(),
					failures.getFirst());
		}
	}
}
