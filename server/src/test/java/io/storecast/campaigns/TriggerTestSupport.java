package io.storecast.campaigns;

import java.time.Instant;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;

import io.storecast.orders.OrderTesting;
import io.storecast.support.Api;
import io.storecast.support.DemoFixture;

/** What the trigger tests share: the demo merchant, the catalog's test SKUs and a backend that mints tokens and records orders. */
abstract class TriggerTestSupport {

	@LocalServerPort
	int port;

	@Autowired
	JdbcClient jdbc;

	DemoFixture demo;
	Api backend;

	@BeforeEach
	void setUpTriggers() {
		demo = new DemoFixture(port);
		OrderTesting.ensureSkus(demo);
		backend = demo.anonymous.as(demo.apiKey("trigger backend", "customers:token", "orders:write"));
	}

	/** A paid order of one pair of earrings (耳饰) at the store; its number. */
	String paidEarrings(TriggerTesting.Customer customer, TriggerTesting.Store store, Instant paidAt) {
		String number = "TRG-" + UUID.randomUUID();
		backend.put("/api/v1/orders/" + number, OrderTesting.with(OrderTesting.order(customer.externalId(), store.code(),
				29_900, "TS-EARRING-S", 1, 29_900), "placedAt", paidAt.minusSeconds(60).toString())).expect(201);
		backend.post("/api/v1/orders/" + number + "/events", OrderTesting.status("PAID", paidAt)).expect(201);
		return number;
	}

	/** A customer of the store for whom it is noon now (no quiet hours in the way). */
	TriggerTesting.Customer atNoon(TriggerTesting.Store store, String nickname) {
		TriggerTesting.Customer customer = TriggerTesting.Customer.of(demo, backend, store, nickname);
		customer.localHour(demo, 12);
		return customer;
	}

	/** Whether every publication of the event type (a simple class name) has been handled. */
	boolean handled(String eventType) {
		return jdbc.sql("SELECT count(*) FROM event_publication WHERE event_type LIKE ? AND completion_date IS NULL")
			.param("%." + eventType)
			.query(Long.class)
			.single() == 0;
	}
}
