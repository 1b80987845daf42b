package io.storecast.campaigns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

import io.storecast.identity.StaffId;
import io.storecast.messaging.CardActionClicked;
import io.storecast.messaging.ConversationId;
import io.storecast.messaging.Participant;
import io.storecast.support.Api;
import io.storecast.support.DemoFixture;
import io.storecast.support.StorecastIntegrationTest;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Approval in the chat: the approvers of a waiting send get a 批准 / 驳回 card in their 营销审批 room
 * (the requester does not), a press decides as the REST call would and the requester hears it; a
 * card of a request decided already only answers; the requester withdraws a waiting send; an
 * undecided send expires when its campaign ends.
 */
@StorecastIntegrationTest
class ApprovalChatIntegrationTest {

	static final String ROOM_TITLE = "营销审批 · ";

	@LocalServerPort
	int port;

	@Autowired
	JdbcClient jdbc;

	@Autowired
	ApplicationEventPublisher events;

	@Autowired
	TransactionTemplate tx;

	@Autowired
	JsonMapper json;

	DemoFixture demo;
	Api storeManager;
	Api regionManager;
	Api marketer;

	@BeforeEach
	void setUp() {
		demo = new DemoFixture(port);
		storeManager = demo.staff("hz-xh.manager");
		regionManager = demo.staff("east.manager");
		marketer = demo.staff("hq.marketer");
		demo.owner.put("/api/v1/campaigns/settings", Map.of("approvalAbove", 1)).expect(200);
	}

	@AfterEach
	void tearDown() {
		demo.owner.put("/api/v1/campaigns/settings", Map.of("approvalAbove", 0)).expect(200);
	}

	/** A draft of the store HZ-XH for two new customers (above the threshold of 1), named uniquely. */
	String draft(Api by, String name, Object... overrides) {
		List<String> two = List.of(newCustomer(), newCustomer());
		Map<String, Object> c = new HashMap<>(Map.of("name", name, "purpose", "TRANSACTIONAL", "startsAt",
				Instant.now().minusSeconds(60).toString(), "endsAt", Instant.now().plus(Duration.ofDays(30)).toString(),
				"offer", Map.of("text", "会员日9折"), "stores", List.of(demo.node("HZ-XH")), "route",
				List.of(Map.of("channel", "IN_APP")), "templates", Map.of("IN_APP", Map.of("zh-CN", "{nickname}您好,会员日9折")),
				"audience", Map.of("kind", "CUSTOMERS", "customerIds", two)));
		for (int i = 0; i < overrides.length; i += 2) {
			c.put((String) overrides[i], overrides[i + 1]);
		}
		return by.post("/api/v1/campaigns", c).expect(201).string("id");
	}

	String newCustomer() {
		return demo.owner.put("/api/v1/customers/external/appr-chat-" + UUID.randomUUID(),
				Map.of("nickname", "审批", "homeStoreId", demo.node("HZ-XH"))).expect(200).string("id");
	}

	static String unique(String name) {
		return name + "-" + UUID.randomUUID().toString().substring(0, 8);
	}

	/** The staff member's own 营销审批 room (it exists once something was posted to them). */
	static String room(Api api) {
		String[] id = new String[1];
		await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
			id[0] = null;
			for (JsonNode c : api.get("/api/v1/conversations?limit=200").expect(200).json()) {
				if (c.path("title").asString().startsWith(ROOM_TITLE)) {
					id[0] = c.path("id").asString();
				}
			}
			assertThat(id[0]).as("a 营销审批 room").isNotNull();
		});
		return id[0];
	}

	static List<JsonNode> messages(Api api, String room) {
		List<JsonNode> all = new ArrayList<>();
		api.get("/api/v1/conversations/" + room + "/messages?limit=200").expect(200).json().forEach(all::add);
		return all;
	}

	/** The newest message of the room that matches, waited for. */
	static JsonNode awaitMessage(Api api, String room, Predicate<JsonNode> matching) {
		JsonNode[] found = new JsonNode[1];
		await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
			found[0] = messages(api, room).stream().filter(matching).findFirst().orElse(null);
			assertThat(found[0]).as("a matching message in %s", room).isNotNull();
		});
		return found[0];
	}

	static Predicate<JsonNode> cardOf(String campaignName) {
		return m -> m.path("kind").asString().equals("CARD")
				&& m.path("body").path("payload").path("title").asString().contains(campaignName);
	}

	static Predicate<JsonNode> text(String... parts) {
		return m -> {
			String t = m.path("body").path("text").asString();
			for (String p : parts) {
				if (!t.contains(p)) {
					return false;
				}
			}
			return m.path("kind").asString().equals("TEXT");
		};
	}

	void press(Api api, String room, JsonNode card, String action) {
		api.post("/api/v1/conversations/" + room + "/messages/" + card.path("seq").asLong() + "/actions/" + action, Map.of())
			.expect(204);
	}

	JsonNode campaign(String id) {
		return demo.owner.get("/api/v1/campaigns/" + id).expect(200).json();
	}

	/** Waits until no publication of a card press is left incomplete: every listener has run. */
	void awaitPressesHandled() {
		await().atMost(Duration.ofSeconds(20)).until(() -> jdbc.sql("""
				SELECT count(*) FROM event_publication WHERE completion_date IS NULL AND event_type LIKE '%CardActionClicked'""")
			.query(Long.class).single() == 0);
	}

	@Test
	void approvers_get_a_card_and_pressing_approve_schedules_the_send_as_asked_and_tells_the_requester() {
		String name = unique("周一会员日");
		String id = draft(storeManager, name);
		Instant at = Instant.now().plus(Duration.ofHours(2)).truncatedTo(ChronoUnit.SECONDS);
		storeManager.post("/api/v1/campaigns/" + id + "/send", Map.of("at", at.toString())).expect(202);

		// the region's manager, the head office's marketer and the owner: each a card in their own room
		String marketerRoom = room(marketer);
		String regionRoom = room(regionManager);
		String ownerRoom = room(demo.owner);
		JsonNode card = awaitMessage(marketer, marketerRoom, cardOf(name));
		awaitMessage(regionManager, regionRoom, cardOf(name));
		awaitMessage(demo.owner, ownerRoom, cardOf(name));
		JsonNode payload = card.path("body").path("payload");
		assertThat(payload.path("text").asString()).contains(name, "2 位顾客", "计划", "活动截止");
		assertThat(payload.path("buttons").findValuesAsString("id")).containsExactly("approve", "reject");
		assertThat(payload.path("buttons").findValuesAsString("label")).containsExactly("批准", "驳回");

		// the requester gets no card, but is told who was asked
		String requesterRoom = room(storeManager);
		awaitMessage(storeManager, requesterRoom, text(name, "需要审批", "许市场"));
		assertThat(messages(storeManager, requesterRoom)).noneMatch(cardOf(name));
		// nobody else's room is theirs to read
		storeManager.get("/api/v1/conversations/" + marketerRoom + "/messages").expect(403);

		// 批准 on the card: scheduled at the time asked, exactly as POST …/approve does
		press(marketer, marketerRoom, card, "approve");
		await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
			JsonNode c = campaign(id);
			assertThat(c.path("status").asString()).isEqualTo("SCHEDULED");
			assertThat(Instant.parse(c.path("sendAt").asString())).isEqualTo(at);
			assertThat(c.path("approval").path("decision").asString()).isEqualTo("APPROVED");
			assertThat(c.path("approval").path("decidedBy").asString()).isEqualTo("hq.marketer");
		});
		assertThat(jdbc.sql("SELECT count(*) FROM scheduled_tasks WHERE task_name = 'campaigns-send' AND task_instance = ?")
			.param(id).query(Long.class).single()).isEqualTo(1);
		awaitMessage(storeManager, requesterRoom, text(name, "已由 许市场 批准", "将于"));
		awaitMessage(regionManager, regionRoom, text(name, "已由 许市场 批准", "无需再审批"));

		// the region manager's card of the decided send: a clear answer, nothing changes
		JsonNode regionCard = awaitMessage(regionManager, regionRoom, cardOf(name));
		press(regionManager, regionRoom, regionCard, "reject");
		awaitMessage(regionManager, regionRoom, text(name, "已被批准", "无需再操作"));
		JsonNode after = campaign(id);
		assertThat(after.path("status").asString()).isEqualTo("SCHEDULED");
		assertThat(after.path("approval").path("decidedBy").asString()).isEqualTo("hq.marketer");

		// the marketer's press delivered again: nothing more is decided or said
		int before = messages(marketer, marketerRoom).size();
		UUID marketerId = jdbc.sql("SELECT id FROM identity_staff WHERE username = 'hq.marketer'").query(UUID.class).single();
		tx.executeWithoutResult(s -> events.publishEvent(new CardActionClicked(ConversationId.valueOf(marketerRoom),
				card.path("seq").asLong(), "approve", Participant.staff(new StaffId(marketerId)), Instant.now(),
				payload, "action", null)));
		awaitPressesHandled();
		assertThat(messages(marketer, marketerRoom)).hasSize(before);
		assertThat(campaign(id).path("approval").path("decidedAt").asString())
			.isEqualTo(after.path("approval").path("decidedAt").asString());
		demo.owner.post("/api/v1/campaigns/" + id + "/cancel", Map.of()).expect(200);
	}

	@Test
	void reject_on_the_card_makes_a_draft_with_the_reason_and_an_old_card_does_nothing_to_a_new_request() {
		String name = unique("清仓特卖");
		String id = draft(storeManager, name);
		storeManager.post("/api/v1/campaigns/" + id + "/send", Map.of()).expect(202);
		String regionRoom = room(regionManager);
		JsonNode card = awaitMessage(regionManager, regionRoom, cardOf(name));
		press(regionManager, regionRoom, card, "reject");
		await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
			JsonNode c = campaign(id);
			assertThat(c.path("status").asString()).isEqualTo("DRAFT");
			assertThat(c.path("statusReason").asString()).isEqualTo("rejected");
			assertThat(c.path("approval").path("decision").asString()).isEqualTo("REJECTED");
			assertThat(c.path("approval").path("reason").asString()).isEqualTo("在聊天中驳回");
			assertThat(c.path("approval").path("decidedBy").asString()).isEqualTo("east.manager");
		});
		String requesterRoom = room(storeManager);
		awaitMessage(storeManager, requesterRoom, text(name, "驳回", "理由:在聊天中驳回", "退回草稿"));

		// sent again: a new request with new cards; the marketer's card of the first one only answers
		storeManager.post("/api/v1/campaigns/" + id + "/send", Map.of()).expect(202);
		String marketerRoom = room(marketer);
		await().atMost(Duration.ofSeconds(20))
			.until(() -> messages(marketer, marketerRoom).stream().filter(cardOf(name)).count() == 2);
		JsonNode oldCard = messages(marketer, marketerRoom).stream().filter(cardOf(name))
			.min((a, b) -> Long.compare(a.path("seq").asLong(), b.path("seq").asLong())).orElseThrow();
		press(marketer, marketerRoom, oldCard, "approve");
		awaitMessage(marketer, marketerRoom, text(name, "已重新提交", "新的审批卡片"));
		assertThat(campaign(id).path("status").asString()).isEqualTo("PENDING_APPROVAL");

		// the requester withdraws the new request over REST: every approver hears it, their cards only answer
		storeManager.post("/api/v1/campaigns/" + id + "/withdraw", Map.of()).expect(200);
		awaitMessage(marketer, marketerRoom, text(name, "已由", "撤回"));
		JsonNode newCard = messages(marketer, marketerRoom).stream().filter(cardOf(name))
			.max((a, b) -> Long.compare(a.path("seq").asLong(), b.path("seq").asLong())).orElseThrow();
		press(marketer, marketerRoom, newCard, "approve");
		awaitMessage(marketer, marketerRoom, text(name, "已撤回", "无需再操作"));
		assertThat(campaign(id).path("status").asString()).isEqualTo("DRAFT");
	}

	@Test
	void a_card_pressed_by_whoever_asked_for_the_send_since_is_answered_and_changes_nothing() {
		String name = unique("新品预告");
		String id = draft(storeManager, name);
		storeManager.post("/api/v1/campaigns/" + id + "/send", Map.of()).expect(202);
		String marketerRoom = room(marketer);
		JsonNode card = awaitMessage(marketer, marketerRoom, cardOf(name));
		demo.owner.post("/api/v1/campaigns/" + id + "/reject", Map.of("reason", "换个时间")).expect(200);
		awaitMessage(storeManager, room(storeManager), text(name, "被 ", "理由:换个时间"));

		// the marketer sends it themselves: their old card cannot approve their own send
		marketer.post("/api/v1/campaigns/" + id + "/send", Map.of()).expect(202);
		press(marketer, marketerRoom, card, "approve");
		awaitMessage(marketer, marketerRoom, text(name, "不能批准自己提交的发送申请"));
		JsonNode c = campaign(id);
		assertThat(c.path("status").asString()).isEqualTo("PENDING_APPROVAL");
		assertThat(c.path("approval").path("requestedBy").asString()).isEqualTo("hq.marketer");
		demo.owner.post("/api/v1/campaigns/" + id + "/withdraw", Map.of()).expect(200);
	}

	@Test
	void the_requester_or_a_writer_withdraws_a_waiting_send_and_nobody_else() {
		String id = draft(storeManager, unique("会员招募"));
		storeManager.post("/api/v1/campaigns/" + id + "/withdraw", Map.of()).expectProblem(409, "campaign-not-pending-approval");
		storeManager.post("/api/v1/campaigns/" + id + "/send", Map.of()).expect(202);

		demo.staff("sz-gqj.manager").post("/api/v1/campaigns/" + id + "/withdraw", Map.of()).expectProblem(404, "not-found");
		demo.staff("hz-xh.clerk1").post("/api/v1/campaigns/" + id + "/withdraw", Map.of()).expectProblem(403, "forbidden");
		demo.anonymous.as(demo.apiKey("read only", "campaigns:read"))
			.post("/api/v1/campaigns/" + id + "/withdraw", Map.of()).expectProblem(403, "forbidden");
		assertThat(campaign(id).path("status").asString()).isEqualTo("PENDING_APPROVAL");

		JsonNode withdrawn = storeManager.post("/api/v1/campaigns/" + id + "/withdraw", Map.of()).expect(200).json();
		assertThat(withdrawn.path("status").asString()).isEqualTo("DRAFT");
		assertThat(withdrawn.path("statusReason").asString()).isEqualTo("withdrawn");
		assertThat(withdrawn.path("approval").path("decision").asString()).isEqualTo("WITHDRAWN");
		assertThat(withdrawn.path("approval").path("decidedBy").asString()).isEqualTo("hz-xh.manager");
		storeManager.post("/api/v1/campaigns/" + id + "/withdraw", Map.of()).expectProblem(409, "campaign-not-pending-approval");
		marketer.post("/api/v1/campaigns/" + id + "/approve", Map.of()).expectProblem(409, "campaign-not-pending-approval");

		// the region manager (CAMPAIGN_WRITE there) withdraws another's send too; the requester is told
		storeManager.post("/api/v1/campaigns/" + id + "/send", Map.of()).expect(202);
		regionManager.post("/api/v1/campaigns/" + id + "/withdraw", Map.of()).expect(200);
		assertThat(campaign(id).path("approval").path("decidedBy").asString()).isEqualTo("east.manager");
		awaitMessage(storeManager, room(storeManager), text("已由 陈华东 撤回", "退回草稿"));
	}

	@Test
	void an_undecided_send_expires_when_its_campaign_ends_and_becomes_a_draft() {
		String name = unique("限时快闪");
		String id = draft(storeManager, name, "endsAt", Instant.now().plusSeconds(4).toString());
		storeManager.post("/api/v1/campaigns/" + id + "/send", Map.of()).expect(202);
		// the expiry is a persistent task, stored with the request
		assertThat(jdbc.sql("SELECT count(*) FROM scheduled_tasks WHERE task_name = 'campaigns-approval-expiry' AND task_instance LIKE ?")
			.param(id + "/%").query(Long.class).single()).isEqualTo(1);
		await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
			JsonNode c = campaign(id);
			assertThat(c.path("status").asString()).isEqualTo("DRAFT");
			assertThat(c.path("statusReason").asString()).isEqualTo("approval-expired");
			assertThat(c.path("approval").path("decision").asString()).isEqualTo("EXPIRED");
		});
		awaitMessage(storeManager, room(storeManager), text(name, "已过期", "退回草稿"));
		awaitMessage(marketer, room(marketer), text(name, "已过期", "无需再审批"));
		marketer.post("/api/v1/campaigns/" + id + "/approve", Map.of()).expectProblem(409, "campaign-not-pending-approval");
	}
}
