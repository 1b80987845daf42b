package io.storecast.campaigns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;

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
 * Staff notices end to end over REST on the demo merchant (scenario S6): a storm warning to every store
 * manager, acknowledged in the chat or through the API, laggards reminded, check-in rounds answered
 * per store from the round's card or through the API, HQ's table of stores × rounds, and closing.
 * Rounds two hours apart are not waited for: the test drives db-scheduler, moving a round's task
 * instance to now — the round's due time stays what the notice says.
 */
@StorecastIntegrationTest
class StaffNoticesIntegrationTest {

	static final String TASK = "campaigns-staff-notice";
	static final List<String> STORE_MANAGERS = List.of("sh-njr.manager", "hz-xh.manager", "sz-gqj.manager",
			"gz-th.manager", "sz-wxc.manager");

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

	/** A valid notice body to the store managers of a node. */
	Map<String, Object> notice(String node, Object... overrides) {
		Map<String, Object> n = new HashMap<>(Map.of("title", "暴雨预警", "text", "暴雨预警!各店长立即检查排水系统,每2小时反馈情况",
				"audience", Map.of("nodes", List.of(demo.node(node)), "roles", List.of("STORE_MANAGER")), "requiresAck",
				true));
		for (int i = 0; i < overrides.length; i += 2) {
			if (overrides[i + 1] == null) {
				n.remove((String) overrides[i]);
			}
			else {
				n.put((String) overrides[i], overrides[i + 1]);
			}
		}
		return n;
	}

	JsonNode awaitOpen(Api api, String id) {
		JsonNode[] last = new JsonNode[1];
		await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
			last[0] = api.get("/api/v1/staff-notices/" + id).expect(200).json();
			assertThat(last[0].path("status").asString()).as("notice %s", last[0]).isEqualTo("OPEN");
		});
		return last[0];
	}

	/** Runs a task instance of the notice now, as if its time had come (it must be scheduled). */
	void runNow(String instance) {
		TaskInstanceId task = TaskInstanceId.of(TASK, instance);
		await().atMost(Duration.ofSeconds(30)).until(() -> scheduler.getScheduledExecution(task).isPresent());
		assertThat(scheduler.reschedule(task, Instant.now())).isTrue();
		((Scheduler) scheduler).triggerCheckForDueExecutions();
		await().atMost(Duration.ofSeconds(30)).until(() -> scheduler.getScheduledExecution(task).isEmpty());
	}

	/** The newest message of the conversation that matches. */
	static JsonNode message(Api api, String conversation, Predicate<JsonNode> matching) {
		JsonNode[] found = new JsonNode[1];
		await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
			found[0] = null;
			for (JsonNode m : api.get("/api/v1/conversations/" + conversation + "/messages?limit=100").expect(200).json()) {
				if (found[0] == null && matching.test(m)) {
					found[0] = m;
				}
			}
			assertThat(found[0]).as("a matching message in %s", conversation).isNotNull();
		});
		return found[0];
	}

	static Map<String, JsonNode> byUsernameIn(JsonNode recipients, Map<String, String> staffIds) {
		Map<String, JsonNode> by = new HashMap<>();
		staffIds.forEach((username, id) -> recipients.forEach(r -> {
			if (r.path("staffId").asString().equals(id)) {
				by.put(username, r);
			}
		}));
		return by;
	}

	/** The staff ids of the named demo accounts. */
	Map<String, String> staffIds(List<String> usernames) {
		Map<String, String> ids = new HashMap<>();
		for (String u : usernames) {
			ids.put(u, jdbc.sql("SELECT id FROM identity_staff WHERE username = ?").param(u).query(UUID.class).single()
				.toString());
		}
		return ids;
	}

	long notices() {
		return jdbc.sql("SELECT count(*) FROM campaigns_staff_notices").query(Long.class).single();
	}

	@Test
	void s6_a_storm_warning_is_acknowledged_reminded_and_checked_in_every_two_hours_until_closed() {
		Api hq = demo.staff("hq.marketer");
		JsonNode created = hq.post("/api/v1/staff-notices", notice("HQ", "remindAfterMinutes", 30, "checkIn",
				Map.of("everyMinutes", 120, "prompt", "请报告本店排水和积水情况"))).expect(201).json();
		assertThat(created.path("status").asString()).isIn("SCHEDULED", "OPEN");
		String id = created.path("id").asString();
		JsonNode open = awaitOpen(hq, id);
		Instant sentAt = Instant.parse(open.path("sentAt").asString());

		Map<String, String> ids = staffIds(STORE_MANAGERS);
		JsonNode recipients = hq.get("/api/v1/staff-notices/" + id + "/recipients").expect(200).json();
		Map<String, JsonNode> managers = byUsernameIn(recipients, ids);
		assertThat(managers).containsOnlyKeys(STORE_MANAGERS);
		recipients.forEach(r -> {
			assertThat(r.path("role").asString()).isEqualTo("STORE_MANAGER");
			assertThat(r.path("acknowledged").asBoolean()).isFalse();
		});
		assertThat(open.path("summary").path("pending").asInt()).isEqualTo(recipients.size());

		// the notice is in the head office's 店长群, asking for acknowledgement
		String room = managers.get("sh-njr.manager").path("conversationId").asString();
		Api shanghai = demo.staff("sh-njr.manager");
		assertThat(shanghai.get("/api/v1/conversations/" + room).expect(200).json().path("title").asString())
			.isEqualTo("礼遇总部 · 店长群");
		JsonNode posted = message(shanghai, room, m -> m.path("requiresAck").asBoolean()
				&& m.path("body").path("text").asString().contains("暴雨预警!各店长立即检查排水系统"));

		// two acknowledge in the chat, one through the notice's API; the others are reminded after 30 minutes
		shanghai.post("/api/v1/conversations/" + room + "/messages/" + posted.path("seq").asLong() + "/ack", Map.of())
			.expect(204);
		demo.staff("hz-xh.manager")
			.post("/api/v1/conversations/" + room + "/messages/" + posted.path("seq").asLong() + "/ack", Map.of())
			.expect(204);
		JsonNode acked = demo.staff("sz-gqj.manager").post("/api/v1/staff-notices/" + id + "/ack", Map.of()).expect(200).json();
		assertThat(acked.path("acknowledged").asBoolean()).isTrue();
		JsonNode laggards = hq.get("/api/v1/staff-notices/" + id + "/recipients?acknowledged=false").expect(200).json();
		assertThat(byUsernameIn(laggards, ids)).containsOnlyKeys("gz-th.manager", "sz-wxc.manager");

		runNow(id + "#remind-1");
		Map<String, JsonNode> reminded = byUsernameIn(hq.get("/api/v1/staff-notices/" + id + "/recipients").expect(200).json(), ids);
		assertThat(reminded.get("gz-th.manager").path("reminders").asInt()).isEqualTo(1);
		assertThat(reminded.get("sz-wxc.manager").path("reminders").asInt()).isEqualTo(1);
		assertThat(reminded.get("sh-njr.manager").path("reminders").asInt()).isZero();
		JsonNode reminder = message(shanghai, room, m -> m.path("body").path("text").asString().startsWith("提醒:请尽快确认通知「暴雨预警」"));
		assertThat(reminder.path("body").path("mentions").valueStream().map(JsonNode::asString).toList())
			.contains("staff:" + ids.get("gz-th.manager"), "staff:" + ids.get("sz-wxc.manager"))
			.doesNotContain("staff:" + ids.get("sh-njr.manager"));
		// the second reminder waits its turn, at twice the interval after sending
		assertThat(scheduler.getScheduledExecution(TaskInstanceId.of(TASK, id + "#remind-2")).orElseThrow().getExecutionTime())
			.isEqualTo(sentAt.plus(Duration.ofMinutes(60)));
		for (String late : List.of("gz-th.manager", "sz-wxc.manager")) {
			demo.staff(late).post("/api/v1/staff-notices/" + id + "/ack", Map.of()).expect(200);
		}
		JsonNode all = hq.get("/api/v1/staff-notices/" + id).expect(200).json().path("summary");
		assertThat(all.path("pending").asInt()).isZero();
		assertThat(all.path("acknowledged").asInt()).isEqualTo(recipients.size());
		// nobody is left to remind: the second reminder posts nothing
		runNow(id + "#remind-2");
		assertThat(hq.get("/api/v1/staff-notices/" + id).expect(200).json().path("summary").path("remindersSent").asInt())
			.isEqualTo(2);

		// nothing to answer before the first round
		shanghai.post("/api/v1/staff-notices/" + id + "/check-ins", Map.of("status", "OK"))
			.expectProblem(409, "check-in-not-open");

		// round 1, due two hours after sending: answered from the card in the chat or through the API
		runNow(id + "#check-in-1");
		JsonNode card = message(shanghai, room, m -> m.path("body").path("payload").path("title").asString()
				.equals("第1轮汇报 · 暴雨预警"));
		assertThat(card.path("body").path("payload").path("text").asString()).isEqualTo("请报告本店排水和积水情况");
		long cardSeq = card.path("seq").asLong();
		shanghai.post("/api/v1/conversations/" + room + "/messages/" + cardSeq + "/actions/ok", Map.of()).expect(204);
		demo.staff("hz-xh.manager").post("/api/v1/conversations/" + room + "/messages/" + cardSeq + "/actions/help", Map.of())
			.expect(204);
		demo.staff("sz-gqj.manager")
			.post("/api/v1/staff-notices/" + id + "/check-ins", Map.of("status", "OK", "text", "排水通畅,无积水"))
			.expect(201);
		demo.staff("sz-gqj.manager")
			.post("/api/v1/staff-notices/" + id + "/check-ins", Map.of("status", "OK", "round", 1))
			.expectProblem(409, "check-in-already-answered");
		await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
			Map<String, JsonNode> row = rows(hq, id);
			assertThat(row.get("SH-NJR").get(0).path("status").asString()).isEqualTo("OK");
			assertThat(row.get("HZ-XH").get(0).path("status").asString()).isEqualTo("NEEDS_HELP");
		});

		// round 2, two hours later
		runNow(id + "#check-in-2");
		demo.staff("gz-th.manager")
			.post("/api/v1/staff-notices/" + id + "/check-ins", Map.of("status", "NEEDS_HELP", "text", "仓库进水,需要沙袋"))
			.expect(201);
		JsonNode table = hq.get("/api/v1/staff-notices/" + id + "/check-ins").expect(200).json();
		assertThat(table.path("rounds").size()).isEqualTo(2);
		assertThat(Instant.parse(table.path("rounds").get(0).path("dueAt").asString())).isEqualTo(sentAt.plus(Duration.ofHours(2)));
		assertThat(Instant.parse(table.path("rounds").get(1).path("dueAt").asString())).isEqualTo(sentAt.plus(Duration.ofHours(4)));
		Map<String, JsonNode> rows = rows(hq, id);
		assertThat(rows).containsKeys("SH-NJR", "HZ-XH", "SZ-GQJ", "GZ-TH", "SZ-WXC");
		assertThat(rows.get("SZ-GQJ").get(0).path("text").asString()).isEqualTo("排水通畅,无积水");
		assertThat(rows.get("SZ-GQJ").get(1).isNull()).isTrue();
		assertThat(rows.get("GZ-TH").get(0).isNull()).isTrue();
		assertThat(rows.get("GZ-TH").get(1).path("text").asString()).isEqualTo("仓库进水,需要沙袋");
		assertThat(rows.get("GZ-TH").get(1).path("byName").asString()).isEqualTo("黄店长");

		// closed: no more rounds or answers, and it closes once
		JsonNode closed = hq.post("/api/v1/staff-notices/" + id + "/close", Map.of()).expect(200).json();
		assertThat(closed.path("status").asString()).isEqualTo("CLOSED");
		assertThat(closed.path("closedBy").asString()).isEqualTo("hq.marketer");
		hq.post("/api/v1/staff-notices/" + id + "/close", Map.of()).expectProblem(409, "notice-closed");
		demo.staff("sz-wxc.manager").post("/api/v1/staff-notices/" + id + "/check-ins", Map.of("status", "OK"))
			.expectProblem(409, "notice-closed");
		runNow(id + "#check-in-3");
		assertThat(hq.get("/api/v1/staff-notices/" + id + "/check-ins").expect(200).json().path("rounds").size()).isEqualTo(2);
		message(shanghai, room, m -> m.path("body").path("text").asString().equals("通知「暴雨预警」已结束,无需再确认或汇报。"));
		assertThat(jdbc.sql("SELECT count(*) FROM scheduled_tasks WHERE task_name = ? AND task_instance LIKE ?")
			.params(TASK, id + "%").query(Long.class).single()).isZero();
	}

	/** The check-in table's rows by store code, each its cells. */
	static Map<String, JsonNode> rows(Api api, String id) {
		Map<String, JsonNode> rows = new HashMap<>();
		api.get("/api/v1/staff-notices/" + id + "/check-ins").expect(200).json().path("rows")
			.forEach(r -> rows.put(r.path("node").path("code").asString(), r.path("cells")));
		return rows;
	}

	@Test
	void managers_notify_within_their_part_of_the_organisation_clerks_not_at_all_and_bad_input_changes_nothing() {
		long before = notices();
		Api hq = demo.staff("hq.marketer");
		demo.staff("hz-xh.clerk1").post("/api/v1/staff-notices", notice("HZ-XH", "audience",
				Map.of("nodes", List.of(demo.node("HZ-XH")), "roles", List.of("CLERK")))).expectProblem(403, "forbidden");
		demo.staff("hz-xh.manager").post("/api/v1/staff-notices", notice("EAST")).expectProblem(403, "forbidden");
		demo.staff("east.manager").post("/api/v1/staff-notices", notice("SOUTH")).expectProblem(403, "forbidden");
		assertThat(hq.post("/api/v1/staff-notices", notice("HZ-XH", "audience",
				Map.of("nodes", List.of(demo.node("HZ-XH")), "roles", List.of("REGION_MANAGER"))))
			.expectProblem(400, "empty-audience")
			.errorFields()).containsExactly("audience");
		assertThat(hq.post("/api/v1/staff-notices", notice("HQ", "checkIn", Map.of("everyMinutes", 5)))
			.expectProblem(400, "interval-too-small")
			.errorFields()).containsExactly("checkIn.everyMinutes");
		assertThat(hq.post("/api/v1/staff-notices", notice("HQ", "requiresAck", false, "remindAfterMinutes", 30))
			.expectProblem(400, "validation-failed")
			.errorFields()).containsExactly("remindAfterMinutes");
		assertThat(hq.post("/api/v1/staff-notices", notice("HQ", "audience",
				Map.of("nodes", List.of(UUID.randomUUID().toString()), "roles", List.of("STORE_MANAGER"))))
			.expectProblem(400, "unknown-org-node")
			.errorFields()).containsExactly("audience.nodes[0]");
		assertThat(hq.post("/api/v1/staff-notices", notice("HQ", "audience", Map.of("nodes", List.of(demo.node("HQ")),
				"roles", List.of("STORE_MANAGER"), "staffIds", List.of(UUID.randomUUID().toString()))))
			.expectProblem(400, "validation-failed")
			.errorFields()).containsExactly("audience");
		assertThat(hq.post("/api/v1/staff-notices", notice("HQ", "audience", Map.of("staffIds",
				List.of(UUID.randomUUID().toString()))))
			.expectProblem(400, "unknown-staff")
			.errorFields()).containsExactly("audience.staffIds[0]");
		assertThat(hq.post("/api/v1/staff-notices", notice("HQ", "text", " ")).expectProblem(400, "validation-failed")
			.errorFields()).containsExactly("text");
		assertThat(hq.post("/api/v1/staff-notices", notice("HQ", "sendAt", Instant.now().minusSeconds(3600).toString()))
			.expectProblem(400, "schedule-in-past")
			.errorFields()).containsExactly("sendAt");
		hq.post("/api/v1/staff-notices", notice("HQ", "colour", "red")).expectProblem(400, "unknown-field");
		assertThat(notices()).isEqualTo(before);

		// a region manager notifies the region's stores; a store manager their own clerks, in a room of the notice
		String east = demo.staff("east.manager").post("/api/v1/staff-notices", notice("EAST", "requiresAck", false))
			.expect(201)
			.string("id");
		Map<String, String> clerks = staffIds(List.of("hz-xh.clerk1", "hz-xh.clerk2"));
		Api manager = demo.staff("hz-xh.manager");
		String meeting = manager.post("/api/v1/staff-notices", Map.of("title", "晨会通知", "text", "明早9点开晨会", "audience",
				Map.of("staffIds", List.copyOf(clerks.values())))).expect(201).string("id");
		awaitOpen(manager, meeting);
		JsonNode meetingRecipients = manager.get("/api/v1/staff-notices/" + meeting + "/recipients").expect(200).json();
		assertThat(meetingRecipients.size()).isEqualTo(2);
		String meetingRoom = meetingRecipients.get(0).path("conversationId").asString();
		Api clerk = demo.staff("hz-xh.clerk1");
		assertThat(clerk.get("/api/v1/conversations/" + meetingRoom).expect(200).json().path("title").asString())
			.isEqualTo("晨会通知");
		// a recipient reads the notice sent to them, but does not close it
		clerk.get("/api/v1/staff-notices/" + meeting).expect(200);
		clerk.post("/api/v1/staff-notices/" + meeting + "/close", Map.of()).expectProblem(403, "forbidden");
		// nothing to acknowledge on a notice that does not ask for it; no check-ins to answer
		clerk.post("/api/v1/staff-notices/" + meeting + "/ack", Map.of()).expectProblem(400, "ack-not-required");
		clerk.post("/api/v1/staff-notices/" + meeting + "/check-ins", Map.of("status", "OK"))
			.expectProblem(409, "check-in-not-open");
		clerk.post("/api/v1/staff-notices/" + meeting + "/check-ins", Map.of()).expectProblem(400, "validation-failed");

		// who is not a recipient cannot acknowledge: HQ reads it (403), a store elsewhere does not see it (404)
		awaitOpen(demo.owner, east);
		hq.post("/api/v1/staff-notices/" + east + "/ack", Map.of()).expectProblem(403, "not-a-recipient");
		demo.staff("gz-th.manager").post("/api/v1/staff-notices/" + east + "/ack", Map.of()).expectProblem(404, "not-found");
		demo.staff("gz-th.manager").get("/api/v1/staff-notices/" + east).expectProblem(404, "not-found");
		assertThat(demo.staff("sz-gqj.manager").get("/api/v1/staff-notices?limit=200").expect(200).json().path("items")
			.findValuesAsString("id")).contains(east).doesNotContain(meeting);

		// a notice scheduled for later is not answered before it is sent, and closing it sends nothing
		String later = hq.post("/api/v1/staff-notices", notice("SOUTH", "sendAt", Instant.now().plus(Duration.ofHours(3)).toString()))
			.expect(201)
			.string("id");
		demo.staff("gz-th.manager").post("/api/v1/staff-notices/" + later + "/ack", Map.of())
			.expectProblem(409, "notice-not-open");
		assertThat(hq.post("/api/v1/staff-notices/" + later + "/close", Map.of()).expect(200).string("status")).isEqualTo("CLOSED");
		runNow(later);
		JsonNode never = hq.get("/api/v1/staff-notices/" + later).expect(200).json();
		assertThat(never.path("status").asString()).isEqualTo("CLOSED");
		assertThat(never.path("sentAt").isNull()).isTrue();
		hq.get("/api/v1/staff-notices/" + UUID.randomUUID()).expectProblem(404, "not-found");
	}
}
