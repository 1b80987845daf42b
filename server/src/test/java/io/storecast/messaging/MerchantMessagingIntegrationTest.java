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

import io.storecast.identity.CustomerId;
import io.storecast.identity.OrgNodeId;
import io.storecast.identity.StaffId;
import io.storecast.platform.ApiException;
import io.storecast.support.Api;
import io.storecast.support.DemoFixture;
import io.storecast.support.StorecastIntegrationTest;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Other modules post for the merchant: to a customer's store conversation and to staff rooms, once per key. */
@StorecastIntegrationTest
class MerchantMessagingIntegrationTest {

	@LocalServerPort
	int port;

	@Autowired
	MerchantMessaging merchant;

	@Autowired
	JsonMapper json;

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

	private static StaffId staffId(Api staff) {
		return new StaffId(UUID.fromString(staff.get("/api/v1/me").json().path("staff").path("id").asString()));
	}
}
