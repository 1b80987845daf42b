package io.storecast.coupons;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

import io.micrometer.core.instrument.MeterRegistry;
import io.storecast.identity.CustomerId;
import io.storecast.platform.ApiException;
import io.storecast.support.DemoFixture;
import io.storecast.support.StorecastIntegrationTest;
import tools.jackson.databind.JsonNode;

/**
 * Claims in batches ({@link Coupons#claimAll}): every outcome is what a single claim would have
 * answered, refusals change nothing, the stock's end is exact and never counted against the refused,
 * and concurrent batches with retries issue exactly the stock, one coupon per customer.
 */
@StorecastIntegrationTest
class CouponBatchClaimsIntegrationTest {

	@LocalServerPort
	int port;

	@Autowired
	JdbcClient jdbc;

	@Autowired
	Coupons coupons;

	@Autowired
	ConfigurableApplicationContext context;

	@Autowired
	TransactionTemplate tx;

	@Autowired
	MeterRegistry meters;

	DemoFixture demo;
	CouponEvents events;

	@BeforeEach
	void setUp() {
		demo = new DemoFixture(port);
		events = new CouponEvents(context);
	}

	@AfterEach
	void tearDown() {
		events.close();
	}

	static final Instant NOW = Instant.now();

	/** A NO_THRESHOLD template open now, with these fields changed. */
	CouponTemplateId create(Object... overrides) {
		Map<String, Object> t = new HashMap<>(Map.of("name", "批量券", "kind", "NO_THRESHOLD", "discountFen", 500,
				"validFrom", NOW.minusSeconds(3600).toString(), "validUntil", NOW.plus(Duration.ofDays(30)).toString(),
				"stock", 100));
		for (int i = 0; i < overrides.length; i += 2) {
			t.put((String) overrides[i], overrides[i + 1]);
		}
		return CouponTemplateId.valueOf(demo.owner.post("/api/v1/coupons/templates", t).expect(201).string("id"));
	}

	/** A registered customer of a member level (the audience rules look them up). */
	CustomerId member(String level) {
		JsonNode minted = demo.anonymous.as(demo.apiKey("shop", "customers:token"))
			.post("/api/v1/customers/tokens", Map.of("externalId", "batch-" + UUID.randomUUID(), "profile",
					Map.of("nickname", "顾客", "homeStoreId", demo.node("SH-NJR"), "memberLevel", level)))
			.expect(201)
			.json();
		return CustomerId.valueOf(minted.path("customerId").asString());
	}

	static CustomerId someone() {
		return new CustomerId(UUID.randomUUID());
	}

	static ClaimCommand claim(CustomerId customer, CouponTemplateId template, String key) {
		return new ClaimCommand(customer, template, key, "live", "room-1");
	}

	/** "issued", "replayed" or the refusal's status and code, e.g. "409 sold-out". */
	static String answer(ClaimOutcome o) {
		return o.refusal() != null ? o.refusal().status().value() + " " + o.refusal().code()
				: o.replayed() ? "replayed" : "issued";
	}

	/** What a single claim answers now, as {@link #answer}. */
	String single(ClaimCommand c) {
		ApiException refusal = catchThrowableOfType(ApiException.class,
				() -> coupons.claim(c.customer(), c.template(), c.requestKey(), c.source(), c.sourceRef()));
		return refusal == null ? "replayed" : refusal.status().value() + " " + refusal.code();
	}

	/** Claims of batches issued in a batch transaction ("batch") or left to the single path ("alone"). */
	double batched(String path) {
		return meters.counter("storecast.coupons.claims.batched", "path", path).count();
	}

	long count(String sql, Object... params) {
		return jdbc.sql(sql).params(params).query(Long.class).single();
	}

	@Test
	void a_batch_answers_each_claim_as_a_single_claim_would() {
		CouponTemplateId one = create("name", "每人一张", "perCustomerLimit", 1);
		CouponTemplateId other = create("name", "另一张");
		CouponTemplateId daily = create("name", "每天一张", "perCustomerLimit", 2, "perCustomerDailyLimit", 1);
		CouponTemplateId paused = create("name", "暂停");
		demo.owner.patch("/api/v1/coupons/templates/" + paused.value(), Map.of("status", "PAUSED")).expect(200);
		CouponTemplateId notYet = create("name", "明天开抢", "validFrom", NOW.plus(Duration.ofDays(1)).toString());
		CouponTemplateId gold = create("name", "金卡专享", "audience", Map.of("memberLevels", List.of("GOLD")));
		CustomerId earlier = someone();
		CustomerId atLimit = someone();
		IssuedCoupon before = coupons.claim(earlier, one, "k0", "live", null);
		coupons.claim(atLimit, one, "k1", null, null);
		CustomerId twice = someone();
		CustomerId dailyTwice = someone();
		CustomerId goldMember = member("GOLD");
		CustomerId regular = member("REGULAR");
		CustomerId fresh = someone();
		CustomerId another = someone();
		int eventsBefore = events.of(CouponClaimed.class).size();

		List<ClaimCommand> batch = List.of(claim(fresh, one, "b1"), // 0 issued
				claim(another, one, "b1"), // 1 issued: keys are the customer's
				claim(earlier, one, "k0"), // 2 the coupon issued before
				claim(earlier, other, "k0"), // 3 the key was used for another coupon
				claim(atLimit, one, "b2"), // 4 limit 1, held
				claim(twice, one, "t1"), // 5 issued
				claim(twice, one, "t2"), // 6 the same customer again: limit 1
				claim(someone(), paused, "p1"), // 7
				claim(someone(), one, "not a key!"), // 8
				claim(someone(), CouponTemplateId.valueOf(UUID.randomUUID().toString()), "u1"), // 9
				new ClaimCommand(someone(), one, "s1", "bad source!", null), // 10
				claim(regular, gold, "g1"), // 11
				claim(someone(), gold, "g2"), // 12 no such customer
				claim(goldMember, gold, "g3"), // 13 issued
				claim(fresh, one, "b1"), // 14 a retry within the batch: 0's coupon
				claim(someone(), notYet, "n1"), // 15
				claim(dailyTwice, daily, "d1"), // 16 issued
				claim(dailyTwice, daily, "d2")); // 17 the daily limit

		List<ClaimOutcome> outcomes = coupons.claimAll(batch);

		assertThat(outcomes.stream().map(CouponBatchClaimsIntegrationTest::answer).toList()).containsExactly("issued",
				"issued", "replayed", "409 idempotency-key-reused", "409 limit-reached", "issued", "409 limit-reached",
				"409 template-paused", "400 invalid-idempotency-key", "404 not-found", "400 validation-failed",
				"409 not-eligible", "400 unknown-customer", "issued", "replayed", "409 claim-not-open", "issued",
				"409 daily-limit-reached");
		assertThat(outcomes.get(2).coupon().id()).isEqualTo(before.id());
		assertThat(coupons.claimAll(List.of())).isEmpty();
		assertThat(coupons.claimAll(java.util.Arrays.asList(null, new ClaimCommand(someone(), null, "x", null, null)))
			.stream()
			.map(CouponBatchClaimsIntegrationTest::answer)).containsExactly("400 validation-failed", "400 validation-failed");
		assertThat(outcomes.get(14).coupon().id()).isEqualTo(outcomes.get(0).coupon().id());
		IssuedCoupon issued = outcomes.get(0).coupon();
		assertThat(issued.customerId()).isEqualTo(fresh);
		assertThat(issued.templateName()).isEqualTo("每人一张");
		assertThat(issued.channel()).isEqualTo(IssueChannel.CLAIM);
		assertThat(issued.status()).isEqualTo(CouponStatus.ISSUED);
		assertThat(issued.source()).isEqualTo("live");
		assertThat(issued.sourceRef()).isEqualTo("room-1");
		assertThat(coupons.find(issued.code())).hasValueSatisfying(c -> {
			assertThat(c.id()).isEqualTo(issued.id());
			assertThat(c.customerId()).isEqualTo(fresh);
		});

		// one event per coupon issued, none for replays and refusals
		List<CouponClaimed> claimed = events.of(CouponClaimed.class);
		assertThat(claimed.subList(eventsBefore, claimed.size())).extracting(CouponClaimed::couponId)
			.containsExactlyInAnyOrder(outcomes.get(0).coupon().id(), outcomes.get(1).coupon().id(),
					outcomes.get(5).coupon().id(), outcomes.get(13).coupon().id(), outcomes.get(16).coupon().id());

		// a single claim now answers the same: the coupon (a replay), or the same refusal
		for (int i = 0; i < batch.size(); i++) {
			String expected = outcomes.get(i).coupon() != null ? "replayed" : answer(outcomes.get(i));
			assertThat(single(batch.get(i))).as("claim %d", i).isEqualTo(expected);
		}
		// the database: nobody over a limit, the counters exact
		assertThat(count("SELECT count(*) FROM coupons_coupons WHERE template_id = ?", one.value())).isEqualTo(5);
		assertThat(count("SELECT coalesce(sum(issued), 0) FROM coupons_stock_slots WHERE template_id = ?", one.value()))
			.isEqualTo(5);
		assertThat(count("SELECT coalesce(sum(issued), 0) FROM coupons_holdings WHERE template_id = ?", one.value()))
			.isEqualTo(5);
		assertThat(count("SELECT count(*) FROM coupons_holdings WHERE template_id = ? AND issued > 1", one.value()))
			.isZero();
		assertThat(count("SELECT count(*) FROM coupons_coupons WHERE template_id = ?", other.value())).isZero();
		assertThat(count("SELECT count(*) FROM coupons_coupons WHERE template_id = ?", daily.value())).isEqualTo(1);
		assertThat(count("SELECT count(*) FROM coupons_coupons WHERE template_id = ?", gold.value())).isEqualTo(1);
		assertThat(demo.owner.get("/api/v1/coupons/templates/" + one.value()).expect(200).json().path("counts")
			.path("issued").asInt()).isEqualTo(5);
	}

	@Test
	void a_batch_across_the_stocks_end_issues_exactly_the_stock_and_counts_nothing_for_the_refused() {
		CouponTemplateId five = create("name", "限量5张", "stock", 5, "perCustomerLimit", 1);
		List<CustomerId> customers = IntStream.range(0, 8).mapToObj(i -> someone()).toList();
		double alone = batched("alone");

		List<ClaimOutcome> outcomes = coupons
			.claimAll(customers.stream().map(c -> claim(c, five, "end")).toList());

		assertThat(outcomes.stream().map(CouponBatchClaimsIntegrationTest::answer).toList()).containsExactly("issued",
				"issued", "issued", "issued", "issued", "409 sold-out", "409 sold-out", "409 sold-out");
		// decided in the batch: no slot had room left anywhere
		assertThat(batched("alone")).isEqualTo(alone);
		assertThat(count("SELECT count(*) FROM coupons_coupons WHERE template_id = ?", five.value())).isEqualTo(5);
		assertThat(count("SELECT sum(issued) FROM coupons_stock_slots WHERE template_id = ?", five.value())).isEqualTo(5);
		assertThat(count("SELECT sum(issued) FROM coupons_holdings WHERE template_id = ?", five.value())).isEqualTo(5);
		for (CustomerId refused : customers.subList(5, 8)) {
			assertThat(count("SELECT coalesce(sum(issued), 0) FROM coupons_holdings WHERE template_id = ? AND customer_id = ?",
					five.value(), refused.value())).isZero();
		}
		// sold out from now on, without a transaction; the issued still get their replays
		assertThat(single(claim(customers.get(6), five, "again"))).isEqualTo("409 sold-out");
		assertThat(coupons.claimAll(List.of(claim(customers.get(0), five, "end"), claim(someone(), five, "x")))
			.stream()
			.map(CouponBatchClaimsIntegrationTest::answer)).containsExactly("replayed", "409 sold-out");
	}

	@Test
	void sixteen_threads_of_batches_with_retries_issue_exactly_the_stock_and_one_coupon_each() throws Exception {
		int customersN = 2_000;
		int stock = 1_000;
		int threads = 16;
		CouponTemplateId template = create("name", "批量秒杀", "stock", stock, "perCustomerLimit", 1);
		List<CustomerId> customers = IntStream.range(0, customersN).mapToObj(i -> someone()).toList();
		List<ClaimCommand> all = new ArrayList<>();
		for (int i = 0; i < 10_000; i++) {
			all.add(claim(customers.get(i % customersN), template, "storm-" + i));
		}
		Random random = new Random(11);
		for (int i = 0; i < 500; i++) {
			all.add(all.get(random.nextInt(10_000)));
		}
		Collections.shuffle(all, random);
		// batches of 64 to 256 claims, dealt to the threads in turn
		List<List<List<ClaimCommand>>> work = IntStream.range(0, threads).mapToObj(t -> new ArrayList<List<ClaimCommand>>())
			.collect(java.util.stream.Collectors.toList());
		for (int from = 0, n = 0; from < all.size(); n++) {
			int to = Math.min(all.size(), from + 64 + random.nextInt(193));
			work.get(n % threads).add(all.subList(from, to));
			from = to;
		}

		double batchedBefore = batched("batch");
		double aloneBefore = batched("alone");
		Map<String, UUID> couponByKey = new ConcurrentHashMap<>();
		Map<String, AtomicInteger> answers = new ConcurrentHashMap<>();
		Set<String> problems = ConcurrentHashMap.newKeySet();
		CyclicBarrier start = new CyclicBarrier(threads);
		long started = System.nanoTime();
		try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
			List<Future<?>> done = new ArrayList<>();
			for (List<List<ClaimCommand>> batches : work) {
				done.add(pool.submit(() -> {
					start.await();
					for (List<ClaimCommand> batch : batches) {
						List<ClaimOutcome> outcomes = coupons.claimAll(batch);
						for (int i = 0; i < batch.size(); i++) {
							ClaimOutcome o = outcomes.get(i);
							answers.computeIfAbsent(answer(o), a -> new AtomicInteger()).incrementAndGet();
							if (o.coupon() != null) {
								String key = batch.get(i).customer() + "|" + batch.get(i).requestKey();
								UUID first = couponByKey.putIfAbsent(key, o.coupon().id());
								if (first != null && !first.equals(o.coupon().id())) {
									problems.add("key " + key + " answered two coupons");
								}
								if (!o.coupon().customerId().equals(batch.get(i).customer())) {
									problems.add("a coupon of another customer for " + key);
								}
							}
						}
					}
					return null;
				}));
			}
			for (Future<?> f : done) {
				f.get();
			}
		}
		System.out.printf("batch claim storm: %d claims in %d batches on %d threads in %d ms, answers %s;"
				+ " %.0f issued in batch transactions, %.0f claims left to the single path%n", all.size(),
				work.stream().mapToInt(List::size).sum(), threads, Duration.ofNanos(System.nanoTime() - started).toMillis(),
				answers, batched("batch") - batchedBefore, batched("alone") - aloneBefore);

		assertThat(problems).isEmpty();
		assertThat(answers.keySet()).isSubsetOf("issued", "replayed", "409 sold-out", "409 limit-reached");
		assertThat(answers.get("issued").get()).isEqualTo(stock);
		assertThat(Set.copyOf(couponByKey.values())).hasSize(stock);
		UUID id = template.value();
		assertThat(count("SELECT sum(issued) FROM coupons_stock_slots WHERE template_id = ?", id)).isEqualTo(stock);
		assertThat(count("SELECT count(*) FROM coupons_coupons WHERE template_id = ?", id)).isEqualTo(stock);
		assertThat(count("SELECT count(DISTINCT customer_id) FROM coupons_coupons WHERE template_id = ?", id))
			.isEqualTo(stock);
		assertThat(count("SELECT sum(issued) FROM coupons_holdings WHERE template_id = ?", id)).isEqualTo(stock);
		assertThat(count("SELECT max(issued) FROM coupons_holdings WHERE template_id = ?", id)).isEqualTo(1);
		// every key answered with a coupon is that coupon's key
		couponByKey.forEach((key, coupon) -> {
			String issueKey = "customer:" + key;
			assertThat(jdbc.sql("SELECT id FROM coupons_coupons WHERE issue_key = ?").param(issueKey).query(UUID.class)
				.single()).as(key).isEqualTo(coupon);
		});
	}

	@Test
	void claims_beyond_the_free_slots_wait_alone_for_the_slots_another_claim_holds() throws Exception {
		// stock 16 in two slots of 8; another transaction holds slot 1
		CouponTemplateId template = create("name", "两槽", "stock", 16, "perCustomerLimit", 1);
		List<ClaimCommand> batch = IntStream.range(0, 10).mapToObj(i -> claim(someone(), template, "slots")).toList();
		double alone = batched("alone");
		List<ClaimOutcome> outcomes = whileHeld(batch,
				"SELECT slot FROM coupons_stock_slots WHERE template_id = ? AND slot = 1 FOR UPDATE", template.value());

		assertThat(outcomes).allSatisfy(o -> assertThat(answer(o)).isEqualTo("issued"));
		assertThat(jdbc.sql("SELECT issued FROM coupons_stock_slots WHERE template_id = ? ORDER BY slot")
			.param(template.value())
			.query(Integer.class)
			.list()).containsExactly(8, 2);
		assertThat(batched("alone") - alone).isEqualTo(2);
		assertThat(count("SELECT sum(issued) FROM coupons_holdings WHERE template_id = ?", template.value())).isEqualTo(10);
	}

	@Test
	void a_batch_whose_transaction_fails_is_issued_claim_by_claim() throws Exception {
		// another transaction is inserting a coupon under the first claim's key (a concurrent retry):
		// the batch's insert waits for it, fails on the key, and is rolled back whole
		CouponTemplateId template = create("name", "并发重试", "perCustomerLimit", 1);
		CustomerId retried = someone();
		CustomerId other = someone();
		UUID concurrent = UUID.randomUUID();
		double alone = batched("alone");
		String code = new Random().ints(16, 0, 32).mapToObj(i -> "23456789ABCDEFGHJKLMNPQRSTUVWXYZ".substring(i, i + 1))
			.collect(java.util.stream.Collectors.joining());
		List<ClaimOutcome> outcomes = whileHeld(List.of(claim(retried, template, "retry"), claim(other, template, "retry")),
				"""
						INSERT INTO coupons_coupons (id, code, template_id, customer_id, slot, status, channel, issue_key,
						  issued_by, valid_from, valid_until, issued_at)
						VALUES (?, ?, ?, ?, 0, 'ISSUED', 'CLAIM', ?, ?, now(), now() + interval '1 day', now())
						RETURNING id""",
				concurrent, code, template.value(), retried.value(), "customer:" + retried + "|retry",
				"customer:" + retried);

		assertThat(outcomes.stream().map(CouponBatchClaimsIntegrationTest::answer).toList()).containsExactly("replayed",
				"issued");
		assertThat(outcomes.getFirst().coupon().id()).isEqualTo(concurrent);
		assertThat(batched("alone") - alone).isEqualTo(2);
		assertThat(count("SELECT sum(issued) FROM coupons_stock_slots WHERE template_id = ?", template.value()))
			.isEqualTo(1);
		assertThat(count("SELECT sum(issued) FROM coupons_holdings WHERE template_id = ?", template.value())).isEqualTo(1);
	}

	/**
	 * Runs the batch while another transaction holds what {@code sql} takes; lets that transaction
	 * commit once the batch waits on one of its locks.
	 */
	List<ClaimOutcome> whileHeld(List<ClaimCommand> batch, String sql, Object... params) throws Exception {
		CountDownLatch held = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		try (ExecutorService threads = Executors.newFixedThreadPool(2)) {
			Future<?> holder = threads.submit(() -> tx.executeWithoutResult(s -> {
				jdbc.sql(sql).params(params).query().listOfRows();
				held.countDown();
				try {
					release.await();
				}
				catch (InterruptedException e) {
					throw new IllegalStateException(e);
				}
			}));
			held.await();
			Future<List<ClaimOutcome>> outcomes = threads.submit(() -> coupons.claimAll(batch));
			await().atMost(Duration.ofSeconds(30)).until(() -> count("SELECT count(*) FROM pg_stat_activity"
					+ " WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%coupons_%'") > 0);
			release.countDown();
			holder.get();
			return outcomes.get();
		}
	}

	/** Not a check: what a batch saves, printed for the record. */
	@Test
	void a_batch_of_two_hundred_costs_less_than_two_hundred_claims() {
		CouponTemplateId template = create("name", "计时", "stock", 10_000, "perCustomerLimit", 1);
		// warm both paths (template cache, statements)
		coupons.claim(someone(), template, "warm", null, null);
		coupons.claimAll(List.of(claim(someone(), template, "warm")));
		int n = 200;
		long t0 = System.nanoTime();
		for (int i = 0; i < n; i++) {
			coupons.claim(someone(), template, "one-" + i, "live", null);
		}
		long single = System.nanoTime() - t0;
		List<ClaimCommand> batch = IntStream.range(0, n).mapToObj(i -> claim(someone(), template, "many-" + i)).toList();
		long t1 = System.nanoTime();
		List<ClaimOutcome> outcomes = coupons.claimAll(batch);
		long batched = System.nanoTime() - t1;
		assertThat(outcomes).allSatisfy(o -> assertThat(answer(o)).isEqualTo("issued"));
		System.out.printf("claims: %d single in %.1f ms (%.3f ms each); one batch of %d in %.1f ms (%.3f ms each)%n", n,
				single / 1e6, single / 1e6 / n, n, batched / 1e6, batched / 1e6 / n);
	}
}
