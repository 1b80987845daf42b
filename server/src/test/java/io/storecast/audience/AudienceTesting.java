package io.storecast.audience;

import static io.storecast.orders.OrderTesting.order;
import static io.storecast.orders.OrderTesting.status;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.storecast.orders.OrderTesting;
import io.storecast.support.Api;
import io.storecast.support.DemoFixture;
import tools.jackson.databind.JsonNode;

/** Fixtures for the audience tests: customers with their ids, paid orders, profiles, conditions as JSON. */
final class AudienceTesting {

	static final String EARRING_SKU = "TS-EARRING-S";
	static final long EARRING_FEN = 29_900;
	static final String MOONCAKE_SKU = "TS-MOONCAKE-6";
	static final long MOONCAKE_FEN = 12_800;

	private AudienceTesting() {
	}

	/** A customer created through the token API, with their own client. */
	record Customer(Api api, String id, String externalId) {

		static Customer of(DemoFixture demo, String store) {
			OrderTesting.Customer c = OrderTesting.Customer.of(demo, store);
			return new Customer(c.api(), c.id(), c.externalId());
		}
	}

	/** Records an order of one line and its payment; returns the order number. */
	static String paidOrder(Api backend, Customer customer, String store, String sku, int quantity, long unitFen) {
		String number = "AU-" + UUID.randomUUID();
		Instant placed = Instant.now().minus(Duration.ofMinutes(30)).truncatedTo(ChronoUnit.SECONDS);
		backend.put("/api/v1/orders/" + number,
				OrderTesting.with(order(customer.externalId(), store, quantity * unitFen, sku, quantity, unitFen), "placedAt",
						placed.toString()))
			.expect(201);
		backend.post("/api/v1/orders/" + number + "/events", status("PAID", placed.plusSeconds(60))).expect(201);
		return number;
	}

	static void cancel(Api backend, String number) {
		backend.post("/api/v1/orders/" + number + "/events", status("CANCELLED", Instant.now().minusSeconds(5))).expect(201);
	}

	static JsonNode profile(Api api, String customerId) {
		return api.get("/api/v1/audience/customers/" + customerId).expect(200).json().path("profile");
	}

	static List<String> tags(Api api, String customerId) {
		return profile(api, customerId).path("tags").valueStream().map(JsonNode::asString).toList();
	}

	static Map<String, Object> leaf(String field, String op, Object value) {
		return Map.of("field", field, "op", op, "value", value);
	}

	static Map<String, Object> all(Object... items) {
		return Map.of("all", List.of(items));
	}

	static Map<String, Object> any(Object... items) {
		return Map.of("any", List.of(items));
	}
}
