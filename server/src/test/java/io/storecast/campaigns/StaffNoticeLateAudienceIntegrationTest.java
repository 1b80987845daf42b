package io.storecast.campaigns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.SchedulerClient;
import com.github.kagkarlsson.scheduler.task.TaskInstance;
import com.github.kagkarlsson.scheduler.task.TaskInstanceId;

import io.storecast.support.Api;
import io.storecast.support.DemoFixture;
import io.storecast.support.StorecastIntegrationTest;
import tools.jackson.databind.JsonNode;

/**
 * A staff notice scheduled ahead reaches who holds the role when it goes out — a store manager
 * appointed after it was created, not one disabled since — and is posted once however often its run
 * comes round.
 */
@StorecastIntegrationTest
class StaffNoticeLateAudienceIntegrationTest {

	@LocalServerPort
	int port;

	@Autowired
	SchedulerClient scheduler;

	DemoFixture demo;

	@BeforeEach
	void setUp() {
		demo = new DemoFixture(port);
	}

	/** Runs the notice's posting now, as if its time had come, and waits for it to be done. */
	void postNow(String notice) {
		TaskInstanceId task = TaskInstanceId.of("campaigns-staff-notice", notice);
		assertThat(scheduler.reschedule(task, Instant.now())).isTrue();
		((Scheduler) scheduler).triggerCheckForDueExecutions();
		await().atMost(Duration.ofSeconds(30)).until(() -> scheduler.getScheduledExecution(task).isEmpty());
	}

	/** A store of its own, directly under the head office, so that no other test meets its staff. */
	String newStore() {
		Api owner = demo.owner;
		String hq = owner.get("/api/v1/org/nodes").expect(200).json().get(0).path("id").asString();
		String code = "LATE-" + UUID.randomUUID().toString().substring(0, 6).toUpperCase();
		return owner.post("/api/v1/org/nodes", Map.of("parentId", hq, "kind", "STORE", "code", code, "name", "新开门店"))
			.expect(201).string("id");
	}

	/** Appoints a store manager and logs them in (their temporary password changed). */
	Api appoint(String store, String username) {
		String temporary = demo.owner.post("/api/v1/staff", Map.of("username", username, "displayName", "新店长", "role",
				"STORE_MANAGER", "orgNodeId", store)).expect(201).string("temporaryPassword");
		Api first = demo.anonymous.as(demo.anonymous.post("/api/v1/auth/login", Map.of("username", username, "password",
				temporary)).expect(200).string("accessToken"));
		return demo.anonymous.as(first.post("/api/v1/auth/password",
				Map.of("currentPassword", temporary, "newPassword", "Late-Manager-Pass-42")).expect(200).string("accessToken"));
	}

	@Test
	void a_scheduled_notice_reaches_the_store_manager_appointed_after_it_was_created_once() {
		Api owner = demo.owner;
		String store = newStore();
		String notice = owner.post("/api/v1/staff-notices", Map.of("title", "周例会通知", "text", "周一上午10点店长例会,请准时参加",
				"audience", Map.of("nodes", List.of(store, demo.node("GZ-TH")), "roles", List.of("STORE_MANAGER")),
				"requiresAck", true, "sendAt", Instant.now().plus(Duration.ofHours(1)).toString())).expect(201).string("id");
		// as things stand: Guangzhou's manager only, the new store has none yet
		JsonNode planned = owner.get("/api/v1/staff-notices/" + notice + "/recipients").expect(200).json();
		assertThat(planned.findValuesAsString("displayName")).hasSize(1);

		String username = "late-" + UUID.randomUUID().toString().substring(0, 8);
		Api manager = appoint(store, username);
		String managerId = manager.get("/api/v1/me").expect(200).json().path("staff").path("id").asString();

		postNow(notice);
		JsonNode open = owner.get("/api/v1/staff-notices/" + notice).expect(200).json();
		assertThat(open.path("status").asString()).isEqualTo("OPEN");
		assertThat(open.path("summary").path("recipients").asInt()).isEqualTo(2);
		JsonNode recipients = owner.get("/api/v1/staff-notices/" + notice + "/recipients").expect(200).json();
		JsonNode mine = null;
		for (JsonNode r : recipients) {
			if (r.path("staffId").asString().equals(managerId)) {
				mine = r;
			}
		}
		assertThat(mine).as("the new manager among %s", recipients).isNotNull();
		String room = mine.path("conversationId").asString();
		assertThat(room).isNotEmpty();

		// the new manager has it in their store's room, and acknowledges it
		JsonNode posted = StaffNoticesIntegrationTest.message(manager, room,
				m -> m.path("body").path("text").asString().startsWith("【周例会通知】"));
		assertThat(posted.path("requiresAck").asBoolean()).isTrue();
		manager.post("/api/v1/staff-notices/" + notice + "/ack", Map.of()).expect(200);

		// its run coming round again (a retry after a crash) posts nothing twice
		scheduler.schedule(new TaskInstance<Void>("campaigns-staff-notice", notice), Instant.now());
		((Scheduler) scheduler).triggerCheckForDueExecutions();
		await().atMost(Duration.ofSeconds(30))
			.until(() -> scheduler.getScheduledExecution(TaskInstanceId.of("campaigns-staff-notice", notice)).isEmpty());
		long copies = 0;
		for (JsonNode m : manager.get("/api/v1/conversations/" + room + "/messages?limit=100").expect(200).json()) {
			if (m.path("body").path("text").asString().startsWith("【周例会通知】")) {
				copies++;
			}
		}
		assertThat(copies).isEqualTo(1);
		assertThat(owner.get("/api/v1/staff-notices/" + notice).expect(200).json().path("summary").path("recipients").asInt())
			.isEqualTo(2);
	}

	@Test
	void a_scheduled_notice_whose_listed_staff_have_all_left_fails_as_empty_audience_posting_nothing() {
		Api owner = demo.owner;
		String store = newStore();
		String username = "gone-" + UUID.randomUUID().toString().substring(0, 8);
		String staffId = appoint(store, username).get("/api/v1/me").expect(200).json().path("staff").path("id").asString();
		String notice = owner.post("/api/v1/staff-notices", Map.of("title", "考勤提醒", "text", "请于今日18点前补录考勤", "audience",
				Map.of("staffIds", List.of(staffId)), "sendAt", Instant.now().plus(Duration.ofHours(1)).toString()))
			.expect(201).string("id");
		owner.patch("/api/v1/staff/" + staffId, Map.of("status", "DISABLED")).expect(200);

		postNow(notice);
		JsonNode failed = owner.get("/api/v1/staff-notices/" + notice).expect(200).json();
		assertThat(failed.path("status").asString()).isEqualTo("FAILED");
		assertThat(failed.path("statusReason").asString()).isEqualTo("empty-audience");
		assertThat(failed.path("sentAt").isNull()).isTrue();
	}
}
