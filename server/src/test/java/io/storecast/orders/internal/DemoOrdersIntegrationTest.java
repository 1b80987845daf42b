package io.storecast.orders.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;

import io.storecast.identity.CustomerId;
import io.storecast.identity.DemoMerchantLoaded;
import io.storecast.identity.OrgDirectory;
import io.storecast.identity.OrgNode;
import io.storecast.identity.OrgNodeId;
import io.storecast.orders.OrderEvents;
import io.storecast.orders.OrderSource;
import io.storecast.orders.OrderStatus;
import io.storecast.orders.OrderTesting;
import io.storecast.orders.OrderView;
import io.storecast.orders.Orders;
import io.storecast.orders.OrdersIntegrationTest;
import io.storecast.support.DemoFixture;
import tools.jackson.databind.JsonNode;

/**
 * The demo merchant's order history. Without the catalog's demo products the listener found no SKUs
 * when the demo loaded, so the test puts SKUs in the catalog and runs it again, as it runs then.
 */
@OrdersIntegrationTest
class DemoOrdersIntegrationTest {

	@LocalServerPort
	int port;

	@Autowired
	JdbcClient jdbc;

	@Autowired
	DemoOrders demoOrders;

	@Autowired
	StoredOrders stored;

	@Autowired
	Orders orders;

	@Autowired
	OrgDirectory org;

	@Autowired
	OrderEvents events;

	@Test
	void the_demo_merchant_gets_six_months_of_history_without_a_single_card() {
		DemoFixture demo = new DemoFixture(port);
		OrderTesting.ensureSkus(demo);
		List<CustomerId> customers = new ArrayList<>();
		for (JsonNode c : demo.owner.get("/api/v1/customers?limit=200").expect(200).json().path("items")) {
			customers.add(CustomerId.valueOf(c.path("id").asString()));
		}
		List<OrgNodeId> stores = org.storesUnder(org.headOffice().id()).stream().map(OrgNode::id).toList();
		DemoMerchantLoaded loaded = new DemoMerchantLoaded(org.headOffice().id(), stores, customers);

		// the demo load at start wrote them (after the demo catalog): loading again writes nothing more
		assertThat(demoOrders.load(loaded)).as("loading twice writes nothing more").isZero();

		List<OrderView> history = new ArrayList<>();
		for (int i = 1; i <= DemoOrders.ORDERS; i++) {
			history.add(orders.findByExternalId(String.format("DEMO-%06d", i)).orElseThrow());
		}
		Instant now = Instant.now();
		assertThat(history).allSatisfy(o -> {
			assertThat(o.source()).isEqualTo(OrderSource.DEMO);
			assertThat(o.placedAt()).isBetween(now.minus(Duration.ofDays(181)), now);
			assertThat(o.totalFen()).isEqualTo(o.subtotalFen() - o.discountFen() + o.shippingFen());
			assertThat(stores).contains(o.storeId());
			assertThat(customers).contains(o.customerId());
			// what is stored is what the timeline says
			assertThat(Timeline.replay(o.placedAt(), o.totalFen(), o.timeline()).status()).isEqualTo(o.status());
		});
		Map<OrderStatus, Long> byStatus = history.stream()
			.collect(Collectors.groupingBy(OrderView::status, Collectors.counting()));
		assertThat(byStatus.getOrDefault(OrderStatus.DELIVERED, 0L)).isGreaterThan(200);
		assertThat(byStatus).containsKeys(OrderStatus.CANCELLED, OrderStatus.REFUNDED);
		assertThat(history.stream().map(OrderView::customerId).distinct().count()).isGreaterThan(100);
		assertThat(history.stream().map(OrderView::storeId).distinct().count()).isEqualTo(stores.size());
		assertThat(history.stream().filter(o -> o.status() == OrderStatus.SHIPPED || o.status() == OrderStatus.DELIVERED)
			.allMatch(o -> o.carrier() != null && o.trackingNumber() != null)).isTrue();

		// imported history: no events, so no order cards and nothing counted again by other modules
		assertThat(history).allSatisfy(o -> assertThat(events.about(o.externalId())).isEmpty());
		// but its purchases are there to be read
		OrderView delivered = history.stream().filter(o -> o.status() == OrderStatus.DELIVERED).findFirst().orElseThrow();
		assertThat(orders.purchases(delivered.customerId(), null)).isNotEmpty();
		assertThat(stored.count()).isGreaterThanOrEqualTo(DemoOrders.ORDERS);
	}
}
