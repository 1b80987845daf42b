package io.storecast.campaigns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.SchedulerClient;
import com.github.kagkarlsson.scheduler.task.TaskInstanceId;

import io.storecast.support.Api;
import io.storecast.support.DemoFixture;
import io.storecast.support.StorecastIntegrationTest;
import tools.jackson.databind.JsonNode;

/**
 * The first half of scenario S3 over REST on the demo merchant: HQ's promotion announced to every
 * store manager of the East region in its 店长群, to be acknowledged (laggards reminded), then
 * forwarded by each manager to their store's customers — through the API or the card's button — as
 * child campaigns sent exactly once, rolled up per store and per employee, with a leaderboard.
 */
@StorecastIntegrationTest
class CascadeIntegrationTest {

	@LocalServerPort
	int port;

	@Autowired
	JdbcClient jdbc;

	@Autowired
	SchedulerClient scheduler;

	DemoFixture demo;

	@BeforeEach
	void setUp() {
		demo = new DemoFixture(port);
	}

	String campaign(Api api) {
		return campaign(demo, api);
	}

	/** A draft for the East region's stores, to be announced and forwarded. */
	static String campaign(DemoFixture demo, Api api) {
		return api.post("/api/v1/campaigns", Map.of("name", "月饼礼盒 满200减30", "purpose", "TRANSACTIONAL", "startsAt",
				Instant.now().minusSeconds(60).toString(), "endsAt", Instant.now().plus(Duration.ofDays(7)).toString(), "offer",
				Map.of("text", "月饼礼盒满200减30,本周有效", "product", "月饼礼盒"), "stores", List.of(demo.node("EAST")), "route",
				List.of(Map.of("channel", "IN_APP")), "templates",
				Map.of("IN_APP", Map.of("zh-CN", "{nickname}您好,{store}的{product}满200减30")), "audience",
				Map.of("kind", "STORES"))).expect(201).string("id");
	}

	long campaigns() {
		return jdbc.sql("SELECT count(*) FROM campaigns_campaigns").query(Long.class).single();
	}

	@Test
	void s3_east_store_managers_acknowledge_the_promotion_and_forward_it_to_their_customers_measured_per_store_and_employee() {
		Api hq = demo.staff("hq.marketer");
		String source = campaign(hq);
		String notice = hq.post("/api/v1/staff-notices", Map.of("campaignId", source, "audience",
				Map.of("nodes", List.of(demo.node("EAST")), "roles", List.of("STORE_MANAGER")), "requiresAck", true,
				"remindAfterMinutes", 30)).expect(201).string("id");
		await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
				hq.get("/api/v1/staff-notices/" + notice).expect(200).json().path("status").asString()).isEqualTo("OPEN"));
		JsonNode view = hq.get("/api/v1/staff-notices/" + notice).expect(200).json();
		assertThat(view.path("title").asString()).isEqualTo("月饼礼盒 满200减30");
		assertThat(view.path("campaignId").asString()).isEqualTo(source);
		// the East region's three demo store managers (other tests may add stores to the region, not managers)
		assertThat(view.path("summary").path("recipients").asInt()).isEqualTo(3);

		// the promotion card is in the East region's 店长群, to be acknowledged, with a button to forward it
		JsonNode recipients = hq.get("/api/v1/staff-notices/" + notice + "/recipients").expect(200).json();
		String room = recipients.get(0).path("conversationId").asString();
		recipients.forEach(r -> assertThat(r.path("conversationId").asString()).isEqualTo(room));
		Api shanghai = demo.staff("sh-njr.manager");
		Api hangzhou = demo.staff("hz-xh.manager");
		assertThat(shanghai.get("/api/v1/conversations/" + room).expect(200).json().path("title").asString())
			.isEqualTo("华东区 · 店长群");
		JsonNode card = StaffNoticesIntegrationTest.message(shanghai, room, m -> m.path("requiresAck").asBoolean()
				&& m.path("body").path("payload").path("title").asString().equals("月饼礼盒 满200减30"));
		assertThat(card.path("body").path("card").asString()).isEqualTo("action");
		assertThat(card.path("body").path("payload").path("buttons").get(0).path("id").asString()).isEqualTo("forward");
		long seq = card.path("seq").asLong();

		// two acknowledge; HQ sees who has not, and the laggard is reminded after 30 minutes
		shanghai.post("/api/v1/conversations/" + room + "/messages/" + seq + "/ack", Map.of()).expect(204);
		hangzhou.post("/api/v1/conversations/" + room + "/messages/" + seq + "/ack", Map.of()).expect(204);
		JsonNode laggards = hq.get("/api/v1/staff-notices/" + notice + "/recipients?acknowledged=false").expect(200).json();
		assertThat(laggards.findValuesAsString("displayName")).containsExactly("周店长");
		TaskInstanceId remind = TaskInstanceId.of("campaigns-staff-notice", notice + "#remind-1");
		assertThat(scheduler.getScheduledExecution(remind).orElseThrow().getExecutionTime())
			.isEqualTo(Instant.parse(view.path("sentAt").asString()).plus(Duration.ofMinutes(30)));
		scheduler.reschedule(remind, Instant.now());
		((Scheduler) scheduler).triggerCheckForDueExecutions();
		await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
				hq.get("/api/v1/staff-notices/" + notice + "/recipients?acknowledged=false").expect(200).json().get(0)
					.path("reminders").asInt()).isEqualTo(1));

		// Shanghai forwards through the API, Hangzhou presses the card's button; Suzhou does not (yet)
		long before = campaigns();
		JsonNode forward = shanghai.post("/api/v1/campaigns/" + source + "/forwards", Map.of()).expect(201).json();
		assertThat(forward.path("store").path("code").asString()).isEqualTo("SH-NJR");
		assertThat(forward.path("forwardedByName").asString()).isEqualTo("王店长");
		hangzhou.post("/api/v1/conversations/" + room + "/messages/" + seq + "/actions/forward", Map.of()).expect(204);
		await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(
				hq.get("/api/v1/campaigns/" + source + "/cascade").expect(200).json().path("forwarded").asInt()).isEqualTo(2));
		StaffNoticesIntegrationTest.message(shanghai, room,
				m -> m.path("body").path("text").asString().equals("赵店长 已将「月饼礼盒 满200减30」转发给杭州西湖店的顾客。"));
		assertThat(campaigns()).isEqualTo(before + 2);

		// refused: twice, for another store, by a clerk, from outside the region, to a store not taking part, not announced
		shanghai.post("/api/v1/campaigns/" + source + "/forwards", Map.of()).expectProblem(409, "already-forwarded");
		shanghai.post("/api/v1/campaigns/" + source + "/forwards", Map.of("storeId", demo.node("SZ-GQJ")))
			.expectProblem(403, "forbidden");
		demo.staff("sz-gqj.clerk1").post("/api/v1/campaigns/" + source + "/forwards", Map.of()).expectProblem(403, "forbidden");
		demo.staff("gz-th.manager").post("/api/v1/campaigns/" + source + "/forwards", Map.of()).expectProblem(404, "not-found");
		assertThat(hq.post("/api/v1/campaigns/" + source + "/forwards", Map.of("storeId", demo.node("GZ-TH")))
			.expectProblem(400, "store-not-participating")
			.errorFields()).containsExactly("storeId");
		hq.post("/api/v1/campaigns/" + source + "/forwards", Map.of("storeId", demo.node("EAST"))).expectProblem(400, "not-a-store");
		hq.post("/api/v1/campaigns/" + source + "/forwards", Map.of()).expectProblem(400, "not-a-store");
		String plain = campaign(hq);
		shanghai.post("/api/v1/campaigns/" + plain + "/forwards", Map.of()).expectProblem(404, "not-found");
		demo.staff("east.manager").post("/api/v1/campaigns/" + plain + "/forwards", Map.of("storeId", demo.node("SH-NJR")))
			.expectProblem(409, "not-a-cascade");
		assertThat(campaigns()).isEqualTo(before + 3);

		// each forward is a campaign of its own store, sent through the usual machinery: once per customer
		JsonNode[] rollUp = new JsonNode[1];
		await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(300)).untilAsserted(() -> {
			rollUp[0] = hq.get("/api/v1/campaigns/" + source + "/cascade").expect(200).json();
			for (JsonNode store : rollUp[0].path("byStore")) {
				if (!store.path("childId").isNull()) {
					assertThat(store.path("status").asString()).isEqualTo("SENT");
					JsonNode m = store.path("metrics");
					assertThat(m.path("recipients").asLong()).isPositive();
					assertThat(m.path("delivered").asLong()).isEqualTo(m.path("recipients").asLong());
				}
			}
		});
		Map<String, JsonNode> stores = new HashMap<>();
		rollUp[0].path("byStore").forEach(s -> stores.put(s.path("store").path("code").asString(), s));
		// every store of the region takes part (other tests may have added some to the demo's three)
		assertThat(stores).containsKeys("SH-NJR", "HZ-XH", "SZ-GQJ");
		assertThat(stores.get("SZ-GQJ").path("childId").isNull()).isTrue();
		assertThat(stores.get("HZ-XH").path("forwardedByName").asString()).isEqualTo("赵店长");
		long shRecipients = stores.get("SH-NJR").path("metrics").path("recipients").asLong();
		long hzRecipients = stores.get("HZ-XH").path("metrics").path("recipients").asLong();
		assertThat(rollUp[0].path("totals").path("recipients").asLong()).isEqualTo(shRecipients + hzRecipients);
		assertThat(rollUp[0].path("totals").path("forwards").asLong()).isEqualTo(2);
		assertThat(rollUp[0].path("byEmployee").findValuesAsString("name")).containsExactlyInAnyOrder("王店长", "赵店长");
		assertThat(rollUp[0].path("notices").get(0).asString()).isEqualTo(notice);
		String child = stores.get("SH-NJR").path("childId").asString();
		JsonNode sent = shanghai.get("/api/v1/campaigns/" + child).expect(200).json();
		assertThat(sent.path("stores").findValuesAsString("code")).containsExactly("SH-NJR");
		assertThat(sent.path("createdBy").asString()).isEqualTo("sh-njr.manager");
		assertThat(jdbc.sql("SELECT count(*) FROM delivery_messages WHERE source = ?").param("campaign:" + child)
			.query(Long.class).single()).isEqualTo(shRecipients);

		// the leaderboard ranks stores or employees by a measure
		JsonNode board = hq.get("/api/v1/campaigns/" + source + "/leaderboard?by=STORE&metric=RECIPIENTS").expect(200).json();
		assertThat(board.path("places").size()).isEqualTo(2);
		assertThat(board.path("places").get(0).path("value").asLong()).isEqualTo(Math.max(shRecipients, hzRecipients));
		assertThat(board.path("places").get(0).path("rank").asInt()).isEqualTo(1);
		JsonNode employees = hq.get("/api/v1/campaigns/" + source + "/leaderboard").expect(200).json();
		assertThat(employees.path("by").asString()).isEqualTo("EMPLOYEE");
		assertThat(employees.path("metric").asString()).isEqualTo("READ");
		assertThat(employees.path("places").findValuesAsString("name")).containsExactlyInAnyOrder("王店长", "赵店长");
		hq.get("/api/v1/campaigns/" + source + "/leaderboard?metric=COLOUR").expectProblem(400, "invalid-value");
		shanghai.get("/api/v1/campaigns/" + source + "/cascade").expectProblem(404, "not-found");
	}
}
