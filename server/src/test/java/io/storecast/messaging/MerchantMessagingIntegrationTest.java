package io.storecast.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;

import io.storecast.identity.CustomerId;
import io.storecast.identity.OrgNodeId;
import io.storecast.identity.StaffId;
import io.storecast.platform.ApiException;
import io.storecast.gateway.Gateway;
import io.storecast.support.Api;
import io.storecast.support.DemoFixture;
import io.storecast.support.RawWebSocket;
import io.storecast.support.StorecastIntegrationTest;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Other modules post for the merchant: to a customer's store conversation and to staff rooms, once per key,
 * one by one or to many customers at once.
 */
@StorecastIntegrationTest
class MerchantMessagingIntegrationTest {

	@LocalServerPort
	int port;

	@Autowired
	MerchantMessaging merchant;

	@Autowired
	JsonMapper json;

	@Autowired
	JdbcClient jdbc;

	@Autowired
	Gateway gateway;

	DemoFixture demo;

	@BeforeEach
	void setUp() {
		demo = new DemoFixture(port);
	}

	@Test
	void a_card_reaches_the_customer_once_and_comes_from_the_store() {
		Api customer = demo.customer("SH-NJR");
		UUID customerId = UUID.fromString(customer.get("/api/v1/me").json().path("customer").path("id").asString());
		OrgNodeId store = new OrgNodeId(UUID.fromString(demo.node("SH-NJR")));

		ConversationId id = merchant.customerConversation(store, new CustomerId(customerId));
		assertThat(merchant.customerConversation(store, new CustomerId(customerId))).isEqualTo(id);
		MessageDraft card = new MessageDraft(MessageKind.CARD, json.readTree("""
				{"card": "order", "payload": {"orderId": "SO-1", "status": "SHIPPED", "title": "您的订单已发货"}}"""), false);
		SendResult first = merchant.post(id, "order-SO-1-SHIPPED", card);
		SendResult again = merchant.post(id, "order-SO-1-SHIPPED", card);
		assertThat(first.duplicate()).isFalse();
		assertThat(again.duplicate()).isTrue();
		assertThat(again.message().seq()).isEqualTo(first.message().seq());

		// the customer opening the conversation with the store finds the same one, with the card in it, sent by nobody
		String opened = customer.post("/api/v1/conversations/direct", Map.of("storeId", store.toString())).expect(200).string("id");
		assertThat(opened).isEqualTo(id.toString());
		JsonNode history = customer.get("/api/v1/conversations/" + opened + "/messages").expect(200).json();
		assertThat(history).hasSize(1);
		assertThat(history.get(0).path("sender").isNull() || history.get(0).path("sender").isMissingNode()).isTrue();
		assertThat(history.get(0).path("body").path("payload").path("title").asString()).isEqualTo("您的订单已发货");
		// and the store's staff are in it
		demo.staff("sh-njr.clerk1").get("/api/v1/conversations/" + opened + "/messages").expect(200);

		assertThatThrownBy(() -> merchant.post(id, "bad-card", new MessageDraft(MessageKind.CARD,
				json.readTree("{\"card\": \"no-such-card\", \"payload\": {}}"), false)))
			.isInstanceOf(ApiException.class);
		assertThatThrownBy(() -> merchant.post(id, "has spaces", card)).isInstanceOf(ApiException.class);
	}

	@Test
	void a_staff_room_gathers_its_members_and_grows() {
		StaffId manager = staffId(demo.staff("hz-xh.manager"));
		StaffId region = staffId(demo.staff("east.manager"));
		OrgNodeId store = new OrgNodeId(UUID.fromString(demo.node("HZ-XH")));

		ConversationId room = merchant.staffRoom(store, "stock-alerts", "西湖店库存提醒", List.of(manager));
		assertThat(merchant.staffRoom(store, "stock-alerts", "西湖店库存提醒", List.of(manager, region))).isEqualTo(room);
		merchant.post(room, "low-stock-1", new MessageDraft(MessageKind.TEXT,
				json.readTree("{\"text\": \"库存不足\", \"mentionAll\": true}"), false));

		for (String user : List.of("hz-xh.manager", "east.manager")) {
			JsonNode mine = demo.staff(user).get("/api/v1/conversations").expect(200).json();
			assertThat(mine.valueStream().map(c -> c.path("id").asString())).contains(room.toString());
		}
		demo.staff("hz-xh.clerk1").get("/api/v1/conversations/" + room + "/messages").expectProblem(403, "not-a-member");
		assertThatThrownBy(() -> merchant.staffRoom(store, "Bad Purpose", "x", List.of(manager)))
			.isInstanceOf(IllegalArgumentException.class);
	}

	@Test
	void posts_to_many_customers_open_each_conversation_once_reach_the_online_ones_and_refuse_only_the_bad_ones()
			throws Exception {
		OrgNodeId njr = new OrgNodeId(UUID.fromString(demo.node("SH-NJR")));
		OrgNodeId xh = new OrgNodeId(UUID.fromString(demo.node("HZ-XH")));
		Api online = demo.customer("SH-NJR");
		CustomerId onlineId = customerId(online);
		CustomerId offlineId = customerId(demo.customer("SH-NJR"));
		CustomerId atXh = customerId(demo.customer("HZ-XH"));
		// the single path's conversation, to compare the batch's with
		CustomerId single = customerId(demo.customer("SH-NJR"));
		ConversationId singleConversation = merchant.customerConversation(njr, single);
		String run = UUID.randomUUID().toString().substring(0, 8);
		List<CustomerPost> posts = List.of(
				new CustomerPost(njr, onlineId, run + "-1", text("中秋礼盒到店了 " + run)),
				new CustomerPost(njr, offlineId, run + "-2", text("中秋礼盒到店了 " + run)),
				new CustomerPost(new OrgNodeId(UUID.randomUUID()), onlineId, run + "-3", text("没有这家店")),
				new CustomerPost(njr, new CustomerId(UUID.randomUUID()), run + "-4", text("没有这位顾客")),
				new CustomerPost(xh, atXh, run + "-5", new MessageDraft(MessageKind.CARD, json.readTree("""
						{"card": "order", "payload": {"orderId": "SO-9", "status": "SHIPPED", "title": "已发货"}}"""), false)),
				new CustomerPost(njr, offlineId, "has spaces", text("坏的键")),
				new CustomerPost(njr, offlineId, run + "-7", text("")),
				// the same post twice in one batch: stored once
				new CustomerPost(njr, onlineId, run + "-1", text("中秋礼盒到店了 " + run)),
				new CustomerPost(njr, single, run + "-9", text("老顾客 " + run)));

		List<CustomerPostResult> results;
		try (RawWebSocket socket = new RawWebSocket(gateway.port(), gateway.path(), online.token())) {
			socket.readUntil("hello");
			results = merchant.postToCustomers(posts);
			assertThat(socket.readUntil("message").text()).contains("中秋礼盒到店了 " + run);
		}

		assertThat(results).hasSize(posts.size());
		for (int i : List.of(0, 1, 4, 8)) {
			assertThat(results.get(i)).isInstanceOf(CustomerPostResult.Posted.class);
			assertThat(posted(results.get(i)).result().duplicate()).isFalse();
		}
		assertThat(reason(results.get(2))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("No store");
		assertThat(reason(results.get(3))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("No customer");
		assertThat(reason(results.get(5))).isInstanceOf(ApiException.class);
		assertThat(reason(results.get(6))).isInstanceOf(ApiException.class);
		assertThat(posted(results.get(7)).result().duplicate()).isTrue();
		assertThat(posted(results.get(7)).result().message().seq()).isEqualTo(posted(results.get(0)).result().message().seq());
		assertThat(posted(results.get(8)).conversation()).isEqualTo(singleConversation);

		// the single path finds the conversations the batch opened, with the store's staff in them as it would
		ConversationId opened = posted(results.get(0)).conversation();
		assertThat(merchant.customerConversation(njr, onlineId)).isEqualTo(opened);
		assertThat(merchant.customerConversation(xh, atXh)).isEqualTo(posted(results.get(4)).conversation());
		assertThat(membership(opened).replace(onlineId.toString(), "<customer>"))
			.isEqualTo(membership(singleConversation).replace(single.toString(), "<customer>"));
		demo.staff("sh-njr.clerk1").get("/api/v1/conversations/" + opened + "/messages").expect(200);
		JsonNode history = online.get("/api/v1/conversations/" + opened + "/messages").expect(200).json();
		assertThat(history).hasSize(1);

		// the batch again (a re-leased one): nothing stored twice, the first messages answered
		List<CustomerPostResult> again = merchant.postToCustomers(posts);
		for (int i : List.of(0, 1, 4, 7, 8)) {
			assertThat(posted(again.get(i)).result().duplicate()).isTrue();
			assertThat(posted(again.get(i)).result().message().seq()).isEqualTo(posted(results.get(i)).result().message().seq());
		}
		assertThat(again.get(3)).isInstanceOf(CustomerPostResult.Refused.class);
		assertThat(online.get("/api/v1/conversations/" + opened + "/messages").expect(200).json()).hasSize(1);
	}

	@Test
	void the_same_batch_posted_by_two_callers_at_once_is_stored_once() {
		OrgNodeId store = new OrgNodeId(UUID.fromString(demo.node("GZ-TH")));
		String run = UUID.randomUUID().toString().substring(0, 8);
		List<CustomerPost> posts = new java.util.ArrayList<>();
		for (int i = 0; i < 20; i++) {
			posts.add(new CustomerPost(store, customerId(demo.customer("GZ-TH")), run + "-" + i, text("同时推送 " + run)));
		}
		var first = java.util.concurrent.CompletableFuture.supplyAsync(() -> merchant.postToCustomers(posts));
		var second = java.util.concurrent.CompletableFuture.supplyAsync(() -> merchant.postToCustomers(posts));
		List<CustomerPostResult> a = first.join();
		List<CustomerPostResult> b = second.join();
		for (int i = 0; i < posts.size(); i++) {
			assertThat(posted(a.get(i)).conversation()).isEqualTo(posted(b.get(i)).conversation());
			assertThat(posted(a.get(i)).result().message().id()).isEqualTo(posted(b.get(i)).result().message().id());
			assertThat(posted(a.get(i)).result().duplicate()).isNotEqualTo(posted(b.get(i)).result().duplicate());
			assertThat(jdbc.sql("SELECT count(*) FROM messaging_messages WHERE conversation_id = ?")
				.param(posted(a.get(i)).conversation().value())
				.query(Long.class)
				.single()).isEqualTo(1);
		}
	}

	private MessageDraft text(String text) {
		return new MessageDraft(MessageKind.TEXT, json.createObjectNode().put("text", text), false);
	}

	private static CustomerPostResult.Posted posted(CustomerPostResult result) {
		assertThat(result).isInstanceOf(CustomerPostResult.Posted.class);
		return (CustomerPostResult.Posted) result;
	}

	private static RuntimeException reason(CustomerPostResult result) {
		assertThat(result).isInstanceOf(CustomerPostResult.Refused.class);
		return ((CustomerPostResult.Refused) result).reason();
	}

	private static CustomerId customerId(Api customer) {
		return new CustomerId(UUID.fromString(customer.get("/api/v1/me").json().path("customer").path("id").asString()));
	}

	/** The conversation's member count, kind, store and members with their roles, as one string. */
	private String membership(ConversationId id) {
		return jdbc.sql("""
				SELECT c.kind || ' ' || c.org_node_id || ' ' || c.member_count || ' ' || c.created_by || ': '
				       || string_agg(m.participant || '=' || m.role, ', ' ORDER BY m.participant LIKE 'customer:%', m.participant)
				  FROM messaging_conversations c JOIN messaging_members m ON m.conversation_id = c.id
				 WHERE c.id = ? GROUP BY c.id""")
			.param(id.value())
			.query(String.class)
			.single();
	}

	private static StaffId staffId(Api staff) {
		return new StaffId(UUID.fromString(staff.get("/api/v1/me").json().path("staff").path("id").asString()));
	}
}
