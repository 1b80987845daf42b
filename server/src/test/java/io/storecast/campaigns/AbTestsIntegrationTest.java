package io.storecast.campaigns;

import static io.storecast.orders.OrderTesting.order;
import static io.storecast.orders.OrderTesting.with;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;

import com.github.kagkarlsson.scheduler.SchedulerClient;
import com.github.kagkarlsson.scheduler.task.TaskInstanceId;

import io.storecast.orders.OrderTesting;
import io.storecast.orders.OrdersIntegrationTest;
import io.storecast.support.Api;
import io.storecast.support.DemoFixture;
import tools.jackson.databind.JsonNode;

/**
 * A/B tests of campaigns over REST on the demo merchant: the audience split by the variants'
 * percentages with the rest held, each recipient sent exactly their variant's text, the winner — chosen
 * by hand, or by the campaign's metric when the test period is over — sent to the rest and to nobody
 * twice, each variant's figures with a 95% confidence interval, results by variant, and bad A/B
 * definitions refused with nothing saved. (The orders context: redemptions come by the orders webhook.)
 */
@OrdersIntegrationTest
class AbTestsIntegrationTest {

	@LocalServerPort
	int port;

	@Autowired
	JdbcClient jdbc;

	@Autowired
	SchedulerClient scheduler;

	DemoFixture demo;
	Api hq;

	@BeforeEach
	void setUp() {
		demo = new DemoFixture(port);
		hq = demo.staff("hq.marketer");
	}

	/** New customers of a store: their ids, each with their external id. */
	Map<String, String> customers(String storeCode, int n) {
		Map<String, String> ids = new LinkedHashMap<>();
		for (int i = 0; i < n; i++) {
			String externalId = "ab-" + UUID.randomUUID();
			ids.put(demo.owner.put("/api/v1/customers/external/" + externalId,
					Map.of("nickname", "顾客" + i, "homeStoreId", demo.node(storeCode))).expect(200).string("id"), externalId);
		}
		return ids;
	}

	Map<String, Object> campaign(List<String> customers, Object... overrides) {
		Map<String, Object> c = new HashMap<>(Map.of("name", "中秋 A/B", "purpose", "TRANSACTIONAL", "startsAt",
				Instant.now().minusSeconds(60).toString(), "endsAt", Instant.now().plus(Duration.ofDays(7)).toString(),
				"offer", Map.of("text", "满200减30", "product", "月饼礼盒"), "stores", List.of(demo.node("SH-NJR")), "route",
				List.of(Map.of("channel", "IN_APP")), "templates", Map.of("IN_APP", Map.of("zh-CN", "{nickname}您好,{product}上市")),
				"audience", Map.of("kind", "CUSTOMERS", "customerIds", customers)));
		for (int i = 0; i < overrides.length; i += 2) {
			c.put((String) overrides[i], overrides[i + 1]);
		}
		return c;
	}

	static Map<String, Object> variant(String key, String text) {
		return Map.of("key", key, "templates", Map.of("IN_APP", Map.of("zh-CN", text)));
	}

	static Map<String, Object> abTest(Object... fields) {
		Map<String, Object> ab = new HashMap<>();
		for (int i = 0; i < fields.length; i += 2) {
			ab.put((String) fields[i], fields[i + 1]);
		}
		return ab;
	}

	JsonNode awaitAb(String id, String status) {
		JsonNode[] last = new JsonNode[1];
		await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
			last[0] = hq.get("/api/v1/campaigns/" + id + "/ab").expect(200).json();
			assertThat(last[0].path("status").asString()).as("%s", last[0]).isEqualTo(status);
		});
		return last[0];
	}

	void awaitCampaign(String id, String status) {
		await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> assertThat(
				hq.get("/api/v1/campaigns/" + id).expect(200).string("status")).isEqualTo(status));
	}

	/** Every recipient of the campaign, as the API lists them. */
	List<JsonNode> recipients(String id) {
		List<JsonNode> all = new ArrayList<>();
		String after = null;
		do {
			JsonNode page = hq.get("/api/v1/campaigns/" + id + "/recipients?limit=200" + (after == null ? "" : "&after=" + after))
				.expect(200).json();
			page.path("items").forEach(all::add);
			after = page.path("nextCursor").isNull() || page.path("nextCursor").isMissingNode() ? null
					: page.path("nextCursor").asString();
		}
		while (after != null);
		return all;
	}

	/** The text each customer was sent (request key = customer), and how many messages each got. */
	Map<String, List<String>> texts(String id) {
		Map<String, List<String>> texts = new HashMap<>();
		jdbc.sql("SELECT request_key, content->>'text' FROM delivery_messages WHERE source = ?")
			.param("campaign:" + id)
			.query(rs -> {
				texts.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getString(2));
			});
		return texts;
	}

	static void assertInterval(JsonNode variant, double max) {
		JsonNode ci = variant.path("confidenceInterval");
		double value = variant.path("value").asDouble();
		assertThat(ci.path("level").asDouble()).isEqualTo(0.95);
		assertThat(ci.path("lower").asDouble()).isBetween(0.0, value);
		assertThat(ci.path("upper").asDouble()).isBetween(value, max);
		assertThat(ci.path("upper").asDouble()).isGreaterThan(ci.path("lower").asDouble());
	}

	@Test
	void the_audience_is_split_by_the_variants_the_rest_held_and_the_manual_winner_sent_to_the_rest_only() {
		Map<String, String> customers = customers("SH-NJR", 200);
		String id = hq.post("/api/v1/campaigns", campaign(List.copyOf(customers.keySet()), "abTest", abTest("variants",
				List.of(variant("A", "A版 {nickname}您好,{product}上市"), variant("B", "B版 {nickname},{store}的{product}到了"),
						variant("C", "C版 {product}限时优惠")),
				"split", List.of(50, 30, 20), "testFraction", 0.6, "metric", "READ_RATE", "winner", "MANUAL")))
			.expect(201)
			.string("id");
		assertThat(hq.get("/api/v1/campaigns/" + id + "/ab").expect(200).string("status")).isEqualTo("NOT_STARTED");
		hq.post("/api/v1/campaigns/" + id + "/send", Map.of()).expect(202);

		// the test part is handed off; the rest waits for the winner, the campaign still sending
		JsonNode testing = awaitAb(id, "TESTING");
		JsonNode campaign = hq.get("/api/v1/campaigns/" + id).expect(200).json();
		assertThat(campaign.path("status").asString()).isEqualTo("SENDING");
		long held = campaign.path("progress").path("held").asLong();
		assertThat(campaign.path("progress").path("skipped").asLong()).isZero();
		// 40% of 200 expected held (binomial sd ≈ 7)
		assertThat(held).isBetween(55L, 105L);
		assertThat(campaign.path("progress").path("handedOff").asLong()).isEqualTo(200 - held);
		assertThat(testing.path("rest").path("HELD").asLong()).isEqualTo(held);

		// each test recipient got their own variant's text, in proportion to the split; the held got nothing
		List<JsonNode> before = recipients(id);
		Map<String, List<String>> sent = texts(id);
		Map<String, Integer> perVariant = new HashMap<>();
		for (JsonNode r : before) {
			String customer = r.path("customerId").asString();
			if (r.path("status").asString().equals("HELD")) {
				assertThat(sent).doesNotContainKey(customer);
				continue;
			}
			String v = r.path("variant").asString();
			perVariant.merge(v, 1, Integer::sum);
			assertThat(sent.get(customer)).hasSize(1);
			assertThat(sent.get(customer).getFirst()).startsWith(v + "版");
		}
		long test = 200 - held;
		assertThat(perVariant.get("A") / (double) test).isCloseTo(0.5, within(0.15));
		assertThat(perVariant.get("B") / (double) test).isCloseTo(0.3, within(0.15));
		assertThat(perVariant.get("C") / (double) test).isCloseTo(0.2, within(0.15));
		for (JsonNode v : testing.path("variants")) {
			assertThat(v.path("recipients").asLong()).isEqualTo(perVariant.get(v.path("key").asString()).longValue());
		}
		// in-app messages are delivered at once: a rate on delivered with its interval
		await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
			for (JsonNode v : hq.get("/api/v1/campaigns/" + id + "/ab").expect(200).json().path("variants")) {
				assertThat(v.path("base").asLong()).isEqualTo(v.path("recipients").asLong());
				assertInterval(v, 1.0);
			}
		});

		// someone outside the campaign's store may not choose; a variant it does not have is refused
		demo.staff("hz-xh.manager").post("/api/v1/campaigns/" + id + "/ab/winner", Map.of("variant", "B")).expect(404);
		hq.post("/api/v1/campaigns/" + id + "/ab/winner", Map.of("variant", "D")).expectProblem(400, "unknown-variant");
		JsonNode chosen = hq.post("/api/v1/campaigns/" + id + "/ab/winner", Map.of("variant", "B")).expect(200).json();
		assertThat(chosen.path("winner").asString()).isEqualTo("B");
		assertThat(chosen.path("chosenBy").asString()).isEqualTo("hq.marketer");
		assertThat(chosen.path("chosenAt").isNull()).isFalse();
		hq.post("/api/v1/campaigns/" + id + "/ab/winner", Map.of("variant", "A")).expectProblem(409, "winner-already-chosen");

		awaitCampaign(id, "SENT");
		JsonNode done = awaitAb(id, "SENT_TO_REST");
		assertThat(done.path("rest").path("HANDED_OFF").asLong()).isEqualTo(held);
		// the rest got B's text, everybody exactly one message
		Map<String, List<String>> after = texts(id);
		assertThat(after).hasSize(200);
		Map<String, String> variantBefore = new HashMap<>();
		before.forEach(r -> variantBefore.put(r.path("customerId").asString(), r.path("status").asString().equals("HELD") ? null
				: r.path("variant").asString()));
		for (JsonNode r : recipients(id)) {
			String customer = r.path("customerId").asString();
			assertThat(r.path("status").asString()).isEqualTo("HANDED_OFF");
			assertThat(after.get(customer)).hasSize(1);
			String expected = variantBefore.get(customer) == null ? "B" : variantBefore.get(customer);
			assertThat(r.path("variant").asString()).isEqualTo(expected);
			assertThat(after.get(customer).getFirst()).startsWith(expected + "版");
		}
		// the test's figures leave the rest out; results by variant count the rest under the winner
		for (JsonNode v : done.path("variants")) {
			assertThat(v.path("recipients").asLong()).isEqualTo(perVariant.get(v.path("key").asString()).longValue());
		}
		Map<String, Long> byVariant = new HashMap<>();
		JsonNode results = hq.get("/api/v1/campaigns/" + id + "/results?by=VARIANT").expect(200).json();
		results.path("rows").forEach(r -> byVariant.put(r.path("key").asString(), r.path("figures").path("recipients").asLong()));
		assertThat(byVariant).containsOnlyKeys("A", "B", "C");
		assertThat(byVariant.get("A")).isEqualTo(perVariant.get("A").longValue());
		assertThat(byVariant.get("B")).isEqualTo(perVariant.get("B") + held);
		assertThat(results.path("totals").path("recipients").asLong()).isEqualTo(200);
	}

	@Test
	void auto_picks_the_variant_with_the_higher_redemption_rate_when_the_test_period_is_over() {
		OrderTesting.ensureSkus(demo);
		OrderTesting.Webhook webhook = new OrderTesting.Webhook(port);
		String template = demo.owner.post("/api/v1/coupons/templates", Map.of("name", "A/B 满200减30", "kind", "AMOUNT_OFF",
				"discountFen", 3000, "thresholdFen", 20000, "validFrom", Instant.now().minusSeconds(3600).toString(),
				"validUntil", Instant.now().plus(Duration.ofDays(30)).toString(), "stock", 1000))
			.expect(201)
			.string("id");
		Map<String, String> customers = customers("SH-NJR", 40);
		String id = hq.post("/api/v1/campaigns", campaign(List.copyOf(customers.keySet()), "offer",
				Map.of("text", "满200减30", "product", "月饼礼盒", "couponTemplateId", template), "abTest", abTest("variants",
						List.of(variant("A", "A版 {nickname}您好,券码{coupon}"), variant("B", "B版 {nickname},{product}满200减30,券码{coupon}")),
						"split", List.of(50, 50), "testFraction", 0.5, "metric", "REDEMPTION_RATE", "winner", "AUTO",
						"testPeriod", "PT1H")))
			.expect(201)
			.string("id");
		hq.post("/api/v1/campaigns/" + id + "/send", Map.of()).expect(202);
		JsonNode testing = awaitAb(id, "TESTING");
		// the decision waits in the persistent schedule for the end of the test period
		Instant testSent = Instant.parse(testing.path("testSentAt").asString());
		assertThat(Instant.parse(testing.path("decideAt").asString())).isEqualTo(testSent.plus(Duration.ofHours(1)));
		assertThat(jdbc.sql("SELECT execution_time FROM scheduled_tasks WHERE task_name = 'campaigns-ab-decide' AND task_instance = ?")
			.param(id).query(java.sql.Timestamp.class).single().toInstant()).isEqualTo(testSent.plus(Duration.ofHours(1)));

		// every B recipient redeems the coupon they were granted; no A recipient does
		List<JsonNode> before = recipients(id);
		long redeemers = 0;
		for (JsonNode r : before) {
			if (r.path("variant").asString().equals("B")) {
				buy(webhook, customers.get(r.path("customerId").asString()), r.path("couponCode").asString());
				redeemers++;
			}
		}
		assertThat(redeemers).isPositive();
		long b = redeemers;
		await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
			JsonNode ab = hq.get("/api/v1/campaigns/" + id + "/ab").expect(200).json();
			assertThat(ab.path("variants").get(1).path("redeemed").asLong()).isEqualTo(b);
		});
		JsonNode measured = hq.get("/api/v1/campaigns/" + id + "/ab").expect(200).json();
		JsonNode a = measured.path("variants").get(0);
		JsonNode bView = measured.path("variants").get(1);
		assertThat(a.path("value").asDouble()).isZero();
		assertThat(bView.path("value").asDouble()).isEqualTo(1.0);
		assertInterval(a, 1.0);
		assertInterval(bView, 1.0);
		assertThat(a.path("confidenceInterval").path("upper").asDouble()).isPositive();
		assertThat(bView.path("confidenceInterval").path("lower").asDouble()).isLessThan(1.0);

		// the test period ends (run the task now rather than waiting an hour)
		assertThat(scheduler.reschedule(TaskInstanceId.of("campaigns-ab-decide", id), Instant.now())).isTrue();
		JsonNode done = awaitAb(id, "SENT_TO_REST");
		assertThat(done.path("winner").asString()).isEqualTo("B");
		assertThat(done.path("chosenBy").asString()).isEqualTo("auto");
		assertThat(done.path("reason").asString()).contains("REDEMPTION_RATE").contains("winner B");
		awaitCampaign(id, "SENT");
		Map<String, List<String>> sent = texts(id);
		assertThat(sent).hasSize(40);
		sent.values().forEach(t -> assertThat(t).hasSize(1));
		long rest = before.stream().filter(r -> r.path("status").asString().equals("HELD")).count();
		assertThat(sent.values().stream().filter(t -> t.getFirst().startsWith("B版")).count()).isEqualTo(b + rest);
		// results by variant: the redemptions and their revenue count for B
		Map<String, JsonNode> byVariant = new HashMap<>();
		hq.get("/api/v1/campaigns/" + id + "/results?by=VARIANT").expect(200).json().path("rows")
			.forEach(r -> byVariant.put(r.path("key").asString(), r.path("figures")));
		assertThat(byVariant.get("B").path("redeemed").asLong()).isEqualTo(b);
		assertThat(byVariant.get("B").path("revenueFen").asLong()).isEqualTo(b * 22_600);
		assertThat(byVariant.get("A").path("redeemed").asLong()).isZero();
		// the decision does not run twice: a winner chosen by hand now is refused
		hq.post("/api/v1/campaigns/" + id + "/ab/winner", Map.of("variant", "A")).expectProblem(409, "winner-already-chosen");
	}

	/** A paid order of two mooncake boxes (226 yuan after the coupon) with the code, by the webhook. */
	static void buy(OrderTesting.Webhook webhook, String customerExternalId, String code) {
		String number = "AB-" + UUID.randomUUID();
		Instant t0 = Instant.now().minusSeconds(30);
		Map<String, Object> body = with(with(with(order(customerExternalId, "SH-NJR", 22_600, "TS-MOONCAKE-6", 2, 12_800),
				"discountFen", 3000), "couponCodes", List.of(code)), "externalId", number);
		webhook.send(CampaignResultsIntegrationTest.envelope("order.upsert", with(body, "placedAt", t0.toString()))).expect(200);
		webhook.send(CampaignResultsIntegrationTest.envelope("order.status", Map.of("externalId", number, "status", "PAID",
				"occurredAt", t0.plusSeconds(5).toString()))).expect(200);
	}

	@Test
	void bad_ab_tests_are_refused_naming_the_field_and_nothing_is_saved() {
		List<String> customers = List.copyOf(customers("SH-NJR", 1).keySet());
		List<Object> two = List.of(variant("A", "A版 {nickname}"), variant("B", "B版 {nickname}"));
		long campaigns = jdbc.sql("SELECT count(*) FROM campaigns_campaigns").query(Long.class).single();
		record Bad(Map<String, Object> abTest, String code, String field) {
		}
		List<Bad> bad = List.of(
				new Bad(abTest("variants", List.of(variant("A", "x")), "split", List.of(100), "metric", "READ_RATE"),
						"invalid-variants", "abTest.variants"),
				new Bad(abTest("variants", List.of(variant("A", "a"), variant("B", "b"), variant("C", "c"), variant("D", "d"),
						variant("A", "e")), "split", List.of(20, 20, 20, 20, 20), "metric", "READ_RATE"), "invalid-variants",
						"abTest.variants"),
				new Bad(abTest("variants", List.of(variant("A", "a"), variant("E", "e")), "split", List.of(50, 50), "metric",
						"READ_RATE"), "invalid-variants", "abTest.variants[1].key"),
				new Bad(abTest("variants", List.of(variant("A", "a"), variant("A", "b")), "split", List.of(50, 50), "metric",
						"READ_RATE"), "duplicate-variant", "abTest.variants[1].key"),
				new Bad(abTest("variants", two, "split", List.of(50, 40), "metric", "READ_RATE"), "invalid-split", "abTest.split"),
				new Bad(abTest("variants", two, "split", List.of(100), "metric", "READ_RATE"), "invalid-split", "abTest.split"),
				new Bad(abTest("variants", two, "split", List.of(50, 50), "testFraction", 0, "metric", "READ_RATE"),
						"invalid-test-fraction", "abTest.testFraction"),
				new Bad(abTest("variants", two, "split", List.of(50, 50), "testFraction", 1.5, "metric", "READ_RATE"),
						"invalid-test-fraction", "abTest.testFraction"),
				new Bad(abTest("variants", two, "split", List.of(50, 50), "metric", "OPEN_RATE"), "invalid-value",
						"abTest.metric"),
				new Bad(abTest("variants", two, "split", List.of(50, 50), "metric", "READ_RATE", "winner", "AUTO"),
						"missing-test-period", "abTest.testPeriod"),
				new Bad(abTest("variants", two, "split", List.of(50, 50), "metric", "REDEMPTION_RATE"), "metric-needs-coupon",
						"abTest.metric"),
				new Bad(abTest("variants", two, "split", List.of(50, 50), "metric", "REVENUE_PER_RECIPIENT", "winner", "AUTO",
						"testPeriod", "PT4H"), "metric-needs-coupon", "abTest.metric"),
				new Bad(abTest("variants", List.of(variant("A", "a"), variant("B", "{nickname}的{shoeSize}")), "split",
						List.of(50, 50), "metric", "READ_RATE"), "unknown-template-variable",
						"abTest.variants[1].templates.IN_APP.zh-CN"),
				new Bad(abTest("variants", List.of(variant("A", "a"), variant("B", "长".repeat(4001))), "split", List.of(50, 50),
						"metric", "READ_RATE"), "template-too-long", "abTest.variants[1].templates.IN_APP.zh-CN"));
		for (Bad b : bad) {
			Api.Response response = hq.post("/api/v1/campaigns", campaign(customers, "abTest", b.abTest()));
			response.expectProblem(400, b.code());
			assertThat(response.errorFields()).as("%s", response.json()).contains(b.field());
		}
		assertThat(jdbc.sql("SELECT count(*) FROM campaigns_campaigns").query(Long.class).single()).isEqualTo(campaigns);

		// an A/B campaign scheduled for later has no test part handed off yet: no winner; nothing sent
		String later = hq.post("/api/v1/campaigns", campaign(customers, "abTest",
				abTest("variants", two, "split", List.of(50, 50), "metric", "CLICK_RATE"))).expect(201).string("id");
		hq.post("/api/v1/campaigns/" + later + "/send", Map.of("at", Instant.now().plus(Duration.ofHours(2)).toString()))
			.expect(202);
		hq.post("/api/v1/campaigns/" + later + "/ab/winner", Map.of("variant", "A")).expectProblem(409, "ab-test-not-sent");
		assertThat(hq.get("/api/v1/campaigns/" + later + "/ab").expect(200).string("status")).isEqualTo("NOT_STARTED");
		assertThat(texts(later)).isEmpty();
		// a campaign without a test has no A/B view
		String plain = hq.post("/api/v1/campaigns", campaign(customers)).expect(201).string("id");
		hq.get("/api/v1/campaigns/" + plain + "/ab").expectProblem(409, "not-an-ab-test");
		hq.post("/api/v1/campaigns/" + plain + "/ab/winner", Map.of("variant", "A")).expectProblem(409, "not-an-ab-test");
	}
}
