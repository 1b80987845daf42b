package io.storecast.audience;

import static io.storecast.audience.AudienceTesting.EARRING_FEN;
import static io.storecast.audience.AudienceTesting.EARRING_SKU;
import static io.storecast.audience.AudienceTesting.MOONCAKE_FEN;
import static io.storecast.audience.AudienceTesting.MOONCAKE_SKU;
import static io.storecast.audience.AudienceTesting.all;
import static io.storecast.audience.AudienceTesting.any;
import static io.storecast.audience.AudienceTesting.leaf;
import static io.storecast.audience.AudienceTesting.tags;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import io.storecast.audience.AudienceTesting.Customer;
import io.storecast.identity.CustomerId;
import io.storecast.orders.OrderTesting;
import io.storecast.support.Api;
import io.storecast.support.DemoFixture;
import io.storecast.support.StorecastIntegrationTest;
import tools.jackson.databind.JsonNode;

/**
 * Profiles, tags and segments through the REST API: rule tags kept current from order events and
 * re-evaluated in bulk when their rule changes, manual and imported tags within the staff's stores,
 * subscriptions, segments evaluated as one query (preview, count, snapshot), and every kind of bad
 * condition refused with the part named and nothing saved.
 */
@StorecastIntegrationTest
class AudienceIntegrationTest {

	@LocalServerPort
	int port;

	@Autowired
	AudienceProfiles profiles;

	@Autowired
	Segments segments;

	@Autowired
	org.springframework.jdbc.core.simple.JdbcClient jdbc;

	DemoFixture demo;
	Api backend;

	@BeforeEach
	void setUp() {
		demo = new DemoFixture(port);
		OrderTesting.ensureSkus(demo);
		backend = demo.anonymous.as(demo.apiKey("audience backend", "orders:write", "audience:write", "consent:write"));
	}

	@Test
	void the_demo_merchant_has_profiles_rule_tags_subscriptions_and_segments() {
		await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
			JsonNode list = demo.owner.get("/api/v1/audience/tags").expect(200).json();
			JsonNode lovers = find(list, "耳钉爱好者");
			assertThat(lovers.path("kind").asString()).isEqualTo("RULE");
			assertThat(lovers.path("members").asLong()).isPositive();
			assertThat(find(list, "高价值").path("kind").asString()).isEqualTo("RULE");
			assertThat(find(list, "VIP接待").path("members").asLong()).isPositive();
		});
		JsonNode all = demo.owner.get("/api/v1/audience/segments").expect(200).json();
		List<String> names = all.valueStream().map(s -> s.path("name").asString()).toList();
		assertThat(names).contains("earring lovers in East region", "dormant VIPs");
		for (JsonNode segment : all) {
			JsonNode preview = demo.owner.get("/api/v1/audience/segments/" + segment.path("id").asString() + "/preview")
				.expect(200)
				.json();
			assertThat(preview.path("count").asLong()).isGreaterThanOrEqualTo(preview.path("sample").size());
		}
		JsonNode dormant = demo.owner.get("/api/v1/audience/segments/" + id(all, "dormant VIPs") + "/preview").expect(200).json();
		assertThat(dormant.path("count").asLong()).as("demo history spans 180 days; dormant after 90").isPositive();
		// the demo customer's profile shows facts computed from the imported history
		String someone = dormant.path("sample").get(0).path("customerId").asString();
		JsonNode profile = AudienceTesting.profile(demo.owner, someone);
		assertThat(profile.path("lifecycle").asString()).isEqualTo("DORMANT");
		assertThat(profile.path("orderCount").asInt()).isPositive();
		assertThat(profile.path("memberLevel").asString()).isIn("GOLD", "DIAMOND");
	}

	@Test
	void rule_tags_follow_orders_as_they_are_paid_and_taken_back() {
		Customer customer = Customer.of(demo, "SH-NJR");
		AudienceTesting.paidOrder(backend, customer, "SH-NJR", EARRING_SKU, 1, EARRING_FEN);
		await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
			JsonNode p = AudienceTesting.profile(demo.owner, customer.id());
			assertThat(p.path("orderCount").asInt()).isEqualTo(1);
			assertThat(p.path("totalSpendFen").asLong()).isEqualTo(EARRING_FEN);
			assertThat(p.path("favouriteCategories").get(0).asString()).isEqualTo("耳饰");
		});
		assertThat(tags(demo.owner, customer.id())).doesNotContain("耳钉爱好者");

		String second = AudienceTesting.paidOrder(backend, customer, "SH-NJR", EARRING_SKU, 1, EARRING_FEN);
		await().atMost(Duration.ofSeconds(20))
			.untilAsserted(() -> assertThat(tags(demo.owner, customer.id())).contains("耳钉爱好者"));
		assertThat(profiles.hasTag(CustomerId.valueOf(customer.id()), "耳钉爱好者")).isTrue();

		// the second order is cancelled after payment: the purchase leaves the history, and the tag goes with it
		AudienceTesting.cancel(backend, second);
		await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
			assertThat(tags(demo.owner, customer.id())).doesNotContain("耳钉爱好者");
			assertThat(AudienceTesting.profile(demo.owner, customer.id()).path("orderCount").asInt()).isEqualTo(1);
		});
	}

	@Test
	void a_changed_rule_is_re_evaluated_over_everyone_at_once() {
		String name = "月饼控-" + UUID.randomUUID().toString().substring(0, 6);
		Customer one = Customer.of(demo, "HZ-XH");
		Customer two = Customer.of(demo, "HZ-XH");
		AudienceTesting.paidOrder(backend, one, "HZ-XH", MOONCAKE_SKU, 1, MOONCAKE_FEN);
		AudienceTesting.paidOrder(backend, two, "HZ-XH", MOONCAKE_SKU, 1, MOONCAKE_FEN);
		AudienceTesting.paidOrder(backend, two, "HZ-XH", MOONCAKE_SKU, 2, MOONCAKE_FEN);
		await().atMost(Duration.ofSeconds(20))
			.untilAsserted(() -> assertThat(AudienceTesting.profile(demo.owner, two.id()).path("orderCount").asInt()).isEqualTo(2));

		JsonNode created = demo.owner.post("/api/v1/audience/tags", Map.of("name", name, "rule",
				Map.of("purchases", Map.of("category", "月饼"), "measure", "orders", "op", "gte", "value", 1)))
			.expect(201)
			.json();
		String tagId = created.path("tag").path("id").asString();
		assertThat(created.path("tag").path("kind").asString()).isEqualTo("RULE");
		assertThat(created.path("added").asLong()).isEqualTo(created.path("tag").path("members").asLong()).isGreaterThanOrEqualTo(2);
		// evaluated before the answer: no waiting
		assertThat(tags(demo.owner, one.id())).contains(name);
		assertThat(tags(demo.owner, two.id())).contains(name);

		JsonNode changed = demo.owner.put("/api/v1/audience/tags/" + tagId, Map.of("rule",
				Map.of("purchases", Map.of("category", "月饼"), "measure", "orders", "op", "gte", "value", 2)))
			.expect(200)
			.json();
		assertThat(changed.path("removed").asLong()).isPositive();
		assertThat(changed.path("tag").path("ruleVersion").asInt()).isEqualTo(2);
		assertThat(tags(demo.owner, one.id())).doesNotContain(name);
		assertThat(tags(demo.owner, two.id())).contains(name);

		// and kept current afterwards: one's second order brings the tag back
		AudienceTesting.paidOrder(backend, one, "HZ-XH", MOONCAKE_SKU, 1, MOONCAKE_FEN);
		await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(tags(demo.owner, one.id())).contains(name));

		// a rule tag is given and taken by its rule alone
		demo.owner.post("/api/v1/audience/customers/" + one.id() + "/tags", Map.of("tag", name))
			.expectProblem(409, "rule-tag");
		demo.owner.delete("/api/v1/audience/tags/" + tagId).expect(204);
		assertThat(tags(demo.owner, two.id())).doesNotContain(name);
	}

	@Test
	void bad_conditions_are_refused_naming_the_part_and_nothing_is_saved() {
		int segmentsBefore = demo.owner.get("/api/v1/audience/segments").expect(200).json().size();
		int tagsBefore = demo.owner.get("/api/v1/audience/tags").expect(200).json().size();

		refused(all(leaf("memberLevel", "eq", "GOLD"), leaf("shoeSize", "gt", 40)), "unknown-condition-field",
				"condition.all[1].field");
		refused(all(leaf("orderCount", "approximately", 3)), "unknown-condition-operator", "condition.all[0].op");
		refused(leaf("orderCount", "has", 3), "unknown-condition-operator", "condition.op");
		refused(leaf("orderCount", "between", List.of(5, 1)), "invalid-condition-value", "condition.value");
		refused(leaf("lastPurchaseAt", "withinDays", "ninety"), "invalid-condition-value", "condition.value");
		refused(any(), "invalid-condition", "condition.any");
		refused(Map.of("all", List.of(), "any", List.of()), "invalid-condition", "condition.any");
		refused(Map.of("xor", List.of()), "invalid-condition", "condition.xor");
		refused(all(leaf("tag", "has", "没有这个标签")), "unknown-tag", "condition.all[0].value");
		refused(all(leaf("org", "in", List.of("NORTH"))), "unknown-org-node", "condition.all[0].value");
		refused(all(leaf("segment", "in", "no such segment")), "unknown-segment", "condition.all[0].value");
		refused(all(leaf("timeZone", "eq", "Mars/Olympus_Mons")), "invalid-time-zone", "condition.all[0].value");
		refused(all(leaf("lifecycle", "eq", "ASLEEP")), "invalid-condition-value", "condition.all[0].value");
		refused(Map.of("purchases", Map.of("colour", "red"), "measure", "orders", "op", "gte", "value", 1),
				"invalid-condition", "condition.purchases.colour");

		// a rule tag whose condition can never be true
		demo.owner.post("/api/v1/audience/tags", Map.of("name", "不可能", "rule",
				all(leaf("orderCount", "gte", 5), leaf("orderCount", "lt", 3))))
			.expectProblem(400, "rule-never-true");
		assertThat(demo.owner.post("/api/v1/audience/tags", Map.of("name", "不可能", "rule",
				all(leaf("orderCount", "gte", 5), leaf("orderCount", "lt", 3))))
			.errorFields()).containsExactly("rule.all[1]");
		demo.owner.post("/api/v1/audience/tags", Map.of("name", "不可能", "rule", leaf("totalSpendFen", "lt", 0)))
			.expectProblem(400, "rule-never-true");
		demo.owner.post("/api/v1/audience/tags", Map.of("name", "不可能", "rule",
				all(leaf("lastPurchaseAt", "withinDays", 30), leaf("lastPurchaseAt", "olderThanDays", 60))))
			.expectProblem(400, "rule-never-true");
		demo.owner.post("/api/v1/audience/tags", Map.of("name", "不可能", "rule",
				all(leaf("lifecycle", "eq", "NEW"), leaf("lifecycle", "in", List.of("ACTIVE", "DORMANT")))))
			.expectProblem(400, "rule-never-true");
		demo.owner.post("/api/v1/audience/tags", Map.of("name", "不可能", "rule",
				Map.of("purchases", Map.of("category", "耳饰"), "measure", "orders", "op", "lt", "value", 0)))
			.expectProblem(400, "rule-never-true");
		// rules look at facts only, never at other tags or segments
		demo.owner.post("/api/v1/audience/tags", Map.of("name", "不可能", "rule", leaf("tag", "has", "高价值")))
			.expectProblem(400, "field-not-allowed-in-rule");

		// an invalid time zone for a customer
		Customer customer = Customer.of(demo, "SH-NJR");
		demo.owner.patch("/api/v1/audience/customers/" + customer.id(), Map.of("timeZone", "Asia/Atlantis"))
			.expectProblem(400, "invalid-time-zone");
		customer.api().patch("/api/v1/audience/me", Map.of("timeZone", "UTC+25")).expectProblem(400, "invalid-time-zone");
		assertThat(AudienceTesting.profile(demo.owner, customer.id()).path("timeZone").isNull()).isTrue();

		assertThat(demo.owner.get("/api/v1/audience/segments").expect(200).json().size()).isEqualTo(segmentsBefore);
		assertThat(demo.owner.get("/api/v1/audience/tags").expect(200).json().size()).isEqualTo(tagsBefore);
	}

	@Test
	void a_cycle_of_segment_references_is_refused() {
		String suffix = UUID.randomUUID().toString().substring(0, 6);
		String a = demo.owner.post("/api/v1/audience/segments",
				Map.of("name", "A-" + suffix, "condition", leaf("memberLevel", "eq", "GOLD")))
			.expect(201)
			.string("id");
		String b = demo.owner.post("/api/v1/audience/segments",
				Map.of("name", "B-" + suffix, "condition", all(leaf("segment", "in", "A-" + suffix), leaf("orderCount", "gte", 1))))
			.expect(201)
			.string("id");
		// the reference by name is stored by id
		assertThat(demo.owner.get("/api/v1/audience/segments/" + b).expect(200).json().path("condition").path("all").get(0)
			.path("value").asString()).isEqualTo(a);
		String c = demo.owner.post("/api/v1/audience/segments",
				Map.of("name", "C-" + suffix, "condition", leaf("segment", "in", b)))
			.expect(201)
			.string("id");

		// A -> C -> B -> A
		demo.owner.put("/api/v1/audience/segments/" + a, Map.of("condition", leaf("segment", "in", c)))
			.expectProblem(400, "segment-cycle");
		// A -> A
		demo.owner.put("/api/v1/audience/segments/" + a, Map.of("condition", any(leaf("segment", "in", a))))
			.expectProblem(400, "segment-cycle");
		assertThat(demo.owner.get("/api/v1/audience/segments/" + a).expect(200).json().path("condition").path("field").asString())
			.isEqualTo("memberLevel");
		// a segment in use cannot go
		demo.owner.delete("/api/v1/audience/segments/" + a).expectProblem(409, "segment-in-use");
		assertThat(segments.count(SegmentId.valueOf(c), null)).isEqualTo(segments.count(SegmentId.valueOf(b), null));
	}

	@Test
	void segments_are_counted_sampled_and_snapshotted_within_the_callers_stores() {
		JsonNode list = demo.owner.get("/api/v1/audience/segments").expect(200).json();
		String everyone = demo.owner.post("/api/v1/audience/segments",
				Map.of("name", "everyone-" + UUID.randomUUID(), "condition", all()))
			.expect(201)
			.string("id");
		long all = demo.owner.get("/api/v1/audience/segments/" + everyone + "/count").expect(200).json().path("count").asLong();
		assertThat(all).isGreaterThanOrEqualTo(200);
		Api manager = demo.staff("sh-njr.manager");
		long mine = manager.get("/api/v1/audience/segments/" + everyone + "/count").expect(200).json().path("count").asLong();
		assertThat(mine).isPositive().isLessThan(all);
		JsonNode sample = manager.get("/api/v1/audience/segments/" + everyone + "/preview").expect(200).json().path("sample");
		sample.forEach(m -> assertThat(m.path("homeStoreId").asString()).isEqualTo(demo.node("SH-NJR")));
		// store staff read segments but do not define them
		manager.post("/api/v1/audience/segments", Map.of("name", "mine", "condition", all())).expectProblem(403, "forbidden");

		// a snapshot is fixed: the same key gives the same members
		JsonNode snapshot = demo.owner.post("/api/v1/audience/segments/" + everyone + "/snapshots",
				Map.of("key", "campaign-" + UUID.randomUUID(), "scope", demo.node("EAST")))
			.expect(201)
			.json();
		long east = snapshot.path("memberCount").asLong();
		assertThat(east).isPositive().isLessThan(all);
		Customer newcomer = Customer.of(demo, "HZ-XH");
		await().atMost(Duration.ofSeconds(20))
			.until(() -> demo.owner.get("/api/v1/audience/customers/" + newcomer.id()).status() == 200);
		JsonNode again = demo.owner.post("/api/v1/audience/segments/" + everyone + "/snapshots",
				Map.of("key", snapshot.path("key").asString(), "scope", demo.node("EAST")))
			.expect(201)
			.json();
		assertThat(again.path("id").asString()).isEqualTo(snapshot.path("id").asString());
		assertThat(again.path("memberCount").asLong()).isEqualTo(east);
		int paged = 0;
		String after = null;
		do {
			JsonNode page = demo.owner.get("/api/v1/audience/snapshots/" + snapshot.path("id").asString() + "/members?limit=200"
					+ (after == null ? "" : "&after=" + after)).expect(200).json();
			paged += page.path("items").size();
			after = page.path("nextCursor").isNull() || page.path("nextCursor").isMissingNode() ? null
					: page.path("nextCursor").asString();
		}
		while (after != null);
		assertThat(paged).isEqualTo(east);
		// live evaluation for triggers
		assertThat(segments.contains(SegmentId.valueOf(everyone), CustomerId.valueOf(newcomer.id()))).isTrue();
		assertThat(list.size()).isPositive();

		// the plan of a count, for operators
		JsonNode plan = demo.owner.get("/api/v1/audience/segments/" + everyone + "/explain").expect(200).json();
		assertThat(plan.path("plan").toString()).contains("Execution Time");

		// deleting the segment deletes its snapshots and their members
		UUID snapshotId = UUID.fromString(snapshot.path("id").asString());
		assertThat(jdbc.sql("SELECT coalesce(sum(cardinality(members)), 0) FROM audience_snapshot_pages WHERE snapshot_id = ?").param(snapshotId)
			.query(Long.class).single()).isEqualTo(east);
		demo.owner.delete("/api/v1/audience/segments/" + everyone).expect(204);
		demo.owner.get("/api/v1/audience/snapshots/" + snapshotId + "/members").expectProblem(404, "not-found");
		assertThat(jdbc.sql("SELECT coalesce(sum(cardinality(members)), 0) FROM audience_snapshot_pages WHERE snapshot_id = ?").param(snapshotId)
			.query(Long.class).single()).isZero();
	}

	@Test
	void staff_tag_the_customers_of_their_stores_and_imports_report_bad_rows() {
		Api manager = demo.staff("sh-njr.manager");
		Customer own = Customer.of(demo, "SH-NJR");
		Customer other = Customer.of(demo, "GZ-TH");
		manager.post("/api/v1/audience/customers/" + own.id() + "/tags", Map.of("tag", "爱喝茶")).expect(201);
		manager.post("/api/v1/audience/customers/" + own.id() + "/tags", Map.of("tag", "爱喝茶")).expect(200);
		manager.post("/api/v1/audience/customers/" + other.id() + "/tags", Map.of("tag", "爱喝茶"))
			.expectProblem(403, "forbidden");
		demo.staff("sh-njr.clerk1").post("/api/v1/audience/customers/" + own.id() + "/tags", Map.of("tag", "爱喝茶"))
			.expectProblem(403, "forbidden");
		assertThat(tags(manager, own.id())).contains("爱喝茶");
		manager.get("/api/v1/audience/customers/" + other.id()).expectProblem(403, "forbidden");

		String csv = "customer_external_id,tag\n" + own.externalId() + ",春节礼盒客户\n" + other.externalId()
				+ ",春节礼盒客户\nno-such-customer,春节礼盒客户\n" + own.externalId() + ",耳钉爱好者\n";
		JsonNode imported = demo.anonymous.as(manager.token())
			.raw("POST", "/api/v1/audience/tags/import", "text/csv", csv.getBytes(java.nio.charset.StandardCharsets.UTF_8))
			.expect(200)
			.json();
		assertThat(imported.path("rows").asInt()).isEqualTo(4);
		assertThat(imported.path("assigned").asInt()).isEqualTo(1);
		assertThat(imported.path("refused").asInt()).isEqualTo(3);
		assertThat(imported.path("errors").valueStream().map(e -> e.path("line").asInt()).toList()).containsExactly(3, 4, 5);
		assertThat(tags(demo.owner, own.id())).contains("春节礼盒客户");
		assertThat(tags(demo.owner, other.id())).doesNotContain("春节礼盒客户");
		demo.anonymous.as(manager.token())
			.raw("POST", "/api/v1/audience/tags/import", "text/csv", "who,what\n".getBytes())
			.expectProblem(400, "invalid-csv");
	}

	@Test
	void customers_follow_topics_and_segments_find_them() {
		Customer customer = Customer.of(demo, "SZ-GQJ");
		customer.api().post("/api/v1/audience/me/subscriptions", Map.of("topic", "tag:新款耳钉", "source", "QR")).expect(201);
		customer.api().post("/api/v1/audience/me/subscriptions", Map.of("topic", "tag:新款耳钉", "source", "QR")).expect(200);
		customer.api().post("/api/v1/audience/me/subscriptions", Map.of("topic", "store:SZ-GQJ", "source", "GROUP")).expect(201);
		customer.api().post("/api/v1/audience/me/subscriptions", Map.of("topic", "weather:rain")).expectProblem(400, "invalid-topic");
		customer.api().post("/api/v1/audience/me/subscriptions", Map.of("topic", "tag:x", "source", "API"))
			.expectProblem(400, "invalid-value");
		List<String> topics = customer.api().get("/api/v1/audience/me/subscriptions").expect(200).json().valueStream()
			.map(s -> s.path("topic").asString())
			.toList();
		assertThat(topics).containsExactly("tag:新款耳钉", "store:" + demo.node("SZ-GQJ"));
		// following from a QR code is an opt-in to hear about it in the app, with its evidence
		JsonNode consents = customer.api().get("/api/v1/audience/me/consents").expect(200).json();
		assertThat(consents.path("history").get(0).path("source").asString()).isEqualTo("QR");
		assertThat(consents.path("history").get(0).path("granted").asBoolean()).isTrue();

		JsonNode preview = demo.owner.post("/api/v1/audience/segments/preview", Map.of("condition",
				all(leaf("subscription", "has", "tag:新款耳钉"), leaf("org", "in", List.of("SZ-GQJ")))))
			.expect(200)
			.json();
		assertThat(preview.path("sample").valueStream().map(m -> m.path("customerId").asString()).toList())
			.contains(customer.id());
		assertThat(profiles.followers(Topic.parse("tag:新款耳钉"), null, 1000)).contains(CustomerId.valueOf(customer.id()));

		// staff and the backend follow for a customer with consent:write
		backend.post("/api/v1/audience/customers/" + customer.id() + "/subscriptions",
				Map.of("topic", "category:耳饰", "source", "API")).expect(201);
		customer.api().delete("/api/v1/audience/me/subscriptions?topic=tag:新款耳钉").expect(204);
		assertThat(AudienceTesting.profile(demo.owner, customer.id()).path("subscriptions").valueStream()
			.map(JsonNode::asString)
			.toList()).containsExactlyInAnyOrder("category:耳饰", "store:" + demo.node("SZ-GQJ"));
	}

	@Test
	void joining_a_stores_customer_group_follows_the_store() {
		Customer founder = Customer.of(demo, "HZ-XH");
		Customer later = Customer.of(demo, "HZ-XH");
		Customer regional = Customer.of(demo, "HZ-XH");
		Api manager = demo.staff("hz-xh.manager");
		String group = manager.post("/api/v1/conversations", Map.of("kind", "GROUP", "orgNodeId", demo.node("HZ-XH"),
				"title", "西湖店会员群", "members", List.of("customer:" + founder.id()))).expect(201).string("id");
		manager.post("/api/v1/conversations/" + group + "/members",
				Map.of("participants", List.of("customer:" + later.id()))).expect(204);
		String store = "store:" + demo.node("HZ-XH");
		for (Customer c : List.of(founder, later)) {
			org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).untilAsserted(() -> {
				JsonNode follows = c.api().get("/api/v1/audience/me/subscriptions").expect(200).json();
				assertThat(follows.valueStream().filter(s -> s.path("topic").asString().equals(store))
					.map(s -> s.path("source").asString())
					.toList()).containsExactly("GROUP");
			});
			// following is an opt-in to hear about it in the app, with its evidence
			JsonNode consent = c.api().get("/api/v1/audience/me/consents").expect(200).json().path("history").get(0);
			assertThat(consent.path("source").asString()).isEqualTo("GROUP");
			assertThat(consent.path("evidence").asString()).isEqualTo("followed " + store);
		}
		// a group of the region is no store's customer group: nothing is followed
		String east = demo.owner.post("/api/v1/conversations", Map.of("kind", "GROUP", "orgNodeId", demo.node("EAST"),
				"title", "华东会员群", "members", List.of("customer:" + regional.id()))).expect(201).string("id");
		// once audience has handled that group's event (its publication completed), nothing was followed
		org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).until(() -> jdbc.sql("""
				SELECT count(*) FROM event_publication
				 WHERE event_type LIKE '%CustomersJoinedGroup' AND serialized_event LIKE ? AND completion_date IS NOT NULL""")
			.param("%" + east + "%")
			.query(Long.class)
			.single() > 0);
		assertThat(regional.api().get("/api/v1/audience/me/subscriptions").expect(200).json().size()).isZero();
	}

	private void refused(Map<String, Object> condition, String code, String field) {
		Api.Response saved = demo.owner.post("/api/v1/audience/segments",
				Map.of("name", "bad-" + UUID.randomUUID(), "condition", condition));
		saved.expectProblem(400, code);
		assertThat(saved.errorFields()).as(saved.raw().body()).containsExactly(field);
		demo.owner.post("/api/v1/audience/segments/preview", Map.of("condition", condition)).expectProblem(400, code);
	}

	private static JsonNode find(JsonNode list, String name) {
		return list.valueStream().filter(n -> n.path("name").asString().equals(name)).findFirst().orElseThrow(
				() -> new AssertionError("no " + name + " in " + list));
	}

	private static String id(JsonNode list, String name) {
		return find(list, name).path("id").asString();
	}
}
