package io.storecast.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;

import io.storecast.support.Api;
import io.storecast.support.DemoFixture;
import io.storecast.support.StorecastIntegrationTest;
import tools.jackson.databind.JsonNode;

/** What the stock tests share: a demo fixture, adjustments, levels and the stock rooms' cards. */
abstract class StockTestSupport {

	@LocalServerPort
	int port;

	@Autowired
	JdbcClient jdbc;

	DemoFixture demo;
	Api stockKey;

	@BeforeEach
	void setUp() {
		demo = new DemoFixture(port);
		stockKey = demo.anonymous.as(demo.apiKey("pos", "stock:write"));
	}

	/** A new product with one SKU (threshold 5), and {@code units} received at each named store. */
	String newSku(String id, long units, String... stores) {
		demo.owner.put("/api/v1/catalog/products/" + id, Map.of("name", "测试商品 " + id, "skus",
				List.of(Map.of("externalId", id + "-A", "priceFen", 9900, "lowStockThreshold", 5)))).expect(201);
		for (String store : stores) {
			adjust(stockKey, store, id + "-A", "RECEIPT", units, UUID.randomUUID().toString()).expect(201);
		}
		return id + "-A";
	}

	Api.Response adjust(Api api, String store, String sku, String reason, long delta, String key) {
		Map<String, Object> body = reason.equals("COUNT")
				? Map.of("storeId", demo.node(store), "sku", sku, "reason", reason, "quantity", delta)
				: Map.of("storeId", demo.node(store), "sku", sku, "reason", reason, "delta", delta);
		return api.header("Idempotency-Key", key).post("/api/v1/catalog/stock/adjustments", body);
	}

	long level(String store, String sku) {
		return demo.owner.get("/api/v1/catalog/stock?storeId=" + demo.node(store) + "&sku=" + sku)
			.expect(200)
			.json()
			.path("items")
			.get(0)
			.path("onHand")
			.asLong();
	}

	long ledgerSum(String store, String sku) {
		return jdbc.sql("""
				SELECT coalesce(sum(a.delta), 0) FROM catalog_stock_adjustments a JOIN catalog_skus k ON k.id = a.sku_id
				 WHERE k.external_id = ? AND a.store_id = ?""")
			.params(sku, UUID.fromString(demo.node(store)))
			.query(Long.class)
			.single();
	}

	/** How often the event was published for the SKU, as the event publication registry recorded it. */
	long published(String event, String sku) {
		return jdbc.sql("SELECT count(*) FROM event_publication WHERE event_type LIKE ? AND serialized_event LIKE ?")
			.params("%." + event, "%\"" + sku + "\"%")
			.query(Long.class)
			.single();
	}

	/** The stock room of a store as the staff member sees it (its id), if they are in it. */
	Optional<String> stockRoom(Api staff, String store) {
		for (JsonNode c : staff.get("/api/v1/conversations?limit=200").expect(200).json()) {
			if (demo.node(store).equals(c.path("orgNodeId").asString()) && c.path("title").asString().endsWith("库存提醒")) {
				return Optional.of(c.path("id").asString());
			}
		}
		return Optional.empty();
	}

	List<JsonNode> alertCards(Api staff, String store, String sku) {
		return cards(staff, store, "库存预警", sku);
	}

	List<JsonNode> cards(Api staff, String store, String titlePrefix, String text) {
		List<JsonNode> cards = new ArrayList<>();
		stockRoom(staff, store).ifPresent(room -> {
			for (JsonNode m : staff.get("/api/v1/conversations/" + room + "/messages?limit=200").expect(200).json()) {
				JsonNode payload = m.path("body").path("payload");
				if (m.path("kind").asString().equals("CARD") && payload.path("title").asString().startsWith(titlePrefix)
						&& payload.path("text").asString().contains(text)) {
					cards.add(m);
				}
			}
		});
		return cards;
	}

	List<String> texts(Api staff, String store) {
		List<String> texts = new ArrayList<>();
		stockRoom(staff, store).ifPresent(room -> {
			for (JsonNode m : staff.get("/api/v1/conversations/" + room + "/messages?limit=200").expect(200).json()) {
				if (m.path("kind").asString().equals("TEXT")) {
					texts.add(m.path("body").path("text").asString());
				}
			}
		});
		return texts;
	}

	void click(Api staff, JsonNode card, String action) {
		staff.post("/api/v1/conversations/" + card.path("conversationId").asString() + "/messages/" + card.path("seq").asLong()
				+ "/actions/" + action, Map.of()).expect(204);
	}
}
