package io.storecast.delivery.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;

import io.storecast.delivery.Delivery;
import io.storecast.orders.OrderTesting;
import io.storecast.support.DemoFixture;
import io.storecast.support.StorecastIntegrationTest;
import tools.jackson.databind.JsonNode;

/**
 * While a send hands off on this node, its bulk messages are held back (here with a trickle of none):
 * an order's notice still goes at once, the held ones go when the hold is let go, and a campaign's
 * send lets go of it when its hand-off ends.
 */
@StorecastIntegrationTest
class BulkHoldIntegrationTest {

	private static final String SOURCE = "hold-test";

	@LocalServerPort
	int port;

	@Autowired
	JdbcClient jdbc;

	@Autowired
	Delivery delivery;

	@Autowired
	DeliveryWorkers workers;

	DemoFixture demo;

	@BeforeEach
	void setUp() {
		demo = new DemoFixture(port);
		workers.bulkHoldSettings(new DeliverySettings.BulkHoldSettings(true, 0.0));
	}

	@AfterEach
	void tearDown() {
		delivery.holdBulk(Instant.EPOCH);
		workers.bulkHoldSettings(null);
		OutboxTesting.forget(jdbc, SOURCE);
	}

	@Test
	void held_bulk_messages_wait_while_an_order_notice_goes_and_go_when_the_hold_is_let_go() {
		OrderTesting.Customer customer = OrderTesting.Customer.of(demo, "SH-NJR");
		String store = demo.node("SH-NJR");
		delivery.holdBulk(Instant.now().plus(Duration.ofHours(1)));
		// the campaign-like one first: without the hold, the lease that takes the notice would take it too
		JsonNode ids = demo.owner.post("/api/v1/deliveries", Map.of("requests", List.of(
				request("newsletter", customer.id(), store, true, "中秋礼盒满200减30"),
				request("order", customer.id(), store, false, "您的订单已发货")))).expect(202).json().path("ids");
		String newsletter = ids.get(0).asString();
		String order = ids.get(1).asString();

		await().atMost(Duration.ofSeconds(10)).until(() -> status(order).equals("DELIVERED"));
		JsonNode held = view(newsletter);
		assertThat(held.path("status").asString()).isEqualTo("QUEUED");
		assertThat(held.path("attempts").valueStream().map(a -> a.path("status").asString())).containsExactly("QUEUED");

		delivery.holdBulk(Instant.EPOCH);
		await().atMost(Duration.ofSeconds(10)).until(() -> status(newsletter).equals("DELIVERED"));
	}

	@Test
	void a_campaign_lets_go_of_the_hold_when_its_hand_off_ends() {
		OrderTesting.Customer ann = OrderTesting.Customer.of(demo, "SH-NJR");
		OrderTesting.Customer bo = OrderTesting.Customer.of(demo, "SH-NJR");
		// held for an hour before the send: the send's rounds hold again, and its end lets go
		delivery.holdBulk(Instant.now().plus(Duration.ofHours(1)));
		String id = demo.owner.post("/api/v1/campaigns", Map.of("name", "中秋 满200减30", "purpose", "TRANSACTIONAL",
				"startsAt", Instant.now().minusSeconds(60).toString(), "endsAt", Instant.now().plus(Duration.ofDays(1)).toString(),
				"offer", Map.of("text", "满200减30", "product", "月饼礼盒"), "stores", List.of(demo.node("SH-NJR")), "route",
				List.of(Map.of("channel", "IN_APP")), "templates", Map.of("IN_APP", Map.of("zh-CN", "{nickname}您好,{product}满200减30")),
				"audience", Map.of("kind", "CUSTOMERS", "customerIds", List.of(ann.id(), bo.id())))).expect(201).string("id");
		demo.owner.post("/api/v1/campaigns/" + id + "/send", Map.of()).expect(202);

		// within the hold a round renews (30 s), so the messages arriving in time says it was let go
		await().atMost(Duration.ofSeconds(15))
			.until(() -> demo.owner.get("/api/v1/campaigns/" + id).expect(200).json().path("progress").path("deliveries")
				.path("DELIVERED").asLong(), n -> n == 2);
		assertThat(workers.bulkHeldUntil()).isBefore(Instant.now());
	}

	private String status(String id) {
		return view(id).path("status").asString();
	}

	private JsonNode view(String id) {
		return demo.owner.get("/api/v1/deliveries/" + id).expect(200).json();
	}

	private static Map<String, Object> request(String key, String customerId, String storeId, boolean bulk, String text) {
		return Map.of("source", SOURCE, "key", key, "customerId", customerId, "storeId", storeId, "purpose", "TRANSACTIONAL",
				"route", List.of(Map.of("channel", "IN_APP")), "content", Map.of("text", text), "bulk", bulk);
	}
}
