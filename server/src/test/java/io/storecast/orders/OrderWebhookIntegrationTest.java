package io.storecast.orders;

import static io.storecast.orders.OrderTesting.order;
import static io.storecast.orders.OrderTesting.with;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;

import io.storecast.orders.OrderTesting.Customer;
import io.storecast.orders.OrderTesting.Webhook;
import io.storecast.support.Api;
import io.storecast.support.DemoFixture;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The signed inbound webhook: signed deliveries record orders once; anything unsigned, stale or altered changes nothing. */
@OrdersIntegrationTest
class OrderWebhookIntegrationTest {

	static final JsonMapper JSON = JsonMapper.builder().build();

	@LocalServerPort
	int port;

	@Autowired
	JdbcClient jdbc;

	@Autowired
	OrderEvents events;

	DemoFixture demo;
	Webhook webhook;
	Customer customer;

	@BeforeEach
	void setUp() {
		demo = new DemoFixture(port);
		OrderTesting.ensureSkus(demo);
		webhook = new Webhook(port);
		customer = Customer.of(demo, "SH-NJR");
	}

	@Test
	void signed_deliveries_record_the_order_and_its_status_and_a_replay_is_a_no_op() {
		String number = "WO-" + UUID.randomUUID();
		Instant t0 = Instant.now().minus(Duration.ofMinutes(20)).truncatedTo(ChronoUnit.SECONDS);
		String upsert = envelope("evt-" + UUID.randomUUID(), "order.upsert", t0,
				with(with(order(customer.externalId(), "SH-NJR", 29_900, "TS-EARRING-S", 1, 29_900), "externalId", number),
						"placedAt", t0.toString()));
		JsonNode created = webhook.send(upsert).expect(200).json();
		assertThat(created.path("duplicate").asBoolean()).isFalse();
		assertThat(created.path("changed").asBoolean()).isTrue();
		assertThat(created.path("orderExternalId").asString()).isEqualTo(number);
		assertThat(created.path("orderStatus").asString()).isEqualTo("CREATED");

		String paidId = "evt-" + UUID.randomUUID();
		String paid = envelope(paidId, "order.status", t0.plusSeconds(60), Map.of("externalId", number, "status", "PAID"));
		JsonNode first = webhook.send(paid).expect(200).json();
		assertThat(first.path("changed").asBoolean()).isTrue();
		assertThat(first.path("orderStatus").asString()).isEqualTo("PAID");
		// the sender retries (a timeout on its side): signed again, same event id, nothing happens
		JsonNode again = webhook.send(paid).expect(200).json();
		assertThat(again.path("duplicate").asBoolean()).isTrue();
		assertThat(again.path("changed").asBoolean()).isFalse();
		assertThat(again.path("orderStatus").asString()).isEqualTo("PAID");
		JsonNode upsertAgain = webhook.send(upsert).expect(200).json();
		assertThat(upsertAgain.path("duplicate").asBoolean()).isTrue();

		Api backend = demo.anonymous.as(demo.apiKey("reader", "orders:read"));
		JsonNode order = backend.get("/api/v1/orders/" + number).expect(200).json();
		assertThat(order.path("source").asString()).isEqualTo("WEBHOOK");
		assertThat(order.path("timeline")).hasSize(2);
		assertThat(order.path("timeline").get(1).path("eventId").asString()).isEqualTo(paidId);
		assertThat(order.path("timeline").get(1).path("occurredAt").asString()).isEqualTo(t0.plusSeconds(60).toString());
		assertThat(order.path("timeline").get(1).path("recordedBy").asString()).isEqualTo("webhook");
		assertThat(events.of(OrderPaid.class, number)).hasSize(1);

		// the event id in the header, the shipment's details in data
		String shipId = "evt-" + UUID.randomUUID();
		String shipped = envelope(null, "order.status", null, Map.of("externalId", number, "status", "SHIPPED",
				"occurredAt", t0.plusSeconds(600).toString(), "carrier", "顺丰速运", "trackingNumber", "SF5566"));
		long ts = Instant.now().getEpochSecond();
		webhook.send(shipped, Map.of("X-Storecast-Timestamp", Long.toString(ts), "X-Storecast-Signature",
				Webhook.sign(OrderTesting.WEBHOOK_SECRET, ts, shipped), "X-Storecast-Event-Id", shipId)).expect(200);

		String store = demo.node("SH-NJR");
		await().atMost(Duration.ofSeconds(10)).until(() -> customer.orderCards(store).size() == 2);
		assertThat(customer.orderCards(store).stream().map(c -> c.path("status").asString()))
			.containsExactly("PAID", "SHIPPED");
	}

	@Test
	void unsigned_stale_or_altered_deliveries_are_refused_and_change_nothing() {
		String number = "WO-" + UUID.randomUUID();
		String eventId = "evt-" + UUID.randomUUID();
		String body = envelope(eventId, "order.upsert", Instant.now(),
				with(order(customer.externalId(), "SH-NJR", 500, "TS-CARD", 1, 500), "externalId", number));
		long now = Instant.now().getEpochSecond();
		String good = Webhook.sign(OrderTesting.WEBHOOK_SECRET, now, body);

		webhook.send(body, Map.of()).expectProblem(401, "webhook-signature-missing");
		webhook.send(body, Map.of("X-Storecast-Signature", good)).expectProblem(401, "webhook-signature-missing");
		webhook.send(body, Map.of("X-Storecast-Timestamp", Long.toString(now))).expectProblem(401,
				"webhook-signature-missing");
		webhook.send(body, headers(Long.toString(now), Webhook.sign("someone-elses-secret-0123456789", now, body)))
			.expectProblem(401, "webhook-signature-invalid");
		// the body changed after signing (a total raised in transit)
		webhook.send(body.replace("\"totalFen\":500", "\"totalFen\":50000"), headers(Long.toString(now), good))
			.expectProblem(401, "webhook-signature-invalid");
		webhook.send(body + " ", headers(Long.toString(now), good)).expectProblem(401, "webhook-signature-invalid");
		// a captured delivery replayed later with its timestamp changed
		webhook.send(body, headers(Long.toString(now + 1), good)).expectProblem(401, "webhook-signature-invalid");
		long stale = now - 6 * 60;
		webhook.send(body, headers(Long.toString(stale), Webhook.sign(OrderTesting.WEBHOOK_SECRET, stale, body)))
			.expectProblem(401, "webhook-timestamp-expired");
		long ahead = now + 6 * 60;
		webhook.send(body, headers(Long.toString(ahead), Webhook.sign(OrderTesting.WEBHOOK_SECRET, ahead, body)))
			.expectProblem(401, "webhook-timestamp-expired");
		webhook.send(body, headers(Long.toString(now * 1000), Webhook.sign(OrderTesting.WEBHOOK_SECRET, now * 1000, body)))
			.expectProblem(401, "webhook-timestamp-expired");
		webhook.send(body, headers("yesterday", good)).expectProblem(401, "webhook-timestamp-invalid");
		// a bearer token is no way around the signature
		Api owner = demo.owner;
		owner.post(OrderTesting.WEBHOOK, body).expectProblem(401, "webhook-signature-missing");

		demo.owner.get("/api/v1/orders/" + number).expectProblem(404, "not-found");
		assertThat(events.about(number)).isEmpty();
		// the refused attempts did not use up the event id
		assertThat(webhook.send(body).expect(200).json().path("duplicate").asBoolean()).isFalse();
		demo.owner.get("/api/v1/orders/" + number).expect(200);
	}

	@Test
	void a_signed_but_bad_delivery_is_refused_naming_the_field_and_may_be_sent_again_fixed() {
		String number = "WO-" + UUID.randomUUID();
		String eventId = "evt-" + UUID.randomUUID();
		var data = with(order(customer.externalId(), "SH-NJR", 500, "TS-CARD", 1, 500), "externalId", number);

		webhook.send("{\"eventId\": ").expectProblem(400, "malformed-body");
		webhook.send("[]").expectProblem(400, "malformed-body");
		webhook.send(envelope(eventId, "order.deleted", null, data)).expectProblem(400, "unknown-event-type");
		assertThat(webhook.send(envelope(null, "order.upsert", null, data)).expectProblem(400, "validation-failed")
			.errorFields()).containsExactly("eventId");
		assertThat(webhook.send(envelope(eventId, "order.upsert", null, with(data, "externalId", null)))
			.expectProblem(400, "validation-failed").errorFields()).containsExactly("data.externalId");
		webhook.send(envelope(eventId, "order.upsert", null, data).replace("{\"eventId\"", "{\"extra\":1,\"eventId\""))
			.expectProblem(400, "unknown-field");
		String mismatched = envelope(eventId, "order.upsert", null, data);
		long now = Instant.now().getEpochSecond();
		webhook.send(mismatched, Map.of("X-Storecast-Timestamp", Long.toString(now), "X-Storecast-Signature",
				Webhook.sign(OrderTesting.WEBHOOK_SECRET, now, mismatched), "X-Storecast-Event-Id", "evt-other"))
			.expectProblem(400, "event-id-mismatch");
		assertThat(webhook.send(envelope(eventId, "order.upsert", null,
				with(data, "lines", java.util.List.of(Map.of("sku", "NO-SUCH-SKU", "quantity", 1, "unitPriceFen", 500)))))
			.expectProblem(400, "unknown-sku").errorFields()).containsExactly("data.lines[0].sku");
		assertThat(webhook.send(envelope(eventId, "order.upsert", null, with(data, "totalFen", 400)))
			.expectProblem(400, "total-mismatch").errorFields()).containsExactly("data.totalFen");
		assertThat(webhook.send(envelope(eventId, "order.upsert", null,
				with(data, "lines", java.util.List.of(Map.of("sku", "TS-CARD", "quantity", -2, "unitPriceFen", 500)))))
			.expectProblem(400, "validation-failed").errorFields()).containsExactly("data.lines[0].quantity");
		assertThat(webhook.send(envelope(eventId, "order.upsert", null, with(data, "quantity", 2)))
			.expectProblem(400, "unknown-field").errorFields()).containsExactly("data.quantity");
		assertThat(webhook.send(envelope(eventId, "order.upsert", null, with(data, "customerExternalId", "ghost-1")))
			.expectProblem(400, "unknown-customer").errorFields()).containsExactly("data.customerExternalId");
		webhook.send(envelope("evt-" + UUID.randomUUID(), "order.status", Instant.now(),
				Map.of("externalId", number, "status", "PAID"))).expectProblem(404, "not-found");

		demo.owner.get("/api/v1/orders/" + number).expectProblem(404, "not-found");
		// the sender fixes the delivery and sends it again under the same event id
		webhook.send(envelope(eventId, "order.upsert", null, data)).expect(200);
		String cancel = envelope("evt-" + UUID.randomUUID(), "order.status", Instant.now().minusSeconds(5),
				Map.of("externalId", number, "status", "CANCELLED"));
		webhook.send(cancel).expect(200);
		String ship = envelope("evt-" + UUID.randomUUID(), "order.status", Instant.now(), Map.of("externalId", number,
				"status", "SHIPPED", "carrier", "顺丰速运", "trackingNumber", "SF1"));
		webhook.send(ship).expectProblem(409, "order-closed");
		assertThat(demo.owner.get("/api/v1/orders/" + number).expect(200).json().path("status").asString())
			.isEqualTo("CANCELLED");
	}

	@Test
	void the_api_description_shows_the_order_endpoints_and_a_webhook_without_a_token() {
		JsonNode paths = demo.anonymous.get("/v3/api-docs").expect(200).json().path("paths");
		assertThat(paths.has("/api/v1/orders")).isTrue();
		assertThat(paths.path("/api/v1/orders/{externalId}").has("put")).isTrue();
		assertThat(paths.has("/api/v1/orders/{externalId}/events")).isTrue();
		JsonNode hook = paths.path("/api/v1/webhooks/inbound/orders").path("post");
		assertThat(hook.isObject()).isTrue();
		assertThat(hook.path("security").isArray()).isTrue();
		assertThat(hook.path("security")).isEmpty();
	}

	private static Map<String, String> headers(String timestamp, String signature) {
		return Map.of("X-Storecast-Timestamp", timestamp, "X-Storecast-Signature", signature);
	}

	/** A compact envelope; absent parts are left out. */
	private static String envelope(String eventId, String type, Instant occurredAt, Map<String, Object> data) {
		Map<String, Object> envelope = new LinkedHashMap<>();
		if (eventId != null) {
			envelope.put("eventId", eventId);
		}
		envelope.put("type", type);
		if (occurredAt != null) {
			envelope.put("occurredAt", occurredAt.toString());
		}
		Map<String, Object> cleaned = new LinkedHashMap<>();
		data.forEach((k, v) -> {
			if (v != null) {
				cleaned.put(k, v);
			}
		});
		envelope.put("data", cleaned);
		return JSON.writeValueAsString(envelope);
	}
}
