package io.storecast.campaigns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;

import io.storecast.support.Api;
import io.storecast.support.DemoFixture;
import io.storecast.support.StorecastIntegrationTest;
import tools.jackson.databind.JsonNode;

/**
 * Campaigns end to end over REST on the demo merchant: defined, checked when saved, sent now or at a
 * time, each recipient decided by the contact policy and handed to delivery exactly once, progress
 * and delivery outcomes visible, scope and bad input refused with nothing saved.
 */
@StorecastIntegrationTest
class CampaignsIntegrationTest {

	@LocalServerPort
	int port;

	@Autowired
	JdbcClient jdbc;

	DemoFixture demo;

	@BeforeEach
	void setUp() {
		demo = new DemoFixture(port);
	}

	/** A valid campaign body: a transactional in-app message to every customer of the given stores. */
	Map<String, Object> campaign(Object... overrides) {
		Map<String, Object> c = new HashMap<>(Map.of("name", "月饼礼盒 满200减30", "purpose", "TRANSACTIONAL", "startsAt",
				Instant.now().minusSeconds(60).toString(), "endsAt", Instant.now().plus(Duration.ofDays(7)).toString(),
				"offer", Map.of("text", "满200减30", "product", "月饼礼盒"), "stores", List.of(demo.node("EAST")), "route",
				List.of(Map.of("channel", "IN_APP")), "templates",
				Map.of("IN_APP", Map.of("zh-CN", "{nickname}您好,{store}的{product}满200减30", "en", "Hi {nickname}")),
				"audience", Map.of("kind", "STORES")));
		for (int i = 0; i < overrides.length; i += 2) {
			if (overrides[i + 1] == null) {
				c.remove((String) overrides[i]);
			}
			else {
				c.put((String) overrides[i], overrides[i + 1]);
			}
		}
		return c;
	}

	JsonNode awaitStatus(Api api, String id, String status) {
		JsonNode[] last = new JsonNode[1];
		await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
			last[0] = api.get("/api/v1/campaigns/" + id).expect(200).json();
			assertThat(last[0].path("status").asString()).as("campaign %s", last[0]).isEqualTo(status);
		});
		return last[0];
	}

	long campaigns() {
		return jdbc.sql("SELECT count(*) FROM campaigns_campaigns").query(Long.class).single();
	}

	String newCustomer(String storeCode, String nickname) {
		String externalId = "camp-" + UUID.randomUUID();
		return demo.owner
			.put("/api/v1/customers/external/" + externalId, Map.of("nickname", nickname, "homeStoreId", demo.node(storeCode)))
			.expect(200)
			.string("id");
	}

	@Test
	void hq_sends_to_every_customer_of_the_east_stores_with_a_coupon_each_exactly_once() {
		String template = demo.owner.post("/api/v1/coupons/templates", Map.of("name", "满200减30", "kind", "AMOUNT_OFF",
				"discountFen", 3000, "thresholdFen", 20000, "validFrom", Instant.now().minusSeconds(3600).toString(),
				"validUntil", Instant.now().plus(Duration.ofDays(30)).toString(), "stock", 1000))
			.expect(201)
			.string("id");
		Api marketer = demo.staff("hq.marketer");
		JsonNode created = marketer.post("/api/v1/campaigns", campaign("offer",
				Map.of("text", "满200减30", "product", "月饼礼盒", "couponTemplateId", template), "templates",
				Map.of("IN_APP", Map.of("zh-CN", "{nickname}您好!{store}{product}满200减30,券码{coupon},退订{link}"))))
			.expect(201)
			.json();
		assertThat(created.path("status").asString()).isEqualTo("DRAFT");
		assertThat(created.path("scopeNodeId").asString()).isEqualTo(demo.node("EAST"));
		assertThat(created.path("stores").size()).isGreaterThanOrEqualTo(2);
		String id = created.path("id").asString();

		JsonNode accepted = marketer.post("/api/v1/campaigns/" + id + "/send", Map.of()).expect(202).json();
		assertThat(accepted.path("status").asString()).isIn("SCHEDULED", "SENDING", "SENT");
		JsonNode sent = awaitStatus(marketer, id, "SENT");
		JsonNode progress = sent.path("progress");
		long recipients = progress.path("recipients").asLong();
		assertThat(recipients).isPositive();
		assertThat(progress.path("handedOff").asLong()).isEqualTo(recipients);
		assertThat(progress.path("planned").asLong()).isZero();

		// one delivery per recipient, under the campaign's source; every recipient has its own coupon
		String source = "campaign:" + id;
		JsonNode stats = demo.owner.get("/api/v1/deliveries/stats?source=" + source).expect(200).json();
		long deliveries = 0;
		for (JsonNode n : stats.path("byStatus")) {
			deliveries += n.asLong();
		}
		assertThat(deliveries).isEqualTo(recipients);
		List<JsonNode> rows = recipients(marketer, id);
		assertThat(rows).hasSize((int) recipients);
		assertThat(rows.stream().map(r -> r.path("couponCode").asString()).distinct()).hasSize((int) recipients);
		assertThat(rows.stream().map(r -> r.path("deliveryId").asString()).distinct()).hasSize((int) recipients);
		assertThat(jdbc.sql("SELECT count(*) FROM coupons_coupons WHERE template_id = ?")
			.param(UUID.fromString(template))
			.query(Long.class)
			.single()).isEqualTo(recipients);

		// in-app messages are delivered when stored: delivery's events reach the campaign's counters
		await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
				marketer.get("/api/v1/campaigns/" + id).expect(200).json().path("progress").path("deliveries").path("DELIVERED")
					.asLong()).isEqualTo(recipients));

		// a campaign is sent once
		marketer.post("/api/v1/campaigns/" + id + "/send", Map.of()).expectProblem(409, "campaign-not-draft");
		marketer.post("/api/v1/campaigns/" + id + "/cancel", Map.of()).expectProblem(409, "campaign-not-cancellable");
	}

	static List<JsonNode> recipients(Api api, String id) {
		List<JsonNode> rows = new ArrayList<>();
		String after = null;
		do {
			JsonNode page = api.get("/api/v1/campaigns/" + id + "/recipients?limit=200" + (after == null ? "" : "&after=" + after))
				.expect(200)
				.json();
			page.path("items").forEach(rows::add);
			after = page.path("nextCursor").isMissingNode() || page.path("nextCursor").isNull() ? null
					: page.path("nextCursor").asString();
		}
		while (after != null);
		return rows;
	}

	@Test
	void marketing_passes_the_contact_policy_a_withdrawn_customer_is_skipped_with_the_reason() {
		String stays = newCustomer("HZ-XH", "小美");
		String withdrew = newCustomer("HZ-XH", "小丽");
		demo.owner.post("/api/v1/audience/customers/" + withdrew + "/consents", Map.of("channel", "IN_APP", "purpose",
				"MARKETING", "granted", false, "source", "PAPER_FORM")).expect(201);
		Api manager = demo.staff("hz-xh.manager");
		String id = manager.post("/api/v1/campaigns", campaign("purpose", "MARKETING", "stores", List.of(demo.node("HZ-XH")),
				"audience", Map.of("kind", "CUSTOMERS", "customerIds", List.of(stays, withdrew))))
			.expect(201)
			.string("id");
		manager.post("/api/v1/campaigns/" + id + "/send", Map.of()).expect(202);
		await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
			JsonNode p = manager.get("/api/v1/campaigns/" + id).expect(200).json().path("progress");
			assertThat(p.path("recipients").asLong()).isEqualTo(2);
			assertThat(p.path("planned").asLong()).isZero();
			assertThat(p.path("skippedByReason").path("consent-withdrawn").asLong()).isEqualTo(1);
			// in the send window it is handed off; in quiet hours it waits for the window (the time the test runs decides)
			assertThat(p.path("handedOff").asLong() + p.path("deferred").asLong()).isEqualTo(1);
		});
		Map<String, JsonNode> byCustomer = new HashMap<>();
		recipients(manager, id).forEach(r -> byCustomer.put(r.path("customerId").asString(), r));
		assertThat(byCustomer.get(withdrew).path("status").asString()).isEqualTo("SKIPPED");
		assertThat(byCustomer.get(withdrew).path("deliveryId").isNull()).isTrue();
		JsonNode other = byCustomer.get(stays);
		if (other.path("status").asString().equals("DEFERRED")) {
			assertThat(other.path("reason").asString()).isIn("quiet-hours", "holiday");
			assertThat(manager.get("/api/v1/campaigns/" + id).expect(200).json().path("progress").path("nextWakeUp").asString())
				.isEqualTo(other.path("deferUntil").asString());
			assertThat(jdbc.sql("SELECT count(*) FROM scheduled_tasks WHERE task_name = 'campaigns-send' AND task_instance LIKE ?")
				.param(id + "@%").query(Long.class).single()).isEqualTo(1);
		}
		else {
			assertThat(other.path("status").asString()).isEqualTo("HANDED_OFF");
		}
		// results count the messages handed off: the skipped recipient's row (and a deferred one's) is not in them
		long handedOff = other.path("status").asString().equals("HANDED_OFF") ? 1 : 0;
		JsonNode results = manager.get("/api/v1/campaigns/" + id + "/results").expect(200).json();
		assertThat(results.path("totals").path("recipients").asLong()).isEqualTo(handedOff);
		assertThat(results.path("rows")).hasSize((int) handedOff);
	}

	@Test
	void a_scheduled_campaign_waits_in_the_persistent_schedule_and_sends_at_its_time_or_is_cancelled() {
		Api owner = demo.owner;
		String later = owner.post("/api/v1/campaigns", campaign("stores", List.of(demo.node("GZ-TH")))).expect(201).string("id");
		Instant in1h = Instant.now().plus(Duration.ofHours(1));
		JsonNode scheduled = owner.post("/api/v1/campaigns/" + later + "/send", Map.of("at", in1h.toString())).expect(202).json();
		assertThat(scheduled.path("status").asString()).isEqualTo("SCHEDULED");
		assertThat(jdbc.sql("SELECT count(*) FROM scheduled_tasks WHERE task_name = 'campaigns-send' AND task_instance = ?")
			.param(later).query(Long.class).single()).isEqualTo(1);
		JsonNode cancelled = owner.post("/api/v1/campaigns/" + later + "/cancel", Map.of()).expect(200).json();
		assertThat(cancelled.path("status").asString()).isEqualTo("CANCELLED");

		String soon = owner.post("/api/v1/campaigns", campaign("stores", List.of(demo.node("GZ-TH")))).expect(201).string("id");
		owner.post("/api/v1/campaigns/" + soon + "/send", Map.of("at", Instant.now().plusSeconds(2).toString())).expect(202);
		JsonNode sent = awaitStatus(owner, soon, "SENT");
		assertThat(sent.path("progress").path("handedOff").asLong()).isPositive();
		assertThat(sent.path("startedAt").asString()).isNotEmpty();

		// the cancelled one never sent anything
		assertThat(owner.get("/api/v1/campaigns/" + later).expect(200).json().path("progress").path("handedOff").asLong())
			.isZero();
		JsonNode stats = owner.get("/api/v1/deliveries/stats?source=campaign:" + later).expect(200).json();
		stats.path("byStatus").forEach(n -> assertThat(n.asLong()).isZero());
	}

	@Test
	void managers_send_within_their_part_of_the_organisation_only_and_clerks_not_at_all() {
		long before = campaigns();
		Api storeManager = demo.staff("hz-xh.manager");
		storeManager.post("/api/v1/campaigns", campaign("stores", List.of(demo.node("HZ-XH")))).expect(201);
		storeManager.post("/api/v1/campaigns", campaign("stores", List.of(demo.node("SH-NJR")))).expectProblem(403, "forbidden");
		storeManager.post("/api/v1/campaigns", campaign()).expectProblem(403, "forbidden");
		String elsewhere = newCustomer("SZ-GQJ", "远方");
		storeManager.post("/api/v1/campaigns", campaign("stores", List.of(demo.node("HZ-XH")), "audience",
				Map.of("kind", "CUSTOMERS", "customerIds", List.of(elsewhere)))).expectProblem(403, "forbidden");
		demo.staff("hz-xh.clerk1").post("/api/v1/campaigns", campaign("stores", List.of(demo.node("HZ-XH"))))
			.expectProblem(403, "forbidden");
		Api regionManager = demo.staff("east.manager");
		String east = regionManager.post("/api/v1/campaigns", campaign()).expect(201).string("id");
		regionManager.post("/api/v1/campaigns", campaign("stores", List.of(demo.node("SOUTH")))).expectProblem(403, "forbidden");
		assertThat(campaigns()).isEqualTo(before + 2);

		// a store manager neither sees nor sends the region's campaign
		storeManager.get("/api/v1/campaigns/" + east).expectProblem(404, "not-found");
		storeManager.post("/api/v1/campaigns/" + east + "/send", Map.of()).expectProblem(404, "not-found");
		assertThat(storeManager.get("/api/v1/campaigns?limit=200").expect(200).json().path("items").findValuesAsString("id"))
			.doesNotContain(east);
		assertThat(regionManager.get("/api/v1/campaigns?limit=200").expect(200).json().path("items").findValuesAsString("id"))
			.contains(east);
	}

	@Test
	void bad_input_is_refused_naming_the_field_and_nothing_is_saved_or_sent() {
		Api owner = demo.owner;
		long before = campaigns();
		owner.post("/api/v1/campaigns", campaign("route", List.of(Map.of("channel", "IN_APP"), Map.of("channel", "SMS")),
				"templates", Map.of("IN_APP", Map.of("zh-CN", "hi"), "SMS", Map.of("zh-CN", "{nickname}你好{shoeSize}"))))
			.expectProblem(400, "unknown-template-variable")
			.errorFields()
			.contains("templates.SMS.zh-CN");
		assertThat(owner.post("/api/v1/campaigns", campaign("route", List.of(Map.of("channel", "SMS")), "templates",
				Map.of("SMS", Map.of("zh-CN", "月".repeat(380) + "{nickname}{store}"))))
			.expectProblem(400, "template-too-long")
			.errorFields()).containsExactly("templates.SMS.zh-CN");
		assertThat(owner.post("/api/v1/campaigns", campaign("templates",
				Map.of("IN_APP", Map.of("zh-CN", "券码{coupon}"))))
			.expectProblem(400, "unknown-template-variable")
			.errorFields()).containsExactly("templates.IN_APP.zh-CN");
		assertThat(owner.post("/api/v1/campaigns", campaign("route", List.of(Map.of("channel", "IN_APP", "fallbackAfterMinutes", 30),
				Map.of("channel", "SMS"))))
			.expectProblem(400, "missing-template")
			.errorFields()).containsExactly("templates.SMS.zh-CN");
		assertThat(owner.post("/api/v1/campaigns", campaign("stores", List.of(UUID.randomUUID().toString())))
			.expectProblem(400, "unknown-store")
			.errorFields()).containsExactly("stores[0]");
		assertThat(owner.post("/api/v1/campaigns", campaign("offer", Map.of("text", "x", "couponTemplateId",
				UUID.randomUUID().toString())))
			.expectProblem(400, "unknown-coupon-template")
			.errorFields()).containsExactly("offer.couponTemplateId");
		assertThat(owner.post("/api/v1/campaigns", campaign("audience", Map.of("kind", "SEGMENT", "segmentId",
				UUID.randomUUID().toString())))
			.expectProblem(400, "unknown-segment")
			.errorFields()).containsExactly("audience.segmentId");
		assertThat(owner.post("/api/v1/campaigns", campaign("audience", Map.of("kind", "CUSTOMERS", "customerIds", List.of())))
			.expectProblem(400, "empty-audience")
			.errorFields()).containsExactly("audience.customerIds");
		assertThat(owner.post("/api/v1/campaigns", campaign("audience", Map.of("kind", "CUSTOMERS", "customerIds",
				List.of(UUID.randomUUID().toString()))))
			.expectProblem(400, "unknown-customer")
			.errorFields()).containsExactly("audience.customerIds[0]");
		assertThat(owner.post("/api/v1/campaigns", campaign("endsAt", Instant.now().minusSeconds(120).toString()))
			.expectProblem(400, "validation-failed")
			.errorFields()).containsExactly("endsAt");
		owner.post("/api/v1/campaigns", campaign("purpose", "STAFF_NOTICE")).expectProblem(400, "invalid-value");
		owner.raw("POST", "/api/v1/campaigns", "application/json", "{\"name\": ".getBytes()).expectProblem(400, "malformed-body");
		assertThat(campaigns()).isEqualTo(before);

		// sending: a time in the past, and an audience with nobody in it, send nothing
		String id = owner.post("/api/v1/campaigns", campaign()).expect(201).string("id");
		assertThat(owner.post("/api/v1/campaigns/" + id + "/send", Map.of("at", Instant.now().minusSeconds(3600).toString()))
			.expectProblem(400, "schedule-in-past")
			.errorFields()).containsExactly("at");
		String lonely = newCustomer("HZ-XH", "独一");
		demo.owner.post("/api/v1/audience/customers/" + lonely + "/tags", Map.of("tag", "camp-empty-" + lonely.substring(0, 8)))
			.expect(201);
		String segment = demo.owner.post("/api/v1/audience/segments", Map.of("name", "camp-" + lonely, "condition",
				Map.of("field", "tag", "op", "has", "value", "camp-empty-" + lonely.substring(0, 8))))
			.expect(201)
			.string("id");
		String nobody = owner.post("/api/v1/campaigns", campaign("stores", List.of(demo.node("GZ-TH")), "audience",
				Map.of("kind", "SEGMENT", "segmentId", segment))).expect(201).string("id");
		owner.post("/api/v1/campaigns/" + nobody + "/send", Map.of()).expectProblem(409, "empty-audience");
		assertThat(owner.get("/api/v1/campaigns/" + nobody).expect(200).string("status")).isEqualTo("DRAFT");
		assertThat(owner.get("/api/v1/campaigns/" + id).expect(200).string("status")).isEqualTo("DRAFT");
		owner.get("/api/v1/campaigns/" + UUID.randomUUID()).expectProblem(404, "not-found");
		Set<String> sources = new HashSet<>(jdbc.sql("SELECT DISTINCT source FROM delivery_messages").query(String.class).list());
		assertThat(sources).doesNotContain("campaign:" + id, "campaign:" + nobody);
	}
}
