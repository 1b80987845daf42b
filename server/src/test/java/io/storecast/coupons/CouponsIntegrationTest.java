package io.storecast.coupons;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.task.TaskInstanceId;
import com.github.kagkarlsson.scheduler.task.helper.RecurringTask;

import io.storecast.coupons.internal.TestCodes;
import io.storecast.identity.CustomerId;
import io.storecast.identity.OrgNodeId;
import io.storecast.support.Api;
import io.storecast.support.DemoFixture;
import io.storecast.support.StorecastIntegrationTest;
import tools.jackson.databind.JsonNode;

/**
 * Coupons end to end: templates checked field by field; claims and grants idempotent on their key,
 * within limits, audience and window; codes that refuse typos; carts priced with reasons; redemption
 * exactly once and its rollback (over REST and the Java API the orders module will call); the expiry
 * job on its persistent schedule; the events of all of it. Bad input changes nothing.
 */
@StorecastIntegrationTest
class CouponsIntegrationTest {

	@LocalServerPort
	int port;

	@Autowired
	JdbcClient jdbc;

	@Autowired
	Coupons coupons;

	@Autowired
	Scheduler scheduler;

	@Autowired
	ConfigurableApplicationContext context;

	DemoFixture demo;
	Api marketing;
	Api pos;
	String tokenKey;
	CouponEvents events;

	@BeforeEach
	void setUp() {
		demo = new DemoFixture(port);
		marketing = demo.anonymous.as(demo.apiKey("promotions", "coupons:write", "customers:read"));
		pos = demo.anonymous.as(demo.apiKey("pos", "coupons:redeem"));
		tokenKey = demo.apiKey("shop", "customers:token");
		events = new CouponEvents(context);
	}

	@AfterEach
	void tearDown() {
		events.close();
	}

	// --- fixtures -----------------------------------------------------------------------------------

	static final Instant NOW = Instant.now();

	/** A valid AMOUNT_OFF template (满200减30 on everything), with these fields changed. */
	static Map<String, Object> template(Object... overrides) {
		Map<String, Object> t = new HashMap<>(Map.of("name", "满200减30", "kind", "AMOUNT_OFF", "discountFen", 3000,
				"thresholdFen", 20000, "validFrom", NOW.minusSeconds(3600).toString(), "validUntil",
				NOW.plus(Duration.ofDays(30)).toString(), "stock", 100));
		for (int i = 0; i < overrides.length; i += 2) {
			if (overrides[i + 1] == null) {
				t.remove((String) overrides[i]);
			}
			else {
				t.put((String) overrides[i], overrides[i + 1]);
			}
		}
		return t;
	}

	String create(Object... overrides) {
		return demo.owner.post("/api/v1/coupons/templates", template(overrides)).expect(201).string("id");
	}

	/** A new customer of the store with a token, optionally of a member level. */
	Customer customer(String store, String level) {
		String externalId = "cp-" + UUID.randomUUID();
		Map<String, Object> profile = new HashMap<>(Map.of("nickname", "顾客", "homeStoreId", demo.node(store)));
		if (level != null) {
			profile.put("memberLevel", level);
		}
		JsonNode minted = demo.anonymous.as(tokenKey)
			.post("/api/v1/customers/tokens", Map.of("externalId", externalId, "profile", profile))
			.expect(201)
			.json();
		return new Customer(demo.anonymous.as(minted.path("accessToken").asString()),
				minted.path("customerId").asString(), externalId);
	}

	record Customer(Api api, String id, String externalId) {
	}

	Api.Response claim(Customer c, String template, String key) {
		return c.api().header("Idempotency-Key", key).post("/api/v1/coupons/templates/" + template + "/claims",
				Map.of("source", "card", "sourceRef", "conversation-1"));
	}

	long templateCount() {
		return jdbc.sql("SELECT count(*) FROM coupons_templates").query(Long.class).single();
	}

	static Map<String, Object> line(String sku, long quantity, long price) {
		return Map.of("sku", sku, "quantity", quantity, "unitPriceFen", price);
	}

	static Map<String, Object> cart(Object... lines) {
		return Map.of("lines", List.of(lines), "shippingFen", 1000);
	}

	JsonNode counts(String template) {
		return demo.owner.get("/api/v1/coupons/templates/" + template).expect(200).json().path("counts");
	}

	// --- templates ----------------------------------------------------------------------------------

	@Test
	void templates_are_checked_field_by_field_and_bad_ones_change_nothing() {
		long before = templateCount();
		assertThat(demo.owner.post("/api/v1/coupons/templates",
				template("kind", "PERCENT_OFF", "discountFen", null, "thresholdFen", null, "percentOff", 120))
			.expectProblem(400, "invalid-percent")
			.errorFields()).containsExactly("percentOff");
		assertThat(demo.owner.post("/api/v1/coupons/templates",
				template("validFrom", NOW.plusSeconds(7200).toString(), "validUntil", NOW.plusSeconds(3600).toString()))
			.expectProblem(400, "invalid-window")
			.errorFields()).containsExactly("validUntil");
		demo.owner.post("/api/v1/coupons/templates", template("thresholdFen", null)).expectProblem(400, "invalid-amount");
		demo.owner.post("/api/v1/coupons/templates", template("discountFen", 30000)).expectProblem(400, "invalid-amount");
		demo.owner.post("/api/v1/coupons/templates", template("stock", 0)).expectProblem(400, "invalid-stock");
		demo.owner.post("/api/v1/coupons/templates",
				template("kind", "PERCENT_OFF", "discountFen", null, "thresholdFen", null, "percentOff", 10, "budgetFen", 100000))
			.expectProblem(400, "invalid-budget");
		demo.owner.post("/api/v1/coupons/templates",
				template("kind", "FREE_GIFT", "discountFen", null, "giftSku", "NO-SUCH-SKU"))
			.expectProblem(400, "unknown-sku");
		assertThat(demo.owner.post("/api/v1/coupons/templates", template("stores", List.of(UUID.randomUUID().toString())))
			.expectProblem(400, "unknown-org-node")
			.errorFields()).containsExactly("stores[0]");
		demo.owner.post("/api/v1/coupons/templates", template("perCustomerLimit", 2, "perCustomerDailyLimit", 3))
			.expectProblem(400, "invalid-customer-limit");
		demo.owner.post("/api/v1/coupons/templates", template("surprise", true)).expectProblem(400, "unknown-field");
		demo.staff("sh-njr.manager").post("/api/v1/coupons/templates", template()).expectProblem(403, "forbidden");
		demo.anonymous.as(demo.apiKey("reader", "coupons:read")).post("/api/v1/coupons/templates", template())
			.expectProblem(403, "forbidden");
		assertThat(templateCount()).isEqualTo(before);

		// a budget caps the stock at what it pays for at face value
		JsonNode capped = demo.owner.post("/api/v1/coupons/templates", template("name", "预算券", "budgetFen", 3000 * 3 + 2999))
			.expect(201)
			.json();
		assertThat(capped.path("stock").asInt()).isEqualTo(3);
		assertThat(capped.path("counts").path("remaining").asInt()).isEqualTo(3);
		assertThat(capped.path("status").asString()).isEqualTo("ACTIVE");
		// region and store managers read templates
		demo.staff("east.manager").get("/api/v1/coupons/templates/" + capped.path("id").asString()).expect(200);
		assertThat(demo.owner.get("/api/v1/coupons/templates?limit=200").expect(200).json().path("items").toString())
			.contains("预算券", "中秋月饼礼盒 满200减30");
	}

	// --- claims and grants --------------------------------------------------------------------------

	@Test
	void a_customer_claims_within_the_limits_and_a_retry_returns_the_same_coupon() {
		String template = create("name", "每人两张", "perCustomerLimit", 2, "perCustomerDailyLimit", 1);
		Customer alice = customer("SH-NJR", null);
		JsonNode first = claim(alice, template, "claim-1").expect(201).json();
		String code = first.path("code").asString();
		assertThat(code).matches("[2-9A-HJ-NP-Z]{4}(-[2-9A-HJ-NP-Z]{4}){3}");
		assertThat(first.path("status").asString()).isEqualTo("ISSUED");
		assertThat(first.path("channel").asString()).isEqualTo("CLAIM");
		assertThat(first.path("customerId").asString()).isEqualTo(alice.id());

		Api.Response retry = claim(alice, template, "claim-1").expect(200);
		assertThat(retry.header("Idempotent-Replayed")).isEqualTo("true");
		assertThat(retry.string("code")).isEqualTo(code);
		// the second of the day is refused by the daily limit; nothing is issued
		claim(alice, template, "claim-2").expectProblem(409, "daily-limit-reached");
		claim(alice, template, "claim-1").expect(200);
		alice.api().post("/api/v1/coupons/templates/" + template + "/claims", Map.of())
			.expectProblem(400, "missing-idempotency-key");
		alice.api().header("Idempotency-Key", "bad key!").post("/api/v1/coupons/templates/" + template + "/claims", Map.of())
			.expectProblem(400, "invalid-idempotency-key");
		demo.staff("sh-njr.clerk1").header("Idempotency-Key", "k").post("/api/v1/coupons/templates/" + template + "/claims",
				Map.of()).expectProblem(403, "forbidden");
		assertThat(counts(template).path("issued").asInt()).isEqualTo(1);

		JsonNode mine = alice.api().get("/api/v1/coupons/mine").expect(200).json();
		assertThat(mine.path("items")).hasSize(1);
		assertThat(alice.api().get("/api/v1/coupons/" + code.toLowerCase()).expect(200).json()
			.path("coupon").path("code").asString()).isEqualTo(code);
		demo.staff("sh-njr.clerk1").get("/api/v1/coupons/" + code).expect(200);

		// codes: a typo is refused before any lookup; another customer's coupon is not theirs
		alice.api().get("/api/v1/coupons/" + TestCodes.withTypo(code)).expectProblem(400, "invalid-code");
		alice.api().get("/api/v1/coupons/" + TestCodes.wellFormed()).expectProblem(404, "unknown-code");
		customer("SH-NJR", null).api().get("/api/v1/coupons/" + code).expectProblem(403, "not-your-coupon");

		assertThat(events.of(CouponClaimed.class)).singleElement().satisfies(e -> {
			assertThat(e.code()).isEqualTo(code);
			assertThat(e.source()).isEqualTo("card");
			assertThat(e.sourceRef()).isEqualTo("conversation-1");
		});
	}

	@Test
	void customers_claim_from_a_coupon_card_in_a_group_and_are_told_in_their_own_conversation() {
		String template = create("name", "进店有礼", "stock", 1, "perCustomerLimit", 1);
		Customer alice = customer("SH-NJR", null);
		Customer bob = customer("SH-NJR", null);
		Api manager = demo.staff("sh-njr.manager");
		String group = manager.post("/api/v1/conversations", Map.of("kind", "GROUP", "orgNodeId", demo.node("SH-NJR"),
				"title", "南京路会员群", "members", List.of("customer:" + alice.id(), "customer:" + bob.id())))
			.expect(201).string("id");
		String cards = "/api/v1/conversations/" + group + "/messages/";
		long card = manager.header("Idempotency-Key", "coupon-card-1").post("/api/v1/conversations/" + group + "/messages",
				Map.of("kind", "CARD", "body", Map.of("card", "coupon", "payload", Map.of("templateId", template, "title",
						"进店有礼", "discountFen", 3000))))
			.expect(201).json().path("message").path("seq").asLong();

		alice.api().post(cards + card + "/actions/open", Map.of()).expectProblem(400, "unknown-action");
		alice.api().post(cards + card + "/actions/claim", Map.of()).expect(204);
		alice.api().post(cards + card + "/actions/claim", Map.of()).expectProblem(409, "already-answered");
		String code = told(alice, "领取成功!「进店有礼」券码 ");
		assertThat(code).contains(alice.api().get("/api/v1/coupons/mine").expect(200).json().path("items").get(0)
			.path("code").asString());
		JsonNode coupon = alice.api().get("/api/v1/coupons/mine").expect(200).json().path("items").get(0);
		assertThat(coupon.path("source").asString()).isEqualTo("card");
		assertThat(coupon.path("sourceRef").asString()).isEqualTo("conversation/" + group + "/seq/" + card);

		// the stock of one is gone: Bob is told so, nothing is issued to him, and the group saw no code
		bob.api().post(cards + card + "/actions/claim", Map.of()).expect(204);
		assertThat(told(bob, "很抱歉")).isEqualTo("很抱歉,「进店有礼」已被领完。");
		assertThat(bob.api().get("/api/v1/coupons/mine").expect(200).json().path("items").size()).isZero();
		assertThat(manager.get(cards.substring(0, cards.length() - 1) + "?limit=50").expect(200).json().valueStream().map(m -> m.path("body").path("text").asString("")).filter(t -> t.contains("券码")).toList())
			.isEmpty();
		assertThat(counts(template).path("issued").asInt()).isEqualTo(1);

		// a card naming no template is answered too, and issues nothing
		long broken = manager.header("Idempotency-Key", "coupon-card-2").post("/api/v1/conversations/" + group + "/messages",
				Map.of("kind", "CARD", "body", Map.of("card", "coupon", "payload", Map.of("templateId", "T-30off200",
						"title", "旧券", "claimAction", "get"))))
			.expect(201).json().path("message").path("seq").asLong();
		bob.api().post(cards + broken + "/actions/claim", Map.of()).expectProblem(400, "unknown-action");
		bob.api().post(cards + broken + "/actions/get", Map.of()).expect(204);
		assertThat(told(bob, "旧券")).isEqualTo("很抱歉,「旧券」暂时无法领取。");
	}

	/** The newest text in the customer's own conversation with SH-NJR that starts with {@code prefix}. */
	private String told(Customer customer, String prefix) {
		String direct = customer.api().post("/api/v1/conversations/direct", Map.of("storeId", demo.node("SH-NJR")))
			.expect(200).string("id");
		String[] found = new String[1];
		await().atMost(java.time.Duration.ofSeconds(20)).until(() -> {
			found[0] = customer.api().get("/api/v1/conversations/" + direct + "/messages?limit=20").expect(200).json()
				.valueStream()
				.map(m -> m.path("body").path("text").asString(""))
				.filter(t -> t.contains(prefix))
				.findFirst()
				.orElse(null);
			return found[0] != null;
		});
		return found[0];
	}

	@Test
	void a_customer_at_the_limit_is_refused_every_time_and_still_gets_replays() {
		String template = create("name", "每人一张", "perCustomerLimit", 1);
		Customer bob = customer("SH-NJR", null);
		String code = claim(bob, template, "first").expect(201).string("code");
		// the first refusal finds the holding full; the later ones are refused without a transaction
		claim(bob, template, "second").expectProblem(409, "limit-reached");
		claim(bob, template, "third").expectProblem(409, "limit-reached");
		Api.Response replay = claim(bob, template, "first").expect(200);
		assertThat(replay.header("Idempotent-Replayed")).isEqualTo("true");
		assertThat(replay.string("code")).isEqualTo(code);
		// another customer is not affected
		claim(customer("SH-NJR", null), template, "first").expect(201);
		assertThat(counts(template).path("issued").asInt()).isEqualTo(2);
	}

	@Test
	void the_merchant_grants_past_the_audience_rules_but_never_past_stock_or_limits() {
		String gold = create("name", "金卡专享", "kind", "NO_THRESHOLD", "thresholdFen", null, "discountFen", 1000, "stock", 2,
				"audience", Map.of("memberLevels", List.of("GOLD")));
		Customer regular = customer("HZ-XH", "REGULAR");
		Customer member = customer("HZ-XH", "GOLD");
		claim(regular, gold, "c1").expectProblem(409, "not-eligible");
		claim(member, gold, "c1").expect(201);

		JsonNode granted = marketing.header("Idempotency-Key", "survey-7-" + regular.externalId())
			.post("/api/v1/coupons/templates/" + gold + "/grants",
					Map.of("customerExternalId", regular.externalId(), "source", "survey", "sourceRef", "survey-7"))
			.expect(201)
			.json();
		assertThat(granted.path("channel").asString()).isEqualTo("GRANT");
		marketing.header("Idempotency-Key", "survey-7-" + regular.externalId())
			.post("/api/v1/coupons/templates/" + gold + "/grants", Map.of("customerExternalId", regular.externalId()))
			.expect(200);
		// the same key for another customer is a mistake, not a retry
		marketing.header("Idempotency-Key", "survey-7-" + regular.externalId())
			.post("/api/v1/coupons/templates/" + gold + "/grants", Map.of("customerId", member.id()))
			.expectProblem(409, "idempotency-key-reused");
		// stock 2: sold out for everyone now
		marketing.header("Idempotency-Key", "g3").post("/api/v1/coupons/templates/" + gold + "/grants",
				Map.of("customerId", customer("HZ-XH", "GOLD").id())).expectProblem(409, "sold-out");
		claim(customer("HZ-XH", "GOLD"), gold, "c9").expectProblem(409, "sold-out");
		marketing.header("Idempotency-Key", "g4").post("/api/v1/coupons/templates/" + gold + "/grants",
				Map.of("customerId", UUID.randomUUID().toString())).expectProblem(400, "unknown-customer");
		demo.staff("sh-njr.manager").header("Idempotency-Key", "g5").post("/api/v1/coupons/templates/" + gold + "/grants",
				Map.of("customerId", member.id())).expectProblem(403, "forbidden");
		JsonNode c = counts(gold);
		assertThat(c.path("issued").asInt()).isEqualTo(2);
		assertThat(c.path("remaining").asInt()).isZero();
		assertThat(c.path("issuedFaceValueFen").asLong()).isEqualTo(2000);
		assertThat(events.of(CouponGranted.class)).singleElement()
			.satisfies(e -> assertThat(e.grantedBy()).startsWith("api-key:"));

		// paused: no claims until resumed; a window not open yet
		String paused = create("name", "暂停券");
		demo.owner.patch("/api/v1/coupons/templates/" + paused, Map.of("status", "PAUSED")).expect(200);
		claim(member, paused, "p1").expectProblem(409, "template-paused");
		demo.owner.patch("/api/v1/coupons/templates/" + paused, Map.of("status", "ACTIVE")).expect(200);
		claim(member, paused, "p1").expect(201);
		String later = create("name", "明天开抢", "validFrom", NOW.plus(Duration.ofDays(1)).toString());
		claim(member, later, "l1").expectProblem(409, "claim-not-open");

		// the Java API other modules call: idempotent on the key as well
		String campaign = create("name", "活动券", "perCustomerLimit", 3);
		IssuedCoupon one = coupons.grant(CouponTemplateId.valueOf(campaign), CustomerId.valueOf(member.id()), "run-1",
				"campaign:mid-autumn", "campaign", "mid-autumn");
		IssuedCoupon again = coupons.grant(CouponTemplateId.valueOf(campaign), CustomerId.valueOf(member.id()), "run-1",
				"campaign:mid-autumn", "campaign", "mid-autumn");
		assertThat(again.code()).isEqualTo(one.code());
		assertThat(coupons.find(one.code().toLowerCase())).hasValueSatisfying(f -> assertThat(f.id()).isEqualTo(one.id()));
	}

	// --- pricing ------------------------------------------------------------------------------------

	@Test
	void a_cart_is_priced_with_the_codes_that_apply_and_the_reasons_of_those_that_do_not() {
		demo.owner.put("/api/v1/catalog/products/CP-MOON", Map.of("name", "蛋黄莲蓉月饼", "category", "月饼礼盒", "skus",
				List.of(Map.of("externalId", "CP-MOON-A", "priceFen", 12800)))).expect(201);
		demo.owner.put("/api/v1/catalog/products/CP-TEA", Map.of("name", "明前龙井", "category", "茶叶礼盒", "skus",
				List.of(Map.of("externalId", "CP-TEA-A", "priceFen", 8800)))).expect(201);
		String mooncakes = create("name", "月饼满200减30", "categories", List.of("月饼礼盒"));
		String tea = create("name", "茶叶满200减30", "categories", List.of("茶叶礼盒"));
		String ninety = create("name", "9折封顶50", "kind", "PERCENT_OFF", "discountFen", null, "thresholdFen", null,
				"percentOff", 10, "capFen", 5000, "stacking", Map.of("exclusive", false, "group", "折扣", "maxPerOrder", 1));
		String shipping = create("name", "包邮", "kind", "SHIPPING", "discountFen", null, "thresholdFen", null, "stacking",
				Map.of("exclusive", false, "group", "运费"));
		String njrOnly = create("name", "南京路专享", "kind", "NO_THRESHOLD", "thresholdFen", null, "discountFen", 500,
				"stores", List.of(demo.node("SH-NJR")));
		Customer bob = customer("SH-NJR", null);
		String cMoon = claim(bob, mooncakes, "m").expect(201).string("code");
		String cTea = claim(bob, tea, "t").expect(201).string("code");
		String cNinety = claim(bob, ninety, "n").expect(201).string("code");
		String cShip = claim(bob, shipping, "s").expect(201).string("code");
		String cNjr = claim(bob, njrOnly, "j").expect(201).string("code");
		String othersCode = claim(customer("SH-NJR", null), mooncakes, "o").expect(201).string("code");

		Map<String, Object> twoBoxesAndTea = cart(line("CP-MOON-A", 2, 12800), line("CP-TEA-A", 1, 8800));
		JsonNode priced = bob.api().post("/api/v1/coupons/validations", Map.of("codes",
				List.of(cNinety, cShip, cMoon, cTea, othersCode, TestCodes.withTypo(cMoon), TestCodes.wellFormed()),
				"cart", twoBoxesAndTea)).expect(200).json();
		assertThat(priced.path("subtotalFen").asLong()).isEqualTo(34400);
		// 9折 on 344.00 = 34.40, shipping 10.00; the 满减 are exclusive and come after a combinable one
		assertThat(priced.path("applied")).extracting(a -> a.path("templateName").asString())
			.containsExactly("9折封顶50", "包邮");
		assertThat(priced.path("discountFen").asLong()).isEqualTo(3440 + 1000);
		assertThat(priced.path("payableFen").asLong()).isEqualTo(34400 + 1000 - 4440);
		assertThat(priced.path("rejected")).extracting(r -> r.path("reason").asString())
			.containsExactly("not-stackable", "not-stackable", "not-your-coupon", "invalid-code", "unknown-code");

		JsonNode alone = bob.api().post("/api/v1/coupons/validations",
				Map.of("codes", List.of(cTea, cMoon, cNjr), "cart", twoBoxesAndTea)).expect(200).json();
		assertThat(alone.path("rejected")).extracting(r -> r.path("reason").asString())
			.containsExactly("threshold-not-met", "store-not-applicable");
		assertThat(alone.path("applied").get(0).path("lines").get(0).path("line").asInt()).isZero();
		assertThat(alone.path("discountFen").asLong()).isEqualTo(3000);

		// at the store it is for, with the customer named by the till
		JsonNode atStore = pos.post("/api/v1/coupons/validations", Map.of("customerExternalId", bob.externalId(), "storeId",
				demo.node("SH-NJR"), "codes", List.of(cNjr), "cart", twoBoxesAndTea)).expect(200).json();
		assertThat(atStore.path("discountFen").asLong()).isEqualTo(500);

		// bad carts are refused whole, naming the field
		assertThat(bob.api().post("/api/v1/coupons/validations", Map.of("codes", List.of(cMoon), "cart",
				cart(line("CP-MOON-A", 2, 12800), line("CP-TEA-A", -1, 8800))))
			.expectProblem(400, "invalid-cart")
			.errorFields()).containsExactly("cart.lines[1].quantity");
		assertThat(bob.api().post("/api/v1/coupons/validations", Map.of("codes", List.of(cMoon), "cart",
				cart(line("CP-MOON-A", 2, -12800))))
			.expectProblem(400, "invalid-cart")
			.errorFields()).containsExactly("cart.lines[0].unitPriceFen");
		bob.api().post("/api/v1/coupons/validations", Map.of("codes", List.of(), "cart", twoBoxesAndTea))
			.expectProblem(400, "validation-failed");
		bob.api().post("/api/v1/coupons/validations", Map.of("customerExternalId", "someone-else", "codes", List.of(cMoon),
				"cart", twoBoxesAndTea)).expectProblem(403, "not-your-coupon");
		pos.post("/api/v1/coupons/validations", Map.of("codes", List.of(cMoon), "cart", twoBoxesAndTea))
			.expectProblem(400, "validation-failed");
	}

	@Test
	void a_paid_order_redeems_its_codes_and_cancelling_it_gives_them_back() {
		String template = create("name", "订单核销券");
		Customer dora = customer("SH-NJR", null);
		String code = claim(dora, template, "order-claim").expect(201).json().path("code").asString();
		Api shop = demo.anonymous.as(demo.apiKey("shop orders", "orders:write"));
		Map<String, Object> order = new HashMap<>(Map.of("customerExternalId", dora.externalId(), "storeCode", "SH-NJR",
				"lines", List.of(Map.of("sku", "FIG-LTD-001-A", "quantity", 1, "unitPriceFen", 39900)), "discountFen", 3000,
				"totalFen", 36900, "couponCodes", List.of(code)));
		shop.put("/api/v1/orders/SO-COUPON-1", order).expect(201);
		shop.header("Idempotency-Key", "paid-1").post("/api/v1/orders/SO-COUPON-1/events",
				Map.of("status", "PAID", "occurredAt", Instant.now().toString())).expect(201);
		// the orders module's OrderPaid redeems the code, after the order's commit
		await().atMost(Duration.ofSeconds(10)).until(() -> status(code).equals("REDEEMED"));
		assertThat(demo.owner.get("/api/v1/coupons/" + code).expect(200).json().path("redemptions").toString())
			.contains("SO-COUPON-1");

		shop.header("Idempotency-Key", "cancel-1").post("/api/v1/orders/SO-COUPON-1/events",
				Map.of("status", "CANCELLED", "occurredAt", Instant.now().plusSeconds(1).toString())).expect(201);
		await().atMost(Duration.ofSeconds(10)).until(() -> status(code).equals("ISSUED"));
		assertThat(counts(template).path("redeemed").asInt()).isZero();

		// paid and cancelled right after each other: applied in that order, the coupon ends up usable
		Map<String, Object> second = new HashMap<>(order);
		second.put("couponCodes", List.of(code));
		shop.put("/api/v1/orders/SO-COUPON-2", second).expect(201);
		shop.header("Idempotency-Key", "paid-2").post("/api/v1/orders/SO-COUPON-2/events",
				Map.of("status", "PAID", "occurredAt", Instant.now().toString())).expect(201);
		shop.header("Idempotency-Key", "cancel-2").post("/api/v1/orders/SO-COUPON-2/events",
				Map.of("status", "CANCELLED", "occurredAt", Instant.now().plusSeconds(1).toString())).expect(201);
		assertThat(status(code)).isEqualTo("ISSUED");
		assertThat(demo.owner.get("/api/v1/coupons/" + code).expect(200).json().path("redemptions").toString())
			.contains("SO-COUPON-2");
	}

	String status(String code) {
		return demo.owner.get("/api/v1/coupons/" + code).expect(200).json().path("coupon").path("status").asString();
	}

	// --- redemption and rollback --------------------------------------------------------------------

	@Test
	void a_coupon_is_redeemed_once_and_a_rollback_makes_it_usable_again() {
		String template = create("name", "核销测试 满200减30");
		Customer carol = customer("SH-NJR", null);
		String code = claim(carol, template, "r").expect(201).string("code");
		Api clerk = demo.staff("sh-njr.clerk1");
		Map<String, Object> order = Map.of("orderExternalId", "SO-1001", "customerId", carol.id(), "storeId",
				demo.node("SH-NJR"), "codes", List.of(code), "cart", cart(line("FIG-LTD-001-A", 1, 39900)));

		// bad input first: nothing changes
		clerk.post("/api/v1/coupons/redemptions", with(order, "codes", List.of(TestCodes.withTypo(code))))
			.expectProblem(400, "invalid-code");
		clerk.post("/api/v1/coupons/redemptions", with(order, "codes", List.of(TestCodes.wellFormed())))
			.expectProblem(400, "unknown-code");
		clerk.post("/api/v1/coupons/redemptions", with(order, "customerId", customer("SH-NJR", null).id()))
			.expectProblem(403, "not-your-coupon");
		clerk.post("/api/v1/coupons/redemptions", with(order, "cart", cart(line("FIG-LTD-001-A", 1, 9900))))
			.expectProblem(409, "threshold-not-met");
		clerk.post("/api/v1/coupons/redemptions", with(order, "cart", cart(line("FIG-LTD-001-A", 0, 39900))))
			.expectProblem(400, "invalid-cart");
		clerk.post("/api/v1/coupons/redemptions", with(order, "orderExternalId", "")).expectProblem(400, "invalid-order-id");
		demo.staff("gz-th.clerk1").post("/api/v1/coupons/redemptions", order).expectProblem(403, "forbidden");
		demo.staff("sh-njr.clerk1").post("/api/v1/coupons/redemptions", with(order, "storeId", null))
			.expectProblem(400, "validation-failed");
		carol.api().post("/api/v1/coupons/redemptions", order).expectProblem(403, "forbidden");
		assertThat(counts(template).path("redeemed").asInt()).isZero();

		JsonNode redeemed = clerk.post("/api/v1/coupons/redemptions", order).expect(201).json();
		assertThat(redeemed.path("discountFen").asLong()).isEqualTo(3000);
		assertThat(redeemed.path("coupons").get(0).path("code").asString()).isEqualTo(code);
		// a second redemption: by another order refused, by the same order refused as a duplicate
		clerk.post("/api/v1/coupons/redemptions", with(order, "orderExternalId", "SO-1002"))
			.expectProblem(409, "already-redeemed");
		clerk.post("/api/v1/coupons/redemptions", order).expectProblem(409, "duplicate-redemption");
		// the orders module's listener retrying the same order gets the earlier redemption back
		Redemption replay = coupons.redeem(new RedeemRequest("SO-1001", CustomerId.valueOf(carol.id()),
				OrgNodeId.valueOf(demo.node("SH-NJR")), List.of(code), new Cart(List.of(new Cart.Line("FIG-LTD-001-A", 1L,
						39900L)), 0L)), "orders");
		assertThat(replay.replayed()).isTrue();
		assertThat(replay.discountFen()).isEqualTo(3000);
		assertThat(carol.api().get("/api/v1/coupons/" + code).expect(200).json().path("coupon").path("status").asString())
			.isEqualTo("REDEEMED");
		assertThat(counts(template).path("redeemed").asInt()).isEqualTo(1);
		assertThat(counts(template).path("redeemedFen").asLong()).isEqualTo(3000);

		// the order is cancelled: the coupon comes back, counts and spend too; a second rollback does nothing
		demo.staff("gz-th.clerk1").post("/api/v1/coupons/rollbacks", Map.of("orderExternalId", "SO-1001", "reason", "x"))
			.expectProblem(403, "forbidden");
		JsonNode rolled = pos.post("/api/v1/coupons/rollbacks", Map.of("orderExternalId", "SO-1001", "reason", "订单取消"))
			.expect(200)
			.json();
		assertThat(rolled.path("coupons").get(0).path("statusAfter").asString()).isEqualTo("ISSUED");
		assertThat(pos.post("/api/v1/coupons/rollbacks", Map.of("orderExternalId", "SO-1001", "reason", "订单取消"))
			.expect(200)
			.json()
			.path("coupons")).isEmpty();
		assertThat(coupons.rollback("SO-1001", "order cancelled").coupons()).isEmpty();
		assertThat(counts(template).path("redeemed").asInt()).isZero();
		assertThat(counts(template).path("redeemedFen").asLong()).isZero();
		JsonNode detail = carol.api().get("/api/v1/coupons/" + code).expect(200).json();
		assertThat(detail.path("coupon").path("status").asString()).isEqualTo("ISSUED");
		assertThat(detail.path("redemptions").get(0).path("status").asString()).isEqualTo("ROLLED_BACK");

		// usable again, by another order; then a refund through the Java API
		clerk.post("/api/v1/coupons/redemptions", with(order, "orderExternalId", "SO-1003")).expect(201);
		Rollback refund = coupons.rollback("SO-1003", "order refunded");
		assertThat(refund.coupons()).singleElement().satisfies(c -> assertThat(c.discountFen()).isEqualTo(3000));

		assertThat(events.of(CouponRedeemed.class)).extracting(CouponRedeemed::orderExternalId)
			.containsExactly("SO-1001", "SO-1003");
		assertThat(events.of(CouponRolledBack.class)).extracting(CouponRolledBack::reason)
			.containsExactly("订单取消", "order refunded");
		assertThat(events.of(CouponRolledBack.class)).allSatisfy(e -> assertThat(e.usableAgain()).isTrue());

		// revoked by the merchant: not usable, not revocable twice
		demo.owner.post("/api/v1/coupons/" + code + "/revoke", Map.of("reason", "误发")).expect(200);
		demo.owner.post("/api/v1/coupons/" + code + "/revoke", Map.of("reason", "误发")).expectProblem(409, "not-revocable");
		clerk.post("/api/v1/coupons/redemptions", with(order, "orderExternalId", "SO-1004"))
			.expectProblem(409, "coupon-revoked");
		assertThat(events.of(CouponRevoked.class)).hasSize(1);
	}

	static Map<String, Object> with(Map<String, Object> body, String key, Object value) {
		Map<String, Object> copy = new HashMap<>(body);
		if (value == null) {
			copy.remove(key);
		}
		else {
			copy.put(key, value);
		}
		return copy;
	}

	// --- expiry ---------------------------------------------------------------------------------------

	@Test
	void the_expiry_job_runs_on_its_persistent_schedule_expires_coupons_and_reminds_before() {
		assertThat(jdbc.sql("SELECT count(*) FROM scheduled_tasks WHERE task_name = 'coupons-expiry'")
			.query(Long.class)
			.single()).isEqualTo(1);
		String template = create("name", "到期测试", "kind", "NO_THRESHOLD", "thresholdFen", null, "discountFen", 500,
				"perCustomerLimit", 4);
		Customer dave = customer("SZ-GQJ", null);
		String ending = claim(dave, template, "e1").expect(201).string("code");
		String soon = claim(dave, template, "e2").expect(201).string("code");
		String redeemed = claim(dave, template, "e3").expect(201).string("code");
		// claimed when its end was already within the reminder window (a flash sale's coupon for today)
		String fresh = claim(dave, template, "e4").expect(201).string("code");
		pos.post("/api/v1/coupons/redemptions", Map.of("orderExternalId", "SO-EXP-1", "customerId", dave.id(), "codes",
				List.of(redeemed), "cart", cart(line("ANY-SKU", 1, 1000)))).expect(201);
		// time passes (the test moves the coupons' ends rather than the clock)
		setValidUntil(ending, Instant.now().minusSeconds(60));
		setValidUntil(soon, Instant.now().plus(Duration.ofHours(2)));
		jdbc.sql("UPDATE coupons_coupons SET issued_at = ? WHERE code = ?")
			.params(java.sql.Timestamp.from(Instant.now().minus(Duration.ofDays(3))), soon.replace("-", ""))
			.update();
		setValidUntil(fresh, Instant.now().plus(Duration.ofHours(2)));
		setValidUntil(redeemed, Instant.now().minusSeconds(60));

		scheduler.reschedule(TaskInstanceId.of("coupons-expiry", RecurringTask.INSTANCE), Instant.now());
		await().atMost(Duration.ofSeconds(40)).untilAsserted(() -> {
			assertThat(status(dave, ending)).isEqualTo("EXPIRED");
			assertThat(events.of(CouponExpiringSoon.class)).extracting(CouponExpiringSoon::code).contains(soon);
		});
		assertThat(status(dave, soon)).isEqualTo("ISSUED");
		assertThat(events.of(CouponExpiringSoon.class)).extracting(CouponExpiringSoon::code).doesNotContain(fresh);
		assertThat(jdbc.sql("SELECT reminded_at IS NULL FROM coupons_coupons WHERE code = ?")
			.param(fresh.replace("-", ""))
			.query(Boolean.class)
			.single()).isTrue();
		assertThat(events.of(CouponExpired.class)).extracting(CouponExpired::code).containsExactly(ending);
		pos.post("/api/v1/coupons/validations", Map.of("customerId", dave.id(), "codes", List.of(ending), "cart",
				cart(line("ANY-SKU", 1, 1000)))).expect(200).json().path("rejected").forEach(
						r -> assertThat(r.path("reason").asString()).isEqualTo("coupon-expired"));

		// a redeemed coupon whose validity ended meanwhile does not come back on rollback: it expires
		Rollback late = coupons.rollback("SO-EXP-1", "order cancelled");
		assertThat(late.coupons()).singleElement().satisfies(c -> assertThat(c.statusAfter()).isEqualTo(CouponStatus.EXPIRED));
		assertThat(status(dave, redeemed)).isEqualTo("EXPIRED");
		assertThat(events.of(CouponRolledBack.class)).singleElement()
			.satisfies(e -> assertThat(e.usableAgain()).isFalse());
		assertThat(events.of(CouponExpired.class)).extracting(CouponExpired::code).containsExactly(ending, redeemed);
	}

	void setValidUntil(String code, Instant until) {
		jdbc.sql("UPDATE coupons_coupons SET valid_until = ? WHERE code = ?")
			.params(java.sql.Timestamp.from(until), code.replace("-", ""))
			.update();
	}

	String status(Customer c, String code) {
		return c.api().get("/api/v1/coupons/" + code).expect(200).json().path("coupon").path("status").asString();
	}

	// --- demo -----------------------------------------------------------------------------------------

	@Test
	void the_demo_merchant_has_coupons_and_customers_holding_some() {
		JsonNode all = demo.owner.get("/api/v1/coupons/templates?limit=200").expect(200).json().path("items");
		List<String> names = new ArrayList<>();
		all.forEach(t -> names.add(t.path("name").asString()));
		assertThat(names).contains("中秋月饼礼盒 满200减30", "全场9折 封顶50元", "无门槛10元", "新客专享 无门槛20元",
				"中秋礼盒专享 满300送香薰蜡烛", "金卡钻石会员 包邮券", "南京路店 满100减10");
		assertThat(jdbc.sql("SELECT count(*) FROM coupons_coupons WHERE issued_by = 'system:demo'").query(Long.class).single())
			.isEqualTo(60);
	}
}
