package io.storecast.campaigns;

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
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.SchedulerClient;
import com.github.kagkarlsson.scheduler.task.TaskInstance;
import com.github.kagkarlsson.scheduler.task.TaskInstanceId;

import io.storecast.campaigns.TriggerTesting.Customer;
import io.storecast.campaigns.TriggerTesting.Store;
import io.storecast.support.Api;
import io.storecast.support.StorecastIntegrationTest;
import tools.jackson.databind.JsonNode;

/**
 * Cascades forwarded by a store's rule, over REST on the demo merchant: the East region's manager sets
 * rules for stores of the test's own (the trigger tests' fixtures, so no other test's cascade meets
 * them), HQ announces a campaign to the region, and each store's rule forwards it — at once, after a delay unless someone forwards by
 * hand first, or not at all when off — in the name of who set the rule; what could not be forwarded is
 * said in the roll-up.
 */
@StorecastIntegrationTest
class AutoForwardIntegrationTest extends TriggerTestSupport {

	static final String TASK = "campaigns-auto-forward";

	@Autowired
	SchedulerClient scheduler;

	final List<String> rules = new ArrayList<>();

	/** Rules left behind would forward other tests' cascades. */
	@AfterEach
	void removeRules() {
		rules.forEach(store -> demo.owner.delete("/api/v1/campaigns/forward-rules/" + store));
	}

	JsonNode rule(Api api, String store, Map<String, Object> body) {
		JsonNode set = api.put("/api/v1/campaigns/forward-rules/" + store, body).expect(200).json();
		rules.add(store);
		return set;
	}

	String campaign(Api api, List<String> stores) {
		return api.post("/api/v1/campaigns", Map.of("name", "中秋礼盒 自动转发", "purpose", "TRANSACTIONAL", "startsAt",
				Instant.now().minusSeconds(60).toString(), "endsAt", Instant.now().plus(Duration.ofDays(7)).toString(), "offer",
				Map.of("text", "中秋礼盒满300减50", "product", "中秋礼盒"), "stores", stores, "route",
				List.of(Map.of("channel", "IN_APP")), "templates",
				Map.of("IN_APP", Map.of("zh-CN", "{nickname}您好,{store}的{product}满300减50")), "audience",
				Map.of("kind", "STORES"))).expect(201).string("id");
	}

	Map<String, JsonNode> byStore(JsonNode rollUp) {
		Map<String, JsonNode> stores = new HashMap<>();
		rollUp.path("byStore").forEach(s -> stores.put(s.path("store").path("id").asString(), s));
		return stores;
	}

	long forwards(String source) {
		return jdbc.sql("SELECT count(*) FROM campaigns_forwards WHERE source_id = ?")
			.param(UUID.fromString(source))
			.query(Long.class)
			.single();
	}

	/** Runs the store's automatic-forward task now (again, when it has run) and waits until it has. */
	void runNow(String source, String store) {
		TaskInstanceId id = TaskInstanceId.of(TASK, source + "/" + store);
		if (scheduler.getScheduledExecution(id).isPresent()) {
			scheduler.reschedule(id, Instant.now());
		}
		else {
			scheduler.schedule(new TaskInstance<Void>(TASK, id.getId()), Instant.now());
		}
		((Scheduler) scheduler).triggerCheckForDueExecutions();
		await().atMost(Duration.ofSeconds(20)).until(() -> scheduler.getScheduledExecution(id).isEmpty());
	}

	@Test
	void a_stores_rule_forwards_the_announced_campaign_once_in_its_owners_name_unless_someone_forwarded_by_hand_first() {
		Api hq = demo.staff("hq.marketer");
		Api east = demo.staff("east.manager");
		Store auto = Store.create(demo, "AF");
		Store later = Store.create(demo, "AF");
		Store off = Store.create(demo, "AF");
		Store empty = Store.create(demo, "AF");
		Store paused = Store.create(demo, "AF");
		Customer ann = Customer.of(demo, backend, auto, "安安");
		Customer bo = Customer.of(demo, backend, auto, "波波");
		Customer.of(demo, backend, later, "彩彩");
		Customer dan = Customer.of(demo, backend, off, "丹丹");

		JsonNode set = rule(east, auto.id(), Map.of("delayMinutes", 0, "audience", Map.of("kind", "STORES"), "purposes",
				List.of("TRANSACTIONAL")));
		assertThat(set.path("enabled").asBoolean()).isTrue();
		assertThat(set.path("setByName").asString()).isEqualTo("陈华东");
		assertThat(set.path("store").path("code").asString()).isEqualTo(auto.code());
		rule(east, later.id(), Map.of("delayMinutes", 60));
		rule(east, off.id(), Map.of("enabled", false));
		rule(east, empty.id(), Map.of());
		rule(east, paused.id(), Map.of("delayMinutes", 120));
		assertThat(east.get("/api/v1/campaigns/forward-rules/" + later.id()).expect(200).json().path("delayMinutes").asInt())
			.isEqualTo(60);

		// HQ announces the campaign to the region's manager, who may forward for each of these stores
		String source = campaign(hq, List.of(auto.id(), later.id(), off.id(), empty.id(), paused.id()));
		String notice = hq.post("/api/v1/staff-notices", Map.of("campaignId", source, "audience",
				Map.of("nodes", List.of(demo.node("EAST")), "roles", List.of("REGION_MANAGER")))).expect(201).string("id");
		JsonNode[] open = new JsonNode[1];
		await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
			open[0] = hq.get("/api/v1/staff-notices/" + notice).expect(200).json();
			assertThat(open[0].path("status").asString()).isEqualTo("OPEN");
		});
		Instant sentAt = Instant.parse(open[0].path("sentAt").asString());

		// at once: the rule's store is forwarded by the rule in the name of who set it; the empty store's
		// forward fails visibly; the delayed one waits; the rule that is off does nothing
		await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
			Map<String, JsonNode> stores = byStore(hq.get("/api/v1/campaigns/" + source + "/cascade").expect(200).json());
			assertThat(stores.get(auto.id()).path("autoForward").path("status").asString()).isEqualTo("FORWARDED");
			assertThat(stores.get(empty.id()).path("autoForward").path("status").asString()).isEqualTo("FAILED");
		});
		JsonNode rollUp = hq.get("/api/v1/campaigns/" + source + "/cascade").expect(200).json();
		Map<String, JsonNode> stores = byStore(rollUp);
		JsonNode a = stores.get(auto.id());
		assertThat(a.path("automatic").asBoolean()).isTrue();
		assertThat(a.path("forwardedByName").asString()).isEqualTo("陈华东");
		assertThat(stores.get(empty.id()).path("autoForward").path("reason").asString()).isEqualTo("empty-audience");
		assertThat(stores.get(empty.id()).path("childId").isNull()).isTrue();
		JsonNode pending = stores.get(later.id()).path("autoForward");
		assertThat(pending.path("status").asString()).isEqualTo("PENDING");
		assertThat(Instant.parse(pending.path("dueAt").asString())).isEqualTo(sentAt.plus(Duration.ofMinutes(60)));
		assertThat(stores.get(later.id()).path("childId").isNull()).isTrue();
		assertThat(stores.get(off.id()).path("autoForward").isNull()).isTrue();
		assertThat(stores.get(off.id()).path("childId").isNull()).isTrue();
		assertThat(rollUp.path("automatic").asInt()).isEqualTo(1);
		assertThat(rollUp.path("pendingAutomatic").asInt()).isEqualTo(2);
		// the waiting forward is a persistent db-scheduler task, due after the delay: a restart loses nothing
		TaskInstanceId waiting = TaskInstanceId.of(TASK, source + "/" + later.id());
		assertThat(scheduler.getScheduledExecution(waiting).orElseThrow().getExecutionTime())
			.isEqualTo(sentAt.plus(Duration.ofMinutes(60)));

		// HQ forwards the delayed store by hand before its time: the rule has nothing left to do
		JsonNode byHand = hq.post("/api/v1/campaigns/" + source + "/forwards", Map.of("storeId", later.id())).expect(201).json();
		assertThat(byHand.path("automatic").asBoolean()).isFalse();
		assertThat(byStore(hq.get("/api/v1/campaigns/" + source + "/cascade").expect(200).json()).get(later.id())
			.path("autoForward").path("status").asString()).isEqualTo("BY_HAND");
		runNow(source, later.id());
		// and a task run again after it forwarded forwards nothing twice
		runNow(source, auto.id());
		assertThat(forwards(source)).isEqualTo(2);
		// a rule turned off before its forward is due forwards nothing, and says so
		east.put("/api/v1/campaigns/forward-rules/" + paused.id(), Map.of("enabled", false, "delayMinutes", 120)).expect(200);
		runNow(source, paused.id());
		JsonNode skipped = byStore(hq.get("/api/v1/campaigns/" + source + "/cascade").expect(200).json()).get(paused.id());
		assertThat(skipped.path("autoForward").path("status").asString()).isEqualTo("SKIPPED");
		assertThat(skipped.path("autoForward").path("reason").asString()).isEqualTo("rule-disabled");
		assertThat(skipped.path("childId").isNull()).isTrue();
		assertThat(forwards(source)).isEqualTo(2);

		// the rule's forward reaches each of the store's customers exactly once; nobody else hears it
		String child = a.path("childId").asString();
		await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
			JsonNode sent = hq.get("/api/v1/campaigns/" + child).expect(200).json();
			assertThat(sent.path("status").asString()).isEqualTo("SENT");
			for (Customer c : List.of(ann, bo)) {
				assertThat(c.messages(auto).stream()
					.filter(m -> m.path("body").path("text").asString().contains("中秋礼盒满300减50"))).hasSize(1);
			}
		});
		assertThat(jdbc.sql("SELECT count(*) FROM delivery_messages WHERE source = ?").param("campaign:" + child)
			.query(Long.class).single()).isEqualTo(2);
		// a campaign's messages queue in the bulk lane, behind orders' and triggers' notices
		assertThat(jdbc.sql("SELECT bool_and(m.bulk AND a.bulk) FROM delivery_messages m JOIN delivery_attempts a ON a.delivery_id = m.id WHERE m.source = ?")
			.param("campaign:" + child).query(Boolean.class).single()).isTrue();
		assertThat(jdbc.sql("SELECT count(*) FROM delivery_messages WHERE customer_id = ?")
			.param(UUID.fromString(dan.id())).query(Long.class).single()).isZero();

		// results and the leaderboard count the rule's forward for who set the rule
		JsonNode board = hq.get("/api/v1/campaigns/" + source + "/leaderboard?by=EMPLOYEE&metric=RECIPIENTS").expect(200).json();
		Map<String, Long> places = new HashMap<>();
		board.path("places").forEach(p -> places.put(p.path("name").asString(), p.path("value").asLong()));
		assertThat(places).containsEntry("陈华东", 2L).containsKey("许市场");
		JsonNode results = hq.get("/api/v1/campaigns/" + source + "/results?by=EMPLOYEE").expect(200).json();
		Map<String, Long> recipients = new HashMap<>();
		results.path("rows").forEach(r -> recipients.put(r.path("label").asString(), r.path("figures").path("recipients").asLong()));
		assertThat(recipients).containsEntry("陈华东", 2L);
	}

	@Test
	void a_rule_is_set_by_whoever_may_forward_for_the_store_and_bad_input_changes_nothing() {
		Api east = demo.staff("east.manager");
		Api shanghai = demo.staff("sh-njr.manager");
		Store store = Store.create(demo, "AF");
		String path = "/api/v1/campaigns/forward-rules/" + store.id();

		// nothing is saved for a store that is not one, or out of reach, or by who may not forward
		assertThat(east.put("/api/v1/campaigns/forward-rules/" + UUID.randomUUID(), Map.of())
			.expectProblem(400, "unknown-store").errorFields()).containsExactly("storeId");
		east.put("/api/v1/campaigns/forward-rules/" + demo.node("EAST"), Map.of()).expectProblem(400, "not-a-store");
		shanghai.put(path, Map.of()).expectProblem(403, "forbidden");
		demo.staff("south.manager").put(path, Map.of()).expectProblem(403, "forbidden");
		demo.staff("sh-njr.clerk1").put("/api/v1/campaigns/forward-rules/" + demo.node("SH-NJR"), Map.of())
			.expectProblem(403, "forbidden");
		demo.anonymous.as(demo.apiKey("auto-forward writer", "campaigns:write")).put(path, Map.of())
			.expectProblem(403, "forbidden");
		// nor for a bad rule
		assertThat(east.put(path, Map.of("delayMinutes", 1441)).expectProblem(400, "validation-failed").errorFields())
			.containsExactly("delayMinutes");
		east.put(path, Map.of("delayMinutes", -1)).expectProblem(400, "validation-failed");
		assertThat(east.put(path, Map.of("audience", Map.of("kind", "SEGMENT", "segmentId", UUID.randomUUID().toString())))
			.expectProblem(400, "unknown-segment").errorFields()).containsExactly("audience.segmentId");
		east.put(path, Map.of("audience", Map.of("kind", "CUSTOMERS", "customerIds", List.of(UUID.randomUUID().toString()))))
			.expectProblem(400, "validation-failed");
		east.put(path, Map.of("purposes", List.of())).expectProblem(400, "validation-failed");
		east.put(path, Map.of("purposes", List.of("STAFF_NOTICE"))).expectProblem(400, "invalid-value");
		east.put(path, Map.of("delay", 5)).expectProblem(400, "unknown-field");
		east.get(path).expectProblem(404, "not-found");

		// the region's manager sets it; a bad change leaves it as it was
		rule(east, store.id(), Map.of("delayMinutes", 30, "purposes", List.of("MARKETING")));
		east.put(path, Map.of("delayMinutes", 5000)).expectProblem(400, "validation-failed");
		JsonNode kept = demo.staff("hq.marketer").get(path).expect(200).json();
		assertThat(kept.path("delayMinutes").asInt()).isEqualTo(30);
		assertThat(kept.path("purposes").get(0).asString()).isEqualTo("MARKETING");
		assertThat(kept.path("audience").path("kind").asString()).isEqualTo("STORES");
		shanghai.get(path).expectProblem(403, "forbidden");
		shanghai.delete(path).expectProblem(403, "forbidden");
		east.get(path).expect(200);

		// a store manager sets their own store's rule, and sees only the rules of their store
		JsonNode own = rule(shanghai, demo.node("SH-NJR"), Map.of("delayMinutes", 10));
		assertThat(own.path("setByName").asString()).isEqualTo("王店长");
		assertThat(shanghai.get("/api/v1/campaigns/forward-rules").expect(200).json().findValuesAsString("code"))
			.containsExactly("SH-NJR");
		assertThat(east.get("/api/v1/campaigns/forward-rules").expect(200).json().findValuesAsString("code"))
			.contains("SH-NJR", store.code());

		// removed by who may forward for the store
		east.delete(path).expect(204);
		east.get(path).expectProblem(404, "not-found");
		east.delete(path).expectProblem(404, "not-found");
	}
}
