package io.storecast.orders;

import static io.storecast.orders.OrderTesting.order;
import static io.storecast.orders.OrderTesting.status;
import static io.storecast.orders.OrderTesting.with;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;

import io.storecast.identity.CustomerId;
import io.storecast.orders.OrderTesting.Customer;
import io.storecast.support.Api;
import io.storecast.support.DemoFixture;
import tools.jackson.databind.JsonNode;

/**
 * An order's life through the REST API: recorded idempotently, moved by status events ordered by
 * their own time, told to the customer as order cards, and published to the other modules.
 */
@OrdersIntegrationTest
class OrderLifecycleIntegrationTest {

	@LocalServerPort
	int port;

	@Autowired
	JdbcClient jdbc;

	@Autowired
	OrderEvents events;

	@Autowired
	Orders orders;

	DemoFixture demo;
	Api backend;

	@BeforeEach
	void setUp() {
		demo = new DemoFixture(port);
		OrderTesting.ensureSkus(demo);
		backend = demo.anonymous.as(demo.apiKey("shop backend", "orders:write"));
	}

	@Test
	void an_order_goes_from_paid_to_delivered_and_the_customer_hears_each_step_once() {
		Customer customer = Customer.of(demo, "SH-NJR");
		String store = demo.node("SH-NJR");
		String number = "SO-" + UUID.randomUUID();
		Instant t0 = Instant.now().minus(Duration.ofHours(2)).truncatedTo(ChronoUnit.SECONDS);
		var body = with(with(order(customer.externalId(), "SH-NJR", 25_600 + 500 - 3_000, "TS-MOONCAKE-6", 2, 12_800,
				"TS-CARD", 1, 500), "discountFen", 3_000), "couponCodes", List.of("MID-AUTUMN-200-30"));

		JsonNode created = backend.put("/api/v1/orders/" + number, with(body, "placedAt", t0.toString())).expect(201).json();
		assertThat(created.path("status").asString()).isEqualTo("CREATED");
		assertThat(created.path("storeId").asString()).isEqualTo(store);
		assertThat(created.path("customerId").asString()).isEqualTo(customer.id());
		assertThat(created.path("subtotalFen").asLong()).isEqualTo(26_100);
		assertThat(created.path("totalFen").asLong()).isEqualTo(23_100);
		assertThat(created.path("lines").get(0).path("name").asString()).isEqualTo("流心奶黄月饼礼盒 6枚装");
		assertThat(created.path("lines").get(0).path("category").asString()).isEqualTo("月饼");
		assertThat(created.path("lines").get(0).path("amountFen").asLong()).isEqualTo(25_600);
		assertThat(created.path("lines").get(1).path("category").isNull()).isTrue();
		assertThat(created.path("source").asString()).isEqualTo("API");
		// the same order again changes nothing
		backend.put("/api/v1/orders/" + number, body).expect(200);

		String path = "/api/v1/orders/" + number + "/events";
		JsonNode paid = backend.header("Idempotency-Key", "pay-" + number)
			.post(path, status("PAID", t0.plusSeconds(60)))
			.expect(201)
			.json();
		assertThat(paid.path("duplicate").asBoolean()).isFalse();
		assertThat(paid.path("statusChanged").asBoolean()).isTrue();
		assertThat(paid.path("order").path("status").asString()).isEqualTo("PAID");
		// a retry of the same event is a no-op
		JsonNode retry = backend.header("Idempotency-Key", "pay-" + number)
			.post(path, status("PAID", t0.plusSeconds(60)))
			.expect(200)
			.json();
		assertThat(retry.path("duplicate").asBoolean()).isTrue();
		await().atMost(Duration.ofSeconds(10)).until(() -> customer.orderCards(store).size() == 1);
		JsonNode paidCard = customer.orderCards(store).getFirst();
		assertThat(paidCard.path("status").asString()).isEqualTo("PAID");
		assertThat(paidCard.path("orderId").asString()).isEqualTo(number);
		assertThat(paidCard.path("title").asString()).isEqualTo("订单支付成功");
		assertThat(paidCard.path("text").asString()).contains("¥231.00", "上海南京路店");

		backend.post(path, status("SHIPPED", t0.plusSeconds(3600), "eventId", "ship-" + number, "carrier", "顺丰速运",
				"trackingNumber", "SF1234567890", "expectedDelivery", "2026-12-24")).expect(201);
		// a second payment report, stamped after the shipment: kept in the timeline, the order stays shipped
		JsonNode late = backend.post(path, status("PAID", t0.plusSeconds(4000), "eventId", "pay-again-" + number))
			.expect(201)
			.json();
		assertThat(late.path("statusChanged").asBoolean()).isFalse();
		assertThat(late.path("order").path("status").asString()).isEqualTo("SHIPPED");
		backend.post(path, status("OUT_FOR_DELIVERY", t0.plusSeconds(5000))).expect(201);
		backend.post(path, status("DELIVERED", t0.plusSeconds(6000))).expect(201);

		await().atMost(Duration.ofSeconds(10)).until(() -> customer.orderCards(store).size() == 4);
		List<JsonNode> cards = customer.orderCards(store);
		assertThat(cards.stream().map(c -> c.path("status").asString()))
			.containsExactly("PAID", "SHIPPED", "OUT_FOR_DELIVERY", "DELIVERED");
		assertThat(cards.get(1).path("title").asString()).isEqualTo("您的订单已发货");
		assertThat(cards.get(1).path("carrier").asString()).isEqualTo("顺丰速运");
		assertThat(cards.get(1).path("trackingNumber").asString()).isEqualTo("SF1234567890");
		assertThat(cards.get(1).path("expectedDelivery").asString()).isEqualTo("2026-12-24");
		assertThat(cards.get(1).path("text").asString()).contains("SF1234567890", "12月24日");
		assertThat(cards.get(2).path("title").asString()).isEqualTo("您的订单正在派送");
		assertThat(cards.get(3).path("title").asString()).isEqualTo("您的订单已送达");

		JsonNode order = demo.staff("sh-njr.clerk1").get("/api/v1/orders/" + number).expect(200).json();
		assertThat(order.path("status").asString()).isEqualTo("DELIVERED");
		assertThat(order.path("paidAt").asString()).isEqualTo(t0.plusSeconds(60).toString());
		assertThat(order.path("carrier").asString()).isEqualTo("顺丰速运");
		assertThat(order.path("timeline").valueStream().map(e -> e.path("status").asString()))
			.containsExactly("CREATED", "PAID", "SHIPPED", "PAID", "OUT_FOR_DELIVERY", "DELIVERED");
		assertThat(order.path("timeline").valueStream().map(e -> e.path("changedStatus").asBoolean()))
			.containsExactly(true, true, true, false, true, true);
		assertThat(order.path("timeline").get(1).path("eventId").asString()).isEqualTo("pay-" + number);
		assertThat(order.path("timeline").get(1).path("recordedBy").asString()).startsWith("api-key:");

		// what the other modules hear: each fact once, in the transaction that recorded it
		OrderPaid orderPaid = events.of(OrderPaid.class, number).getFirst();
		assertThat(events.of(OrderPaid.class, number)).hasSize(1);
		assertThat(orderPaid.totalFen()).isEqualTo(23_100);
		assertThat(orderPaid.discountFen()).isEqualTo(3_000);
		assertThat(orderPaid.couponCodes()).containsExactly("MID-AUTUMN-200-30");
		assertThat(orderPaid.lines()).extracting(OrderLine::sku).containsExactly("TS-MOONCAKE-6", "TS-CARD");
		assertThat(orderPaid.customerId().toString()).isEqualTo(customer.id());
		assertThat(orderPaid.at()).isEqualTo(t0.plusSeconds(60));
		assertThat(events.of(OrderCreated.class, number)).hasSize(1);
		assertThat(events.of(OrderShipped.class, number).getFirst().trackingNumber()).isEqualTo("SF1234567890");
		assertThat(events.of(OrderDelivered.class, number)).hasSize(1);
		assertThat(events.of(OrderStatusChanged.class, number).stream().map(e -> e.previous() + ">" + e.status()))
			.containsExactly("CREATED>PAID", "PAID>SHIPPED", "SHIPPED>OUT_FOR_DELIVERY", "OUT_FOR_DELIVERY>DELIVERED");

		// and what they can read
		assertThat(orders.findByExternalId(number)).get().extracting(OrderView::status).isEqualTo(OrderStatus.DELIVERED);
		assertThat(orders.purchases(CustomerId.valueOf(customer.id()), null)).extracting(PurchaseFact::sku)
			.containsExactly("TS-MOONCAKE-6", "TS-CARD");
		assertThat(orders.ofCustomer(CustomerId.valueOf(customer.id()), 10)).hasSize(1);
	}

	@Test
	void events_arriving_out_of_order_end_where_their_own_times_say() {
		Customer customer = Customer.of(demo, "HZ-XH");
		String store = demo.node("HZ-XH");
		String number = "SO-" + UUID.randomUUID();
		Instant t0 = Instant.now().minus(Duration.ofHours(1)).truncatedTo(ChronoUnit.SECONDS);
		backend.put("/api/v1/orders/" + number,
				with(order(customer.externalId(), "HZ-XH", 29_900, "TS-EARRING-S", 1, 29_900), "placedAt", t0.toString()))
			.expect(201);
		String path = "/api/v1/orders/" + number + "/events";
		// the shipment is reported first, the payment (which happened before it) afterwards
		backend.post(path, status("SHIPPED", t0.plusSeconds(600), "carrier", "中通快递", "trackingNumber", "ZT998877"))
			.expect(201);
		JsonNode paid = backend.post(path, status("PAID", t0.plusSeconds(60))).expect(201).json();
		assertThat(paid.path("statusChanged").asBoolean()).isFalse();
		assertThat(paid.path("order").path("status").asString()).isEqualTo("SHIPPED");
		assertThat(paid.path("order").path("paidAt").asString()).isEqualTo(t0.plusSeconds(60).toString());
		assertThat(paid.path("order").path("timeline").valueStream().map(e -> e.path("status").asString()))
			.containsExactly("CREATED", "PAID", "SHIPPED");
		// the same status at the same instant under another id is the same fact
		assertThat(backend.post(path, status("PAID", t0.plusSeconds(60), "eventId", "other-id"))
			.expect(200)
			.json()
			.path("duplicate")
			.asBoolean()).isTrue();
		// coupons still hear of the payment, once
		assertThat(events.of(OrderPaid.class, number)).hasSize(1);
		assertThat(events.of(OrderPaid.class, number).getFirst().status()).isEqualTo(OrderStatus.SHIPPED);
		assertThat(events.of(OrderStatusChanged.class, number)).hasSize(1);

		// the customer got the shipping card only: the late payment moved nothing
		backend.post(path, status("DELIVERED", t0.plusSeconds(1200))).expect(201);
		await().atMost(Duration.ofSeconds(10)).until(() -> customer.orderCards(store).size() == 2);
		assertThat(customer.orderCards(store).stream().map(c -> c.path("status").asString()))
			.containsExactly("SHIPPED", "DELIVERED");
	}

	@Test
	void cancelled_and_refunded_orders_close_and_refuse_what_contradicts_them() {
		Customer customer = Customer.of(demo, "SH-NJR");
		Instant t0 = Instant.now().minus(Duration.ofHours(3)).truncatedTo(ChronoUnit.SECONDS);
		String cancelled = "SO-" + UUID.randomUUID();
		backend.put("/api/v1/orders/" + cancelled,
				with(with(order(customer.externalId(), "SH-NJR", 16_800, "TS-MOONCAKE-8", 1, 16_800), "placedAt",
						t0.toString()), "couponCodes", List.of("NEW-MEMBER")))
			.expect(201);
		String path = "/api/v1/orders/" + cancelled + "/events";
		backend.post(path, status("CANCELLED", t0.plusSeconds(600), "note", "顾客取消")).expect(201);
		assertThat(events.of(OrderCancelled.class, cancelled).getFirst().wasPaid()).isFalse();
		assertThat(events.of(OrderCancelled.class, cancelled).getFirst().couponCodes()).containsExactly("NEW-MEMBER");
		JsonNode before = backend.get("/api/v1/orders/" + cancelled).expect(200).json();

		backend.post(path, status("SHIPPED", t0.plusSeconds(1200), "carrier", "顺丰速运", "trackingNumber", "SF1"))
			.expectProblem(409, "order-closed");
		backend.post(path, status("PAID", t0.plusSeconds(1200))).expectProblem(409, "order-closed");
		backend.post(path, status("REFUNDED", t0.plusSeconds(1200))).expectProblem(409, "order-not-paid");
		// lines no longer change once the order is closed
		backend.put("/api/v1/orders/" + cancelled, order(customer.externalId(), "SH-NJR", 12_800, "TS-MOONCAKE-6", 1,
				12_800)).expectProblem(409, "order-locked");
		assertThat(backend.get("/api/v1/orders/" + cancelled).expect(200).json()).isEqualTo(before);

		String delivered = "SO-" + UUID.randomUUID();
		backend.put("/api/v1/orders/" + delivered,
				with(order(customer.externalId(), "SH-NJR", 29_900, "TS-EARRING-S", 1, 29_900), "placedAt", t0.toString()))
			.expect(201);
		String path2 = "/api/v1/orders/" + delivered + "/events";
		backend.post(path2, status("PAID", t0.plusSeconds(60))).expect(201);
		backend.post(path2, status("DELIVERED", t0.plusSeconds(3600))).expect(201);
		backend.post(path2, status("CANCELLED", t0.plusSeconds(7200))).expectProblem(409, "illegal-transition");
		backend.post(path2, status("REFUNDED", t0.plusSeconds(7200), "refundFen", 30_000))
			.expectProblem(400, "validation-failed");
		JsonNode refunded = backend.post(path2, status("REFUNDED", t0.plusSeconds(7200), "refundFen", 10_000))
			.expect(201)
			.json()
			.path("order");
		assertThat(refunded.path("status").asString()).isEqualTo("REFUNDED");
		assertThat(refunded.path("refundedFen").asLong()).isEqualTo(10_000);
		assertThat(events.of(OrderRefunded.class, delivered).getFirst().refundFen()).isEqualTo(10_000);
		backend.post(path2, status("CANCELLED", t0.plusSeconds(9000))).expectProblem(409, "order-closed");
		// a refunded order's lines are no purchase any more
		assertThat(orders.purchases(CustomerId.valueOf(customer.id()), null)).isEmpty();
	}

	@Test
	void an_unpaid_order_may_change_and_its_customer_store_and_time_may_not() {
		Customer customer = Customer.of(demo, "SH-NJR");
		Customer other = Customer.of(demo, "SH-NJR");
		String number = "SO-" + UUID.randomUUID();
		Instant t0 = Instant.now().minus(Duration.ofMinutes(30)).truncatedTo(ChronoUnit.SECONDS);
		var body = with(order(customer.externalId(), "SH-NJR", 12_800, "TS-MOONCAKE-6", 1, 12_800), "placedAt",
				t0.toString());
		backend.put("/api/v1/orders/" + number, body).expect(201);

		JsonNode changed = backend.put("/api/v1/orders/" + number,
				with(order(customer.externalId(), "SH-NJR", 26_100, "TS-MOONCAKE-6", 2, 12_800, "TS-CARD", 1, 500),
						"placedAt", t0.toString()))
			.expect(200)
			.json();
		assertThat(changed.path("totalFen").asLong()).isEqualTo(26_100);
		assertThat(changed.path("lines")).hasSize(2);
		backend.put("/api/v1/orders/" + number, order(other.externalId(), "SH-NJR", 12_800, "TS-MOONCAKE-6", 1, 12_800))
			.expectProblem(409, "order-conflict");
		backend.put("/api/v1/orders/" + number, order(customer.externalId(), "HZ-XH", 12_800, "TS-MOONCAKE-6", 1, 12_800))
			.expectProblem(409, "order-conflict");
		backend.put("/api/v1/orders/" + number, with(body, "placedAt", t0.minusSeconds(60).toString()))
			.expectProblem(409, "order-conflict");
		assertThat(backend.get("/api/v1/orders/" + number).expect(200).json().path("totalFen").asLong())
			.isEqualTo(26_100);
	}

	@Test
	void an_old_status_change_is_recorded_without_a_card() {
		Customer customer = Customer.of(demo, "GZ-TH");
		String store = demo.node("GZ-TH");
		String number = "SO-" + UUID.randomUUID();
		Instant days = Instant.now().minus(Duration.ofDays(3)).truncatedTo(ChronoUnit.SECONDS);
		backend.put("/api/v1/orders/" + number,
				with(order(customer.externalId(), "GZ-TH", 12_800, "TS-MOONCAKE-6", 1, 12_800), "placedAt", days.toString()))
			.expect(201);
		String path = "/api/v1/orders/" + number + "/events";
		// a backfill of what happened days ago: recorded, published, but not announced to the customer
		backend.post(path, status("PAID", days.plusSeconds(60))).expect(201);
		backend.post(path, status("SHIPPED", days.plus(Duration.ofDays(1)), "carrier", "京东物流", "trackingNumber", "JD77"))
			.expect(201);
		assertThat(events.of(OrderStatusChanged.class, number)).extracting(OrderStatusChanged::notifyCustomer)
			.containsExactly(false, false);
		backend.post(path, status("DELIVERED", Instant.now().minusSeconds(5))).expect(201);
		await().atMost(Duration.ofSeconds(10)).until(() -> customer.orderCards(store).size() == 1);
		assertThat(customer.orderCards(store).getFirst().path("status").asString()).isEqualTo("DELIVERED");
	}

	@Test
	void orders_are_listed_most_recent_first_within_what_the_caller_may_see() {
		Customer customer = Customer.of(demo, "SZ-GQJ");
		Instant t0 = Instant.now().minus(Duration.ofDays(1)).truncatedTo(ChronoUnit.SECONDS);
		List<String> numbers = List.of("SO-" + UUID.randomUUID(), "SO-" + UUID.randomUUID(), "SO-" + UUID.randomUUID());
		for (int i = 0; i < numbers.size(); i++) {
			backend.put("/api/v1/orders/" + numbers.get(i), with(order(customer.externalId(), "SZ-GQJ", 500, "TS-CARD", 1,
					500), "placedAt", t0.plusSeconds(60L * i).toString())).expect(201);
		}
		backend.post("/api/v1/orders/" + numbers.get(1) + "/events", status("PAID", t0.plusSeconds(600))).expect(201);

		JsonNode first = backend.get("/api/v1/orders?customerExternalId=" + customer.externalId() + "&limit=2")
			.expect(200)
			.json();
		assertThat(first.path("items").valueStream().map(o -> o.path("externalId").asString()))
			.containsExactly(numbers.get(2), numbers.get(1));
		JsonNode second = backend.get("/api/v1/orders?customerExternalId=" + customer.externalId() + "&limit=2&after="
				+ first.path("nextCursor").asString()).expect(200).json();
		assertThat(second.path("items").valueStream().map(o -> o.path("externalId").asString()))
			.containsExactly(numbers.get(0));
		assertThat(second.path("nextCursor").isNull() || second.path("nextCursor").isMissingNode()).isTrue();
		assertThat(backend.get("/api/v1/orders?customerId=" + customer.id() + "&status=PAID").expect(200).json()
			.path("items").valueStream().map(o -> o.path("externalId").asString())).containsExactly(numbers.get(1));

		// the store's clerk sees them; a clerk of another store does not, and may not ask for that store
		String storeId = demo.node("SZ-GQJ");
		assertThat(demo.staff("sz-gqj.clerk1").get("/api/v1/orders?customerId=" + customer.id()).expect(200).json()
			.path("items")).hasSize(3);
		assertThat(demo.staff("east.manager").get("/api/v1/orders?storeId=" + storeId + "&customerId=" + customer.id())
			.expect(200).json().path("items")).hasSize(3);
		assertThat(demo.staff("gz-th.clerk1").get("/api/v1/orders?customerId=" + customer.id()).expect(200).json()
			.path("items")).isEmpty();
		demo.staff("gz-th.clerk1").get("/api/v1/orders?storeId=" + storeId).expectProblem(403, "forbidden");
	}
}
