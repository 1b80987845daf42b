package io.storecast.campaigns;

import static io.storecast.orders.OrderTesting.order;
import static io.storecast.orders.OrderTesting.with;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;

import io.storecast.orders.OrderTesting;
import io.storecast.orders.OrderTesting.Customer;
import io.storecast.orders.OrdersIntegrationTest;
import io.storecast.support.Api;
import io.storecast.support.DemoFixture;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The end of scenario S3 over REST on the demo merchant, orders arriving by the signed webhook: HQ's
 * promotion forwarded by two East store managers to their customers, who follow the tracked link,
 * claim the coupon from the campaign, buy and redeem it; one order is cancelled. HQ sees per store
 * and per forwarding employee what each achieved — delivered, read, claimed, redeemed, revenue,
 * coupon cost and ROI — over the API and as CSV. (The orders context: the webhook needs its secret.)
 */
@OrdersIntegrationTest
class CampaignResultsIntegrationTest {

	static final JsonMapper JSON = JsonMapper.builder().build();
	static final String TARGET = "https://shop.example.com/mooncakes?from=sms";
	static final Pattern LINK = Pattern.compile("/l/([A-Za-z0-9_-]+)");

	@LocalServerPort
	int port;

	@Autowired
	JdbcClient jdbc;

	DemoFixture demo;
	OrderTesting.Webhook webhook;

	@BeforeEach
	void setUp() {
		demo = new DemoFixture(port);
		OrderTesting.ensureSkus(demo);
		webhook = new OrderTesting.Webhook(port);
	}

	String couponTemplate() {
		return demo.owner.post("/api/v1/coupons/templates", Map.of("name", "月饼礼盒 满200减30", "kind", "AMOUNT_OFF",
				"discountFen", 3000, "thresholdFen", 20000, "validFrom", Instant.now().minusSeconds(3600).toString(),
				"validUntil", Instant.now().plus(Duration.ofDays(30)).toString(), "stock", 1000))
			.expect(201)
			.string("id");
	}

	Map<String, Object> campaign(Object... overrides) {
		Map<String, Object> c = new HashMap<>(Map.of("name", "月饼礼盒 满200减30", "purpose", "TRANSACTIONAL", "startsAt",
				Instant.now().minusSeconds(60).toString(), "endsAt", Instant.now().plus(Duration.ofDays(7)).toString(),
				"offer", Map.of("text", "满200减30", "product", "月饼礼盒", "link", TARGET), "stores",
				List.of(demo.node("EAST")), "route", List.of(Map.of("channel", "IN_APP")), "templates",
				Map.of("IN_APP", Map.of("zh-CN", "{nickname}您好,{store}的{product}满200减30,领券 {link} 退订 {unsubscribe}")),
				"audience", Map.of("kind", "STORES")));
		for (int i = 0; i < overrides.length; i += 2) {
			c.put((String) overrides[i], overrides[i + 1]);
		}
		return c;
	}

	/** The campaign's message in the customer's conversation with the store. */
	static String message(Customer customer, String storeId, String campaignText) {
		String conversation = customer.api().post("/api/v1/conversations/direct", Map.of("storeId", storeId))
			.expect(200)
			.string("id");
		String[] text = new String[1];
		await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
			JsonNode history = customer.api().get("/api/v1/conversations/" + conversation + "/messages?limit=200").expect(200).json();
			text[0] = history.valueStream()
				// a text, or the text of a coupon card (a campaign whose customers claim its coupon)
				.map(m -> m.path("body").path("text").asString(m.path("body").path("payload").path("text").asString("")))
				.filter(t -> t.contains(campaignText))
				.findFirst()
				.orElse(null);
			assertThat(text[0]).isNotNull();
		});
		return text[0];
	}

	String claim(Customer customer, String template, String campaignId) {
		return customer.api().header("Idempotency-Key", "claim-" + UUID.randomUUID())
			.post("/api/v1/coupons/templates/" + template + "/claims", Map.of("source", "campaign", "sourceRef", campaignId))
			.expect(201)
			.string("code");
	}

	/** An order of two mooncake boxes (256 yuan) using the code, paid, by the webhook; its number. */
	String buy(Customer customer, String storeCode, String code) {
		String number = "S3-" + UUID.randomUUID();
		Instant t0 = Instant.now().minusSeconds(30);
		Map<String, Object> body = with(with(with(order(customer.externalId(), storeCode, 22_600, "TS-MOONCAKE-6", 2, 12_800),
				"discountFen", 3000), "couponCodes", List.of(code)), "externalId", number);
		webhook.send(envelope("order.upsert", with(body, "placedAt", t0.toString()))).expect(200);
		webhook.send(envelope("order.status", Map.of("externalId", number, "status", "PAID", "occurredAt",
				t0.plusSeconds(5).toString()))).expect(200);
		return number;
	}

	static String envelope(String type, Map<String, Object> data) {
		Map<String, Object> envelope = new LinkedHashMap<>();
		envelope.put("eventId", "evt-" + UUID.randomUUID());
		envelope.put("type", type);
		envelope.put("data", data);
		return JSON.writeValueAsString(envelope);
	}

	static Map<String, JsonNode> rows(JsonNode results) {
		Map<String, JsonNode> rows = new HashMap<>();
		results.path("rows").forEach(r -> rows.put(r.path("label").asString("(none)"), r.path("figures")));
		return rows;
	}

	@Test
	void s3_hq_sees_per_store_and_employee_what_the_forwards_achieved_and_a_cancelled_order_leaves_the_figures() {
		Api hq = demo.staff("hq.marketer");
		String template = couponTemplate();
		// customers of two East stores, registered before the managers forward
		Customer ann = Customer.of(demo, "SH-NJR");
		Customer bo = Customer.of(demo, "SH-NJR");
		Customer cai = Customer.of(demo, "HZ-XH");
		String source = hq.post("/api/v1/campaigns", campaign("offer", Map.of("text", "满200减30", "product", "月饼礼盒",
				"link", TARGET, "couponTemplateId", template, "couponMode", "CLAIM"))).expect(201).string("id");
		String notice = hq.post("/api/v1/staff-notices", Map.of("campaignId", source, "audience",
				Map.of("nodes", List.of(demo.node("EAST")), "roles", List.of("STORE_MANAGER")))).expect(201).string("id");
		await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
				hq.get("/api/v1/staff-notices/" + notice).expect(200).json().path("status").asString()).isEqualTo("OPEN"));
		String shChild = demo.staff("sh-njr.manager").post("/api/v1/campaigns/" + source + "/forwards", Map.of())
			.expect(201).string("childId");
		String hzChild = demo.staff("hz-xh.manager").post("/api/v1/campaigns/" + source + "/forwards", Map.of())
			.expect(201).string("childId");

		// each customer got the message with a tracked link of their own, and the unsubscribe link
		String annText = message(ann, demo.node("SH-NJR"), "满200减30,领券");
		String boText = message(bo, demo.node("SH-NJR"), "满200减30,领券");
		message(cai, demo.node("HZ-XH"), "满200减30,领券");
		assertThat(annText).contains("退订 /api/v1/unsubscribe/");
		Matcher m = LINK.matcher(annText);
		assertThat(m.find()).isTrue();
		String annLink = m.group();
		assertThat(m.group(1).length()).isBetween(12, 22);
		Matcher b = LINK.matcher(boText);
		assertThat(b.find()).isTrue();
		assertThat(b.group()).isNotEqualTo(annLink);

		// following the link counts the click and redirects to the offer's page; twice is one clicker
		Api.Response followed = demo.anonymous.get(annLink);
		assertThat(followed.status()).isEqualTo(302);
		assertThat(followed.header("Location")).isEqualTo(TARGET);
		demo.anonymous.get(annLink).expect(302);
		// clicks at once are all counted (one statement each, no read-modify-write)
		String boLink = b.group();
		try (var threads = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
			for (int i = 0; i < 20; i++) {
				threads.submit(() -> demo.anonymous.get(boLink).expect(302));
			}
		}
		assertThat(jdbc.sql("SELECT clicks FROM campaigns_recipients WHERE campaign_id = ? AND customer_id = ?")
			.params(UUID.fromString(shChild), UUID.fromString(bo.id())).query(Integer.class).single()).isEqualTo(20);

		// they claim from the campaign (the card's claim: source campaign, sourceRef the campaign) and buy
		String annCode = claim(ann, template, shChild);
		String boCode = claim(bo, template, shChild);
		String caiCode = claim(cai, template, hzChild);
		buy(ann, "SH-NJR", annCode);
		String boOrder = buy(bo, "SH-NJR", boCode);
		buy(cai, "HZ-XH", caiCode);
		// Ann replies in the store's conversation
		String annChat = ann.api().post("/api/v1/conversations/direct", Map.of("storeId", demo.node("SH-NJR"))).expect(200).string("id");
		ann.api().header("Idempotency-Key", "reply-" + UUID.randomUUID())
			.post("/api/v1/conversations/" + annChat + "/messages", Map.of("kind", "TEXT", "body", Map.of("text", "月饼还有货吗?")))
			.expect(201);

		await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
			Map<String, JsonNode> stores = rows(hq.get("/api/v1/campaigns/" + source + "/results?by=STORE").expect(200).json());
			assertThat(stores.get("上海南京路店").path("redeemed").asLong()).isEqualTo(2);
			assertThat(stores.get("上海南京路店").path("revenueFen").asLong()).isEqualTo(45_200);
			assertThat(stores.get("上海南京路店").path("replied").asLong()).isEqualTo(1);
			assertThat(stores.get("杭州西湖店").path("revenueFen").asLong()).isEqualTo(22_600);
		});

		// Bo's order is cancelled: the coupon comes back to Bo, and the revenue figure no longer counts it
		webhook.send(envelope("order.status", Map.of("externalId", boOrder, "status", "CANCELLED", "occurredAt",
				Instant.now().toString()))).expect(200);
		await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
				bo.api().get("/api/v1/coupons/mine?status=ISSUED").expect(200).json().findValuesAsString("code"))
			.contains(boCode));
		JsonNode[] results = new JsonNode[1];
		await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
			results[0] = hq.get("/api/v1/campaigns/" + source + "/results?by=STORE").expect(200).json();
			JsonNode row = rows(results[0]).get("上海南京路店");
			assertThat(row.path("revenueFen").asLong()).isEqualTo(22_600);
			assertThat(row.path("recipients").asLong()).isPositive();
			assertThat(row.path("delivered").asLong()).isEqualTo(row.path("recipients").asLong());
		});
		JsonNode sh = rows(results[0]).get("上海南京路店");
		assertThat(sh.path("forwarded").asLong()).isEqualTo(1);
		assertThat(sh.path("clicked").asLong()).isEqualTo(2);
		assertThat(sh.path("claimed").asLong()).isEqualTo(2);
		assertThat(sh.path("redeemed").asLong()).isEqualTo(1);
		assertThat(sh.path("couponCostFen").asLong()).isEqualTo(3000);
		assertThat(sh.path("redemptionRate").asDouble()).isEqualTo(0.5);
		// (22,600 - 3,000) / 3,000
		assertThat(sh.path("roi").asDouble()).isEqualTo(6.5333);
		JsonNode totals = results[0].path("totals");
		assertThat(totals.path("claimed").asLong()).isEqualTo(3);
		assertThat(totals.path("redeemed").asLong()).isEqualTo(2);
		assertThat(totals.path("revenueFen").asLong()).isEqualTo(45_200);
		assertThat(totals.path("couponCostFen").asLong()).isEqualTo(6000);
		assertThat(totals.path("forwarded").asLong()).isEqualTo(2);
		assertThat(results[0].path("forwards").asInt()).isEqualTo(2);
		assertThat(results[0].path("attributionWindow").asString()).isEqualTo("PT336H");

		// per forwarding employee, and in the cascade's roll-up and leaderboard
		Map<String, JsonNode> employees = rows(hq.get("/api/v1/campaigns/" + source + "/results?by=EMPLOYEE").expect(200).json());
		assertThat(employees.get("王店长").path("revenueFen").asLong()).isEqualTo(22_600);
		assertThat(employees.get("赵店长").path("claimed").asLong()).isEqualTo(1);
		JsonNode rollUp = hq.get("/api/v1/campaigns/" + source + "/cascade").expect(200).json();
		assertThat(rollUp.path("totals").path("revenueFen").asLong()).isEqualTo(45_200);
		assertThat(rollUp.path("totals").path("couponCostFen").asLong()).isEqualTo(6000);
		assertThat(rollUp.path("totals").path("roi").asDouble()).isEqualTo(6.5333);
		for (JsonNode e : rollUp.path("byEmployee")) {
			assertThat(e.path("metrics").path("redeemed").asLong()).isEqualTo(1);
		}
		JsonNode board = hq.get("/api/v1/campaigns/" + source + "/leaderboard?by=STORE&metric=REVENUE").expect(200).json();
		assertThat(board.path("places").get(0).path("value").asLong()).isEqualTo(22_600);
		assertThat(board.path("places").get(0).path("rank").asInt()).isEqualTo(1);
		assertThat(board.path("places").get(1).path("rank").asInt()).isEqualTo(1);

		// by channel and by hour add up to the same totals
		JsonNode byChannel = hq.get("/api/v1/campaigns/" + source + "/results?by=CHANNEL").expect(200).json();
		assertThat(rows(byChannel).get("IN_APP").path("claimed").asLong()).isEqualTo(3);
		JsonNode byHour = hq.get("/api/v1/campaigns/" + source + "/results?by=HOUR").expect(200).json();
		// (a read may be reported between two requests: compare once nothing moves)
		await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(
				hq.get("/api/v1/campaigns/" + source + "/results?by=HOUR").expect(200).json().path("totals"))
			.isEqualTo(hq.get("/api/v1/campaigns/" + source + "/results?by=STORE").expect(200).json().path("totals")));
		assertThat(byHour.path("rows").get(0).path("key").asString()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:00:00Z");
		// labelled in the merchant's zone (the demo head office is in Asia/Shanghai)
		JsonNode firstHour = byHour.path("rows").get(0);
		assertThat(firstHour.path("label").asString()).isEqualTo(
				Instant.parse(firstHour.path("key").asString()).atZone(java.time.ZoneId.of("Asia/Shanghai"))
					.toOffsetDateTime().toString()).endsWith(":00+08:00");
		assertThat(hq.get("/api/v1/campaigns/" + shChild + "/results?by=VARIANT").expect(200).json().path("rows").get(0)
			.path("key").asString()).isEqualTo("A");

		// the same as CSV, for Excel: UTF-8 with a byte order mark
		Api.Response csv = hq.get("/api/v1/campaigns/" + source + "/results?by=STORE&format=csv").expect(200);
		assertThat(csv.header("Content-Type")).startsWith("text/csv");
		assertThat(csv.header("Content-Disposition")).contains("results-by-store.csv");
		String body = csv.raw().body();
		assertThat(body).startsWith("\uFEFFstore,label,recipients,sent,delivered,read,failed,clicked");
		assertThat(body).contains(",上海南京路店,").contains("\r\ntotal,合计 Total,");
		assertThat(body.lines().filter(l -> l.contains("上海南京路店")).findFirst().orElseThrow())
			// (the read rate is left out: a read may be reported between the two requests)
			.contains(",2,1,1,22600,3000,")
			.endsWith("," + sh.path("clickRate").asString() + ",0.5,6.5333");
		assertThat(hq.header("Accept", "text/csv").get("/api/v1/campaigns/" + source + "/results").expect(200).raw().body()
			.getBytes(StandardCharsets.UTF_8)).startsWith(0xEF, 0xBB, 0xBF);
	}

	@Test
	void bad_input_is_refused_clearly_and_changes_nothing() {
		Api hq = demo.staff("hq.marketer");
		String id = hq.post("/api/v1/campaigns", campaign()).expect(201).string("id");
		hq.get("/api/v1/campaigns/" + id + "/results?by=COLOUR").expectProblem(400, "invalid-value");
		assertThat(hq.get("/api/v1/campaigns/" + id + "/results?format=xml").expectProblem(400, "validation-failed")
			.errorFields()).containsExactly("format");
		demo.staff("gz-th.manager").get("/api/v1/campaigns/" + id + "/results").expectProblem(404, "not-found");
		demo.staff("sz-gqj.clerk1").get("/api/v1/campaigns/" + id + "/results").expectProblem(403, "forbidden");
		hq.get("/api/v1/campaigns/" + UUID.randomUUID() + "/results").expectProblem(404, "not-found");
		demo.anonymous.get("/api/v1/campaigns/" + id + "/results").expectProblem(401, "unauthenticated");
		JsonNode empty = hq.get("/api/v1/campaigns/" + id + "/results").expect(200).json();
		assertThat(empty.path("rows").size()).isZero();
		assertThat(empty.path("totals").path("roi").isNull()).isTrue();

		// a link target is an absolute http(s) URL; couponMode needs a coupon; a claimed coupon is not {coupon}
		long before = jdbc.sql("SELECT count(*) FROM campaigns_campaigns").query(Long.class).single();
		for (String bad : List.of("ftp://shop.example.com/x", "javascript:alert(1)", "/relative", "https://", "not a url")) {
			assertThat(hq.post("/api/v1/campaigns", campaign("offer", Map.of("text", "满200减30", "link", bad)))
				.expectProblem(400, "validation-failed")
				.errorFields()).as(bad).containsExactly("offer.link");
		}
		assertThat(hq.post("/api/v1/campaigns", campaign("offer", Map.of("text", "满200减30", "couponMode", "CLAIM")))
			.expectProblem(400, "validation-failed")
			.errorFields()).containsExactly("offer.couponMode");
		hq.post("/api/v1/campaigns", campaign("offer", Map.of("text", "满200减30", "couponMode", "LATER")))
			.expectProblem(400, "invalid-value");
		assertThat(hq.post("/api/v1/campaigns", campaign("offer", Map.of("text", "满200减30", "couponTemplateId",
				couponTemplate(), "couponMode", "CLAIM"), "templates", Map.of("IN_APP", Map.of("zh-CN", "券码{coupon}"))))
			.expectProblem(400, "unknown-template-variable")
			.errorFields()).containsExactly("templates.IN_APP.zh-CN");
		assertThat(jdbc.sql("SELECT count(*) FROM campaigns_campaigns").query(Long.class).single()).isEqualTo(before);

		// forged, damaged or unknown links: a page saying so, nothing counted
		long clicks = jdbc.sql("SELECT coalesce(sum(clicks), 0) FROM campaigns_recipients").query(Long.class).single();
		for (String token : List.of("AAAAAAAAAAAAAAAA", "x", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "a.b.c.d.e.f.g",
				"AQAAAAAAAAAA", "++++++++++++")) {
			Api.Response page = demo.anonymous.get("/l/" + token);
			assertThat(page.status()).as(token).isEqualTo(404);
			assertThat(page.header("Content-Type")).startsWith("text/html");
			assertThat(page.raw().body()).contains("链接无效");
		}
		assertThat(jdbc.sql("SELECT coalesce(sum(clicks), 0) FROM campaigns_recipients").query(Long.class).single())
			.isEqualTo(clicks);
	}

	@Test
	void without_offer_link_the_link_variable_stays_the_unsubscribe_link() {
		Customer dee = Customer.of(demo, "SZ-GQJ");
		Api manager = demo.staff("sz-gqj.manager");
		String id = manager.post("/api/v1/campaigns", campaign("offer", Map.of("text", "满200减30"), "stores",
				List.of(demo.node("SZ-GQJ")), "audience", Map.of("kind", "CUSTOMERS", "customerIds", List.of(dee.id())),
				"templates", Map.of("IN_APP", Map.of("zh-CN", "苏州观前街店满200减30,退订 {link}")))).expect(201).string("id");
		manager.post("/api/v1/campaigns/" + id + "/send", Map.of()).expect(202);
		assertThat(message(dee, demo.node("SZ-GQJ"), "苏州观前街店满200减30")).contains("退订 /api/v1/unsubscribe/")
			.doesNotContain("/l/");
		await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(manager
			.get("/api/v1/campaigns/" + id + "/results?by=CHANNEL").expect(200).json().path("totals").path("delivered")
			.asLong()).isEqualTo(1));
	}
}
