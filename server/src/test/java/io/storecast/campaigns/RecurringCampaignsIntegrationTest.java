package io.storecast.campaigns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
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
 * Recurring campaigns (each run a child campaign reaching every customer once, persistent in
 * db-scheduler, cancel stops the rest) and approval of large sends (the threshold set over the API,
 * approved or rejected by someone else than the requester), with their bad input.
 */
@StorecastIntegrationTest
class RecurringCampaignsIntegrationTest {

	static final String RECUR = "campaigns-recur";

	@LocalServerPort
	int port;

	@Autowired
	JdbcClient jdbc;

	DemoFixture demo;

	@BeforeEach
	void setUp() {
		demo = new DemoFixture(port);
	}

	Map<String, Object> campaign(String store, Object... overrides) {
		return campaign(demo, store, overrides);
	}

	/** A transactional in-app campaign for the store's customers, with the fields overridden. */
	static Map<String, Object> campaign(DemoFixture demo, String store, Object... overrides) {
		Map<String, Object> c = new HashMap<>(Map.of("name", "周一会员日", "purpose", "TRANSACTIONAL", "startsAt",
				Instant.now().minusSeconds(60).toString(), "endsAt", Instant.now().plus(Duration.ofDays(30)).toString(),
				"offer", Map.of("text", "会员日9折"), "stores", List.of(demo.node(store)), "route",
				List.of(Map.of("channel", "IN_APP")), "templates", Map.of("IN_APP", Map.of("zh-CN", "{nickname}您好,{store}会员日9折")),
				"audience", Map.of("kind", "STORES")));
		for (int i = 0; i < overrides.length; i += 2) {
			c.put((String) overrides[i], overrides[i + 1]);
		}
		return c;
	}

	long tasks(String instanceLike) {
		return jdbc.sql("SELECT count(*) FROM scheduled_tasks WHERE task_name = ? AND task_instance LIKE ?")
			.params(RECUR, instanceLike)
			.query(Long.class)
			.single();
	}

	void due(String id, int run) {
		due(jdbc, id, run);
	}

	/** Brings a scheduled run forward to now, as if its time had come. */
	static void due(JdbcClient jdbc, String id, int run) {
		assertThat(jdbc.sql("UPDATE scheduled_tasks SET execution_time = now() WHERE task_name = ? AND task_instance = ?")
			.params(RECUR, id + "#" + run)
			.update()).isEqualTo(1);
	}

	/** The campaign once it has started {@code runs} runs and the latest is sent. */
	static JsonNode awaitRuns(Api api, String id, int runs) {
		JsonNode[] last = new JsonNode[1];
		await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
			last[0] = api.get("/api/v1/campaigns/" + id).expect(200).json();
			JsonNode r = last[0].path("recurrence");
			assertThat(r.path("runCount").asInt()).as("%s", last[0]).isEqualTo(runs);
			// the newest run listed is that one: the list and the count are read one after the other, so a
			// run started in between is counted but not yet listed
			assertThat(r.path("runs").get(0).path("run").asInt()).as("%s", last[0]).isEqualTo(runs);
			assertThat(r.path("runs").get(0).path("status").asString()).isEqualTo("SENT");
		});
		return last[0];
	}

	@Test
	void a_recurring_campaign_runs_at_each_occurrence_reaching_each_customer_once_per_run_until_cancelled() {
		Api owner = demo.owner;
		String id = owner.post("/api/v1/campaigns", campaign("GZ-TH")).expect(201).string("id");
		JsonNode recurring = owner.post("/api/v1/campaigns/" + id + "/send",
				Map.of("recurrence", Map.of("cron", "0 0 10 * * MON", "zone", "Asia/Shanghai"))).expect(202).json();
		assertThat(recurring.path("status").asString()).isEqualTo("RECURRING");
		JsonNode rule = recurring.path("recurrence");
		assertThat(rule.path("cron").asString()).isEqualTo("0 0 10 * * MON");
		Instant next = Instant.parse(rule.path("nextRunAt").asString());
		// 10:00 on a Monday in Shanghai is 02:00 UTC
		assertThat(next.atZone(java.time.ZoneId.of("Asia/Shanghai")).getDayOfWeek()).isEqualTo(java.time.DayOfWeek.MONDAY);
		assertThat(next.atZone(java.time.ZoneOffset.UTC).getHour()).isEqualTo(2);
		assertThat(recurring.path("sendAt").asString()).isEqualTo(next.toString());
		assertThat(tasks(id + "#1")).isEqualTo(1);

		due(id, 1);
		JsonNode afterFirst = awaitRuns(owner, id, 1);
		assertThat(afterFirst.path("status").asString()).isEqualTo("RECURRING");
		assertThat(Instant.parse(afterFirst.path("recurrence").path("nextRunAt").asString())).isAfter(next);
		assertThat(tasks(id + "#2")).isEqualTo(1);
		due(id, 2);
		JsonNode afterSecond = awaitRuns(owner, id, 2);

		// each run is its own campaign: every customer of the store once per run, one delivery each
		JsonNode runs = afterSecond.path("recurrence").path("runs");
		assertThat(runs.get(0).path("run").asInt()).isEqualTo(2);
		Set<String> children = new HashSet<>();
		Set<String> firstRunCustomers = null;
		for (JsonNode run : runs) {
			String child = run.path("campaignId").asString();
			children.add(child);
			long recipients = run.path("recipients").asLong();
			assertThat(recipients).isPositive();
			assertThat(run.path("handedOff").asLong()).isEqualTo(recipients);
			List<JsonNode> rows = CampaignsIntegrationTest.recipients(owner, child);
			Set<String> customers = new HashSet<>();
			rows.forEach(r -> customers.add(r.path("customerId").asString()));
			assertThat(customers).hasSize(rows.size());
			if (firstRunCustomers == null) {
				firstRunCustomers = customers;
			}
			else {
				assertThat(customers).isEqualTo(firstRunCustomers);
			}
			long deliveries = 0;
			for (JsonNode n : owner.get("/api/v1/deliveries/stats?source=campaign:" + child).expect(200).json().path("byStatus")) {
				deliveries += n.asLong();
			}
			assertThat(deliveries).isEqualTo(recipients);
		}
		assertThat(children).hasSize(2).doesNotContain(id);

		// cancelling stops the runs to come: run 3 fires and starts nothing
		JsonNode cancelled = owner.post("/api/v1/campaigns/" + id + "/cancel", Map.of()).expect(200).json();
		assertThat(cancelled.path("status").asString()).isEqualTo("CANCELLED");
		assertThat(cancelled.path("recurrence").path("nextRunAt").isNull()).isTrue();
		due(id, 3);
		await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(tasks(id + "#3")).isZero());
		assertThat(owner.get("/api/v1/campaigns/" + id).expect(200).json().path("recurrence").path("runCount").asInt())
			.isEqualTo(2);
		assertThat(tasks(id + "#%")).isZero();
		owner.post("/api/v1/campaigns/" + id + "/cancel", Map.of()).expectProblem(409, "campaign-not-cancellable");
	}

	@Test
	void a_bad_recurrence_is_refused_naming_the_field_and_nothing_is_scheduled() {
		Api owner = demo.owner;
		String id = owner.post("/api/v1/campaigns", campaign("GZ-TH")).expect(201).string("id");
		String send = "/api/v1/campaigns/" + id + "/send";
		assertThat(owner.post(send, Map.of("recurrence", Map.of("cron", "every monday"))).expectProblem(400, "invalid-cron")
			.errorFields()).containsExactly("recurrence.cron");
		owner.post(send, Map.of("recurrence", Map.of())).expectProblem(400, "invalid-cron");
		assertThat(owner.post(send, Map.of("recurrence", Map.of("cron", "0 0 10 * * MON", "zone", "Mars/Olympus")))
			.expectProblem(400, "invalid-zone")
			.errorFields()).containsExactly("recurrence.zone");
		// 30 February never comes; the 1st of a month does not come within the minute before until
		owner.post(send, Map.of("recurrence", Map.of("cron", "0 0 10 30 2 *"))).expectProblem(400, "recurrence-never-fires");
		owner.post(send, Map.of("recurrence", Map.of("cron", "0 0 0 1 * *", "until", Instant.now().plusSeconds(60).toString())))
			.expectProblem(400, "recurrence-never-fires");
		owner.post(send, Map.of("recurrence", Map.of("cron", "0 * * * * *"))).expectProblem(400, "recurrence-too-frequent");
		owner.post(send, Map.of("recurrence", Map.of("cron", "0 0 10 * * MON", "until", Instant.now().minusSeconds(60).toString())))
			.expectProblem(400, "schedule-in-past");
		assertThat(owner.post(send, Map.of("at", Instant.now().plusSeconds(3600).toString(), "recurrence",
				Map.of("cron", "0 0 10 * * MON"))).expectProblem(400, "validation-failed").errorFields()).containsExactly("at");
		owner.post(send, Map.of("recurrence", Map.of("cron", "0 0 10 * * MON", "every", "week")))
			.expectProblem(400, "unknown-field");
		// a campaign ending before the rule's first run
		String shortOne = owner.post("/api/v1/campaigns", campaign("GZ-TH", "endsAt", Instant.now().plusSeconds(120).toString()))
			.expect(201).string("id");
		owner.post("/api/v1/campaigns/" + shortOne + "/send", Map.of("recurrence", Map.of("cron", "0 0 0 1 1 *")))
			.expectProblem(400, "recurrence-never-fires");

		JsonNode still = owner.get("/api/v1/campaigns/" + id).expect(200).json();
		assertThat(still.path("status").asString()).isEqualTo("DRAFT");
		assertThat(still.path("recurrence").isNull()).isTrue();
		assertThat(tasks(id + "#%") + tasks(shortOne + "#%")).isZero();
	}

	String newCustomer(String storeCode) {
		return demo.owner.put("/api/v1/customers/external/appr-" + UUID.randomUUID(),
				Map.of("nickname", "审批", "homeStoreId", demo.node(storeCode))).expect(200).string("id");
	}

	@Test
	void a_send_above_the_threshold_waits_for_someone_else_to_approve_or_reject_it() {
		Api owner = demo.owner;
		Api storeManager = demo.staff("hz-xh.manager");
		Api regionManager = demo.staff("east.manager");
		Api marketer = demo.staff("hq.marketer");
		assertThat(owner.get("/api/v1/campaigns/settings").expect(200).json().path("approvalAbove").asLong()).isZero();
		storeManager.put("/api/v1/campaigns/settings", Map.of("approvalAbove", 1)).expectProblem(403, "forbidden");
		regionManager.put("/api/v1/campaigns/settings", Map.of("approvalAbove", 1)).expectProblem(403, "forbidden");
		owner.put("/api/v1/campaigns/settings", Map.of("approvalAbove", -1)).expectProblem(400, "validation-failed");
		owner.put("/api/v1/campaigns/settings", Map.of()).expectProblem(400, "validation-failed");
		JsonNode set = owner.put("/api/v1/campaigns/settings", Map.of("approvalAbove", 1)).expect(200).json();
		assertThat(set.path("approvalAbove").asLong()).isEqualTo(1);
		assertThat(set.path("updatedBy").asString()).isNotEmpty();
		try {
			List<String> two = List.of(newCustomer("HZ-XH"), newCustomer("HZ-XH"));
			String id = storeManager.post("/api/v1/campaigns", campaign("HZ-XH", "audience",
					Map.of("kind", "CUSTOMERS", "customerIds", two))).expect(201).string("id");
			JsonNode pending = storeManager.post("/api/v1/campaigns/" + id + "/send", Map.of()).expect(202).json();
			assertThat(pending.path("status").asString()).isEqualTo("PENDING_APPROVAL");
			assertThat(pending.path("approval").path("audience").asLong()).isEqualTo(2);
			// nothing sent or scheduled; only its expiry waits (campaigns-approval-expiry)
			assertThat(jdbc.sql("SELECT count(*) FROM scheduled_tasks WHERE task_instance LIKE ? AND task_name <> ?")
				.params(id + "%", "campaigns-approval-expiry").query(Long.class).single()).isZero();

			// not by the requester, not without the permission, not out of order
			storeManager.post("/api/v1/campaigns/" + id + "/approve", Map.of()).expectProblem(403, "forbidden");
			demo.staff("hz-xh.clerk1").post("/api/v1/campaigns/" + id + "/approve", Map.of()).expectProblem(403, "forbidden");
			demo.staff("sz-gqj.manager").post("/api/v1/campaigns/" + id + "/approve", Map.of()).expectProblem(404, "not-found");
			storeManager.post("/api/v1/campaigns/" + id + "/send", Map.of()).expectProblem(409, "campaign-not-draft");
			marketer.post("/api/v1/campaigns/" + id + "/reject", Map.of()).expectProblem(400, "validation-failed");

			JsonNode rejected = marketer.post("/api/v1/campaigns/" + id + "/reject", Map.of("reason", "文案需修改")).expect(200).json();
			assertThat(rejected.path("status").asString()).isEqualTo("DRAFT");
			assertThat(rejected.path("statusReason").asString()).isEqualTo("rejected");
			assertThat(rejected.path("approval").path("decision").asString()).isEqualTo("REJECTED");
			assertThat(rejected.path("approval").path("reason").asString()).isEqualTo("文案需修改");
			marketer.post("/api/v1/campaigns/" + id + "/approve", Map.of()).expectProblem(409, "campaign-not-pending-approval");
			marketer.post("/api/v1/campaigns/" + id + "/reject", Map.of("reason", "x")).expectProblem(409, "campaign-not-pending-approval");

			// asked again, the region manager approves within the region: sent now, as asked
			storeManager.post("/api/v1/campaigns/" + id + "/send", Map.of()).expect(202);
			JsonNode approved = regionManager.post("/api/v1/campaigns/" + id + "/approve", Map.of()).expect(200).json();
			assertThat(approved.path("status").asString()).isIn("SCHEDULED", "SENDING", "SENT");
			assertThat(approved.path("approval").path("decision").asString()).isEqualTo("APPROVED");
			assertThat(approved.path("approval").path("decidedBy").asString()).isEqualTo("east.manager");
			regionManager.post("/api/v1/campaigns/" + id + "/approve", Map.of()).expectProblem(409, "campaign-not-pending-approval");
			await().atMost(Duration.ofSeconds(40)).untilAsserted(() -> assertThat(storeManager.get("/api/v1/campaigns/" + id)
				.expect(200).json().path("progress").path("handedOff").asLong()).isEqualTo(2));

			// the requester may not approve their own send; at or below the threshold nothing waits
			String mine = marketer.post("/api/v1/campaigns", campaign("HZ-XH", "audience",
					Map.of("kind", "CUSTOMERS", "customerIds", two))).expect(201).string("id");
			Instant at = Instant.now().plus(Duration.ofHours(2)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
			marketer.post("/api/v1/campaigns/" + mine + "/send", Map.of("at", at.toString())).expect(202);
			marketer.post("/api/v1/campaigns/" + mine + "/approve", Map.of()).expectProblem(403, "own-send-approval");
			JsonNode scheduled = owner.post("/api/v1/campaigns/" + mine + "/approve", Map.of()).expect(200).json();
			assertThat(scheduled.path("status").asString()).isEqualTo("SCHEDULED");
			assertThat(Instant.parse(scheduled.path("sendAt").asString())).isEqualTo(at);
			owner.post("/api/v1/campaigns/" + mine + "/cancel", Map.of()).expect(200);

			String small = marketer.post("/api/v1/campaigns", campaign("HZ-XH", "audience",
					Map.of("kind", "CUSTOMERS", "customerIds", two.subList(0, 1)))).expect(201).string("id");
			assertThat(marketer.post("/api/v1/campaigns/" + small + "/send", Map.of("at", at.toString())).expect(202).json()
				.path("status").asString()).isEqualTo("SCHEDULED");
			owner.post("/api/v1/campaigns/" + small + "/cancel", Map.of()).expect(200);
		}
		finally {
			owner.put("/api/v1/campaigns/settings", Map.of("approvalAbove", 0)).expect(200);
		}
	}
}
