package io.storecast.delivery.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;

import io.storecast.audience.Channel;
import io.storecast.orders.OrderTesting;
import io.storecast.support.DemoFixture;
import io.storecast.support.StorecastIntegrationTest;
import tools.jackson.databind.JsonNode;

/**
 * Bulk messages (a campaign's, or a request that says {@code "bulk": true}) are leased after every
 * other due message of their channel, however long they have waited: an order's notice does not
 * queue behind a campaign's backlog. The requests are due tomorrow, so the running workers leave
 * them alone and the test leases them itself, as a worker would the day after.
 */
@StorecastIntegrationTest
class DeliveryLanesIntegrationTest {

	private static final String SOURCE = "lanes-test";

	@LocalServerPort
	int port;

	@Autowired
	JdbcClient jdbc;

	@Autowired
	Outbox outbox;

	DemoFixture demo;

	@BeforeEach
	void setUp() {
		demo = new DemoFixture(port);
	}

	@AfterEach
	void tearDown() {
		OutboxTesting.forget(jdbc, SOURCE);
	}

	@Test
	void a_message_that_is_not_bulk_is_leased_before_bulk_ones_due_earlier() {
		OrderTesting.Customer customer = OrderTesting.Customer.of(demo, "SH-NJR");
		String store = demo.node("SH-NJR");
		Instant tomorrow = Instant.now().plus(Duration.ofDays(1));
		List<Object> requests = new ArrayList<>();
		for (int i = 0; i < 3; i++) {
			requests.add(request("bulk-" + i, customer.id(), store, tomorrow.plusSeconds(i), true, "中秋礼盒满200减30"));
		}
		// due an hour after the campaign's, and leased first
		requests.add(request("order", customer.id(), store, tomorrow.plusSeconds(3600), false, "您的订单已发货"));
		requests.add(request("plain", customer.id(), store, tomorrow.plusSeconds(3), null, "未说明的请求不是批量"));
		JsonNode ids = demo.owner.post("/api/v1/deliveries", Map.of("requests", requests)).expect(202).json().path("ids");
		assertThat(ids.size()).isEqualTo(5);
		// the view says which lane each is in
		assertThat(ids.valueStream().map(id -> demo.owner.get("/api/v1/deliveries/" + id.asString()).expect(200).json())
			.map(v -> v.path("key").asString() + ":" + v.path("bulk").asBoolean()))
			.containsExactly("bulk-0:true", "bulk-1:true", "bulk-2:true", "order:false", "plain:false");
		assertThat(jdbc.sql("SELECT request_key FROM delivery_messages m JOIN delivery_attempts a ON a.delivery_id = m.id "
				+ "WHERE m.source = ? AND m.bulk AND a.bulk ORDER BY request_key").param(SOURCE).query(String.class).list())
			.containsExactly("bulk-0", "bulk-1", "bulk-2");

		Instant dayAfter = tomorrow.plus(Duration.ofDays(1));
		List<String> leased = new ArrayList<>();
		List<Long> attempts = new ArrayList<>();
		// one at a time, as a worker takes them; other tests' attempts queued for later are taken too, and put back
		try {
			for (int i = 0; i < 1_000 && leased.size() < 5; i++) {
				List<Outbox.Claimed> one = outbox.claim(Channel.IN_APP, 1, 1, dayAfter, dayAfter.plusSeconds(60));
				if (one.isEmpty()) {
					break;
				}
				one.forEach(c -> {
					attempts.add(c.id());
					if (c.message().source().equals(SOURCE)) {
						leased.add(c.message().key());
					}
				});
			}
		}
		finally {
			outbox.release(attempts, Instant.now());
		}
		// not bulk first, by due time (a request that does not say is not bulk), then the bulk ones by due time
		assertThat(leased).containsExactly("plain", "order", "bulk-0", "bulk-1", "bulk-2");
	}

	@Test
	void bulk_must_be_a_boolean_and_a_bad_one_stores_nothing() {
		OrderTesting.Customer customer = OrderTesting.Customer.of(demo, "SH-NJR");
		String store = demo.node("SH-NJR");
		Map<String, Object> bad = new java.util.HashMap<>(request("bad", customer.id(), store, null, true, "文本"));
		bad.put("bulk", "yes");
		demo.owner.post("/api/v1/deliveries", Map.of("requests", List.of(bad))).expect(400);
		assertThat(jdbc.sql("SELECT count(*) FROM delivery_messages WHERE source = ?").param(SOURCE).query(Long.class).single())
			.isZero();
	}

	private static Map<String, Object> request(String key, String customerId, String storeId, Instant notBefore,
			Boolean bulk, String text) {
		Map<String, Object> r = new java.util.HashMap<>(Map.of("source", SOURCE, "key", key, "customerId", customerId,
				"storeId", storeId, "purpose", "TRANSACTIONAL", "route", List.of(Map.of("channel", "IN_APP")), "content",
				Map.of("text", text)));
		if (notBefore != null) {
			r.put("notBefore", notBefore.toString());
		}
		if (bulk != null) {
			r.put("bulk", bulk);
		}
		return r;
	}
}
