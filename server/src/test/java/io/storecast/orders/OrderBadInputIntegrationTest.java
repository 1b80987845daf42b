package io.storecast.orders;

import static io.storecast.orders.OrderTesting.order;
import static io.storecast.orders.OrderTesting.status;
import static io.storecast.orders.OrderTesting.with;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;

import io.storecast.orders.OrderTesting.Customer;
import io.storecast.support.Api;
import io.storecast.support.DemoFixture;
import tools.jackson.databind.JsonNode;

/** Bad orders, bad status events and callers who may not: each gets a clear answer and changes nothing. */
@OrdersIntegrationTest
class OrderBadInputIntegrationTest {

	@LocalServerPort
	int port;

	@Autowired
	JdbcClient jdbc;

	@Autowired
	OrderEvents events;

	DemoFixture demo;
	Api backend;
	Customer customer;

	@BeforeEach
	void setUp() {
		demo = new DemoFixture(port);
		OrderTesting.ensureSkus(demo);
		backend = demo.anonymous.as(demo.apiKey("shop backend", "orders:write"));
		customer = Customer.of(demo, "SH-NJR");
	}

	@Test
	void a_bad_order_is_refused_naming_the_field_and_nothing_is_recorded() {
		String number = "SO-" + UUID.randomUUID();
		String url = "/api/v1/orders/" + number;
		var good = order(customer.externalId(), "SH-NJR", 26_100, "TS-MOONCAKE-6", 2, 12_800, "TS-CARD", 1, 500);

		var unknownSku = order(customer.externalId(), "SH-NJR", 26_100, "TS-MOONCAKE-6", 1, 12_800, "TS-CARD", 1, 500,
				"NO-SUCH-SKU", 1, 12_800);
		assertThat(backend.put(url, unknownSku).expectProblem(400, "unknown-sku").errorFields())
			.containsExactly("lines[2].sku");
		backend.put(url, with(good, "storeCode", "NOWHERE")).expectProblem(400, "unknown-store");
		var byRegion = with(good, "storeCode", null);
		assertThat(backend.put(url, with(byRegion, "storeId", demo.node("EAST"))).expectProblem(400, "not-a-store")
			.errorFields()).containsExactly("storeId");
		backend.put(url, with(byRegion, "storeId", UUID.randomUUID().toString())).expectProblem(400, "unknown-store");
		backend.put(url, with(good, "storeId", demo.node("SH-NJR"))).expectProblem(400, "validation-failed");
		assertThat(backend.put(url, with(good, "customerExternalId", "nobody-" + UUID.randomUUID()))
			.expectProblem(400, "unknown-customer")
			.errorFields()).containsExactly("customerExternalId");

		var negative = order(customer.externalId(), "SH-NJR", 12_800, "TS-MOONCAKE-6", -1, 12_800, "TS-CARD", 0, -500);
		assertThat(backend.put(url, negative).expectProblem(400, "validation-failed").errorFields())
			.containsExactlyInAnyOrder("lines[0].quantity", "lines[1].quantity", "lines[1].unitPriceFen");
		assertThat(backend.put(url, with(with(good, "discountFen", -1), "shippingFen", -1))
			.expectProblem(400, "validation-failed").errorFields()).containsExactlyInAnyOrder("discountFen", "shippingFen");
		assertThat(backend.put(url, with(good, "totalFen", 26_000)).expectProblem(400, "total-mismatch").errorFields())
			.containsExactly("totalFen");
		assertThat(backend.put(url, with(with(good, "discountFen", 30_000), "totalFen", 0))
			.expectProblem(400, "validation-failed").errorFields()).containsExactly("discountFen");
		assertThat(backend.put(url, with(good, "totalFen", -1)).expectProblem(400, "validation-failed").errorFields())
			.containsExactly("totalFen");
		assertThat(backend.put(url, with(good, "lines", List.of())).expectProblem(400, "validation-failed").errorFields())
			.containsExactly("lines");
		assertThat(backend.put(url, with(good, "couponCodes", List.of("OK-1", "OK-1", "空格 no")))
			.expectProblem(400, "validation-failed").errorFields()).containsExactly("couponCodes[1]", "couponCodes[2]");
		assertThat(backend.put(url, with(good, "placedAt", Instant.now().plus(Duration.ofHours(1)).toString()))
			.expectProblem(400, "validation-failed").errorFields()).containsExactly("placedAt");
		assertThat(backend.put(url, with(good, "currency", "rmb")).expectProblem(400, "validation-failed").errorFields())
			.containsExactly("currency");
		backend.put(url, with(good, "colour", "red")).expectProblem(400, "unknown-field");
		backend.put(url, with(good, "totalFen", "lots")).expectProblem(400, "invalid-value");
		backend.raw("PUT", url, "application/json", "{\"lines\": [".getBytes(StandardCharsets.UTF_8))
			.expectProblem(400, "malformed-body");
		backend.put("/api/v1/orders/bad%20number!", good).expectProblem(400, "invalid-external-id");

		backend.get(url).expectProblem(404, "not-found");
		assertThat(events.about(number)).isEmpty();
		// and the good one goes through
		backend.put(url, good).expect(201);
	}

	@Test
	void a_bad_status_event_is_refused_and_the_timeline_stays_as_it_was() {
		String number = "SO-" + UUID.randomUUID();
		Instant t0 = Instant.now().minus(Duration.ofHours(1)).truncatedTo(ChronoUnit.SECONDS);
		backend.put("/api/v1/orders/" + number, with(order(customer.externalId(), "SH-NJR", 500, "TS-CARD", 1, 500),
				"placedAt", t0.toString())).expect(201);
		String path = "/api/v1/orders/" + number + "/events";
		JsonNode before = backend.get("/api/v1/orders/" + number).expect(200).json();

		assertThat(backend.post(path, status("SHIPPED", t0.plusSeconds(60))).expectProblem(400, "validation-failed")
			.errorFields()).containsExactlyInAnyOrder("carrier", "trackingNumber");
		backend.post(path, status("CREATED", t0.plusSeconds(60))).expectProblem(400, "validation-failed");
		backend.post(path, status("LOST", t0.plusSeconds(60))).expectProblem(400, "invalid-value");
		backend.post(path, Map.of("status", "PAID")).expectProblem(400, "validation-failed");
		backend.post(path, status("PAID", Instant.now().plus(Duration.ofHours(1)))).expectProblem(400, "validation-failed");
		backend.post(path, status("PAID", t0.plusSeconds(60), "refundFen", 100)).expectProblem(400, "validation-failed");
		backend.post(path, status("PAID", t0.plusSeconds(60), "carrier", "顺丰速运")).expectProblem(400, "validation-failed");
		backend.post(path, status("SHIPPED", t0.plusSeconds(60), "carrier", "顺丰速运", "trackingNumber", "SF1",
				"expectedDelivery", "next tuesday")).expectProblem(400, "validation-failed");
		backend.post(path, status("PAID", t0.plusSeconds(60), "eventId", "has spaces")).expectProblem(400,
				"validation-failed");
		backend.header("Idempotency-Key", "key-a")
			.post(path, status("PAID", t0.plusSeconds(60), "eventId", "key-b"))
			.expectProblem(400, "event-id-mismatch");
		backend.post("/api/v1/orders/SO-NO-SUCH-" + UUID.randomUUID() + "/events", status("PAID", t0.plusSeconds(60)))
			.expectProblem(404, "not-found");
		backend.post(path, status("REFUNDED", t0.plusSeconds(60))).expectProblem(409, "order-not-paid");

		assertThat(backend.get("/api/v1/orders/" + number).expect(200).json()).isEqualTo(before);
		assertThat(events.of(OrderStatusChanged.class, number)).isEmpty();
	}

	@Test
	void only_the_merchants_systems_record_orders_and_only_staff_of_the_store_read_them() {
		String number = "SO-" + UUID.randomUUID();
		String url = "/api/v1/orders/" + number;
		var body = order(customer.externalId(), "SH-NJR", 500, "TS-CARD", 1, 500);
		Api readOnly = demo.anonymous.as(demo.apiKey("reporting", "orders:read"));
		Api noScope = demo.anonymous.as(demo.apiKey("crm", "customers:read"));

		demo.anonymous.put(url, body).expectProblem(401, "unauthenticated");
		customer.api().put(url, body).expectProblem(403, "forbidden");
		readOnly.put(url, body).expectProblem(403, "forbidden");
		noScope.put(url, body).expectProblem(403, "forbidden");
		demo.staff("sh-njr.manager").put(url, body).expectProblem(403, "forbidden");
		demo.staff("sh-njr.clerk1").put(url, body).expectProblem(403, "forbidden");
		demo.owner.get(url).expectProblem(404, "not-found");
		assertThat(events.about(number)).isEmpty();

		backend.put(url, body).expect(201);
		String path = url + "/events";
		var paid = status("PAID", Instant.now().minusSeconds(30));
		customer.api().post(path, paid).expectProblem(403, "forbidden");
		readOnly.post(path, paid).expectProblem(403, "forbidden");
		demo.staff("sh-njr.clerk1").post(path, paid).expectProblem(403, "forbidden");
		assertThat(backend.get(url).expect(200).json().path("status").asString()).isEqualTo("CREATED");

		readOnly.get(url).expect(200);
		demo.staff("sh-njr.clerk1").get(url).expect(200);
		demo.staff("east.manager").get(url).expect(200);
		demo.staff("hq.marketer").get(url).expect(200);
		demo.staff("hz-xh.clerk1").get(url).expectProblem(403, "forbidden");
		demo.staff("south.manager").get(url).expectProblem(403, "forbidden");
		noScope.get(url).expectProblem(403, "forbidden");
		customer.api().get(url).expectProblem(403, "forbidden");
		customer.api().get("/api/v1/orders").expectProblem(403, "forbidden");
		noScope.get("/api/v1/orders").expectProblem(403, "forbidden");
		backend.get("/api/v1/orders?limit=0").expectProblem(400, "invalid-limit");
		backend.get("/api/v1/orders?status=LOST").expectProblem(400, "invalid-value");
		// the owner records orders too (as the merchant's systems would)
		demo.owner.post(path, paid).expect(201);
	}
}
