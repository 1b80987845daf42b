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
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;

import io.storecast.support.Api;
import io.storecast.support.DemoFixture;
import io.storecast.support.StorecastIntegrationTest;
import tools.jackson.databind.JsonNode;

/**
 * Stock: atomic, audited, idempotent adjustments that never go below zero; one alert per crossing
 * of the low-stock threshold, as a card in the store's staff room; transfers between stores,
 * requested from that card and approved in the chat or over the API, within the org tree's rights.
 */
@StorecastIntegrationTest
class StockIntegrationTest extends StockTestSupport {

	@Test
	void adjustments_are_audited_idempotent_and_never_take_stock_below_zero() {
		String sku = newSku("IT-ADJ", 10, "SH-NJR");
		Api clerk = demo.staff("sh-njr.clerk1");
		JsonNode sale = adjust(clerk, "SH-NJR", sku, "SALE", -3, "sale-1").expect(201).json();
		assertThat(sale.path("onHandAfter").asLong()).isEqualTo(7);
		assertThat(sale.path("actorName").asString()).isEqualTo("sh-njr.clerk1");
		// a retry applies once
		Api.Response retry = adjust(clerk, "SH-NJR", sku, "SALE", -3, "sale-1").expect(200);
		assertThat(retry.header("Idempotent-Replayed")).isEqualTo("true");
		assertThat(retry.json().path("id").asString()).isEqualTo(sale.path("id").asString());
		adjust(clerk, "SH-NJR", sku, "SALE", -4, "sale-1").expectProblem(409, "idempotency-key-reused");
		assertThat(level("SH-NJR", sku)).isEqualTo(7);

		adjust(clerk, "SH-NJR", sku, "SALE", -8, "sale-2").expectProblem(409, "insufficient-stock");
		adjust(clerk, "SH-NJR", sku, "DAMAGE", -8, "damage-1").expectProblem(409, "insufficient-stock");
		assertThat(level("SH-NJR", sku)).isEqualTo(7);

		// a stocktake sets the level and records the delta it implied
		JsonNode count = adjust(clerk, "SH-NJR", sku, "COUNT", 12, "count-1").expect(201).json();
		assertThat(count.path("delta").asLong()).isEqualTo(5);
		assertThat(count.path("onHandAfter").asLong()).isEqualTo(12);

		// bad input: each refused with its code and field, nothing changes
		assertThat(adjust(clerk, "SH-NJR", sku, "SALE", 2, "bad-1").expectProblem(400, "invalid-delta").errorFields())
			.containsExactly("delta");
		adjust(clerk, "SH-NJR", sku, "RECEIPT", -2, "bad-2").expectProblem(400, "invalid-delta");
		assertThat(adjust(clerk, "SH-NJR", "NO-SUCH-SKU", "SALE", -1, "bad-3").expectProblem(400, "unknown-sku")
			.errorFields()).containsExactly("sku");
		assertThat(adjust(clerk, "SH-NJR", sku, "COUNT", -1, "bad-4").expectProblem(400, "negative-stock").errorFields())
			.containsExactly("quantity");
		assertThat(clerk.header("Idempotency-Key", "bad-5").post("/api/v1/catalog/stock/adjustments",
				Map.of("storeId", UUID.randomUUID().toString(), "sku", sku, "reason", "SALE", "delta", -1))
			.expectProblem(400, "unknown-store")
			.errorFields()).containsExactly("storeId");
		clerk.post("/api/v1/catalog/stock/adjustments",
				Map.of("storeId", demo.node("SH-NJR"), "sku", sku, "reason", "SALE", "delta", -1))
			.expectProblem(400, "missing-idempotency-key");
		adjust(demo.staff("gz-th.clerk1"), "SH-NJR", sku, "SALE", -1, "other-store").expectProblem(403, "forbidden");
		assertThat(level("SH-NJR", sku)).isEqualTo(12);
		assertThat(ledgerSum("SH-NJR", sku)).isEqualTo(12);

		JsonNode history = clerk.get("/api/v1/catalog/stock/adjustments?storeId=" + demo.node("SH-NJR") + "&sku=" + sku
				+ "&limit=2").expect(200).json();
		assertThat(history.path("items")).hasSize(2);
		assertThat(history.path("items").get(0).path("reason").asString()).isEqualTo("COUNT");
		assertThat(history.path("nextCursor").isNull()).isFalse();
	}

	@Test
	void concurrent_sales_of_one_hot_sku_lose_nothing_and_stop_at_zero() throws Exception {
		String sku = newSku("IT-HOT", 100, "HZ-XH");
		AtomicInteger sold = new AtomicInteger();
		AtomicInteger refused = new AtomicInteger();
		try (ExecutorService pool = Executors.newFixedThreadPool(16)) {
			List<Future<?>> all = new ArrayList<>();
			for (int i = 0; i < 130; i++) {
				String key = "hot-" + i;
				all.add(pool.submit(() -> {
					int status = adjust(stockKey, "HZ-XH", sku, "SALE", -1, key).status();
					(status == 201 ? sold : refused).incrementAndGet();
					assertThat(status).isIn(201, 409);
				}));
			}
			for (Future<?> f : all) {
				f.get();
			}
		}
		assertThat(sold.get()).isEqualTo(100);
		assertThat(refused.get()).isEqualTo(30);
		assertThat(level("HZ-XH", sku)).isZero();
		assertThat(ledgerSum("HZ-XH", sku)).isZero();
	}

	@Test
	void crossing_the_threshold_alerts_the_managers_once_per_crossing() {
		String sku = newSku("IT-LOW", 10, "SZ-GQJ");
		Api clerk = demo.staff("sz-gqj.clerk1");
		adjust(clerk, "SZ-GQJ", sku, "SALE", -4, "low-1").expect(201); // 6: above
		adjust(clerk, "SZ-GQJ", sku, "SALE", -2, "low-2").expect(201); // 4: crossed
		adjust(clerk, "SZ-GQJ", sku, "SALE", -1, "low-3").expect(201); // 3: still below, no second alert
		assertThat(published("StockFellBelowThreshold", sku)).isEqualTo(1);
		adjust(clerk, "SZ-GQJ", sku, "RECEIPT", 10, "low-4").expect(201); // 13: restored
		assertThat(published("StockRestored", sku)).isEqualTo(1);
		adjust(clerk, "SZ-GQJ", sku, "SALE", -9, "low-5").expect(201); // 4: crossed again
		assertThat(published("StockFellBelowThreshold", sku)).isEqualTo(2);

		// the store manager and the region manager each see the two alert cards in the stock room
		for (String manager : List.of("sz-gqj.manager", "east.manager")) {
			Api api = demo.staff(manager);
			await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(alertCards(api, "SZ-GQJ", sku)).hasSize(2));
		}
		assertThat(demo.staff("sz-gqj.clerk1").get("/api/v1/conversations").expect(200).json().toString())
			.doesNotContain("库存提醒");
		JsonNode low = demo.staff("sz-gqj.manager")
			.get("/api/v1/catalog/stock?storeId=" + demo.node("SZ-GQJ") + "&lowOnly=true&limit=200")
			.expect(200)
			.json();
		assertThat(low.path("items").toString()).contains(sku);

		// a store's own threshold overrides the SKU's
		JsonNode threshold = demo.owner.put("/api/v1/catalog/thresholds",
				Map.of("sku", sku, "storeId", demo.node("SZ-GQJ"), "threshold", 2)).expect(200).json();
		assertThat(threshold.path("effective").asInt()).isEqualTo(2);
		demo.staff("sz-gqj.manager").put("/api/v1/catalog/thresholds", Map.of("sku", sku, "threshold", 1))
			.expectProblem(403, "forbidden");
		demo.owner.put("/api/v1/catalog/thresholds", Map.of("sku", sku, "threshold", -1)).expectProblem(400, "invalid-threshold");
	}

	@Test
	void transfers_over_the_api_follow_the_org_tree_and_move_stock_only_when_there_is_enough() {
		String sku = newSku("IT-XFER", 10, "HZ-XH");
		Api njr = demo.staff("sh-njr.manager");
		Map<String, Object> ask = Map.of("sku", sku, "fromStoreId", demo.node("HZ-XH"), "toStoreId", demo.node("SH-NJR"),
				"quantity", 3, "note", "周末活动");
		njr.post("/api/v1/catalog/transfers", Map.of("sku", sku, "fromStoreId", demo.node("HZ-XH"), "toStoreId",
				demo.node("SH-NJR"), "quantity", 11)).expectProblem(409, "insufficient-stock");
		njr.post("/api/v1/catalog/transfers", Map.of("sku", sku, "fromStoreId", demo.node("SH-NJR"), "toStoreId",
				demo.node("SH-NJR"), "quantity", 1)).expectProblem(400, "same-store");
		njr.post("/api/v1/catalog/transfers", Map.of("sku", "NO-SUCH", "fromStoreId", demo.node("HZ-XH"), "toStoreId",
				demo.node("SH-NJR"), "quantity", 1)).expectProblem(400, "unknown-sku");
		njr.post("/api/v1/catalog/transfers", Map.of("sku", sku, "fromStoreId", demo.node("HZ-XH"), "toStoreId",
				demo.node("SH-NJR"), "quantity", 0)).expectProblem(400, "invalid-quantity");
		// a manager asks for their own store only
		njr.post("/api/v1/catalog/transfers", Map.of("sku", sku, "fromStoreId", demo.node("SH-NJR"), "toStoreId",
				demo.node("HZ-XH"), "quantity", 1)).expectProblem(403, "forbidden");

		JsonNode first = njr.header("Idempotency-Key", "xfer-1").post("/api/v1/catalog/transfers", ask).expect(201).json();
		String id = first.path("id").asString();
		assertThat(njr.header("Idempotency-Key", "xfer-1").post("/api/v1/catalog/transfers", ask).expect(200).string("id"))
			.isEqualTo(id);
		njr.post("/api/v1/catalog/transfers/" + id + "/approve", Map.of()).expectProblem(403, "own-transfer");
		demo.staff("gz-th.manager").post("/api/v1/catalog/transfers/" + id + "/approve", Map.of()).expectProblem(403, "forbidden");
		demo.staff("hz-xh.clerk1").post("/api/v1/catalog/transfers/" + id + "/approve", Map.of()).expectProblem(403, "forbidden");
		Api hz = demo.staff("hz-xh.manager");
		JsonNode rejected = hz.post("/api/v1/catalog/transfers/" + id + "/reject", Map.of("note", "活动要用")).expect(200).json();
		assertThat(rejected.path("status").asString()).isEqualTo("REJECTED");
		assertThat(level("HZ-XH", sku)).isEqualTo(10);
		hz.post("/api/v1/catalog/transfers/" + id + "/approve", Map.of()).expectProblem(409, "transfer-not-pending");

		// approved only while the source still has the units
		String second = njr.post("/api/v1/catalog/transfers", ask).expect(201).string("id");
		adjust(stockKey, "HZ-XH", sku, "SALE", -8, "xfer-sale").expect(201);
		hz.post("/api/v1/catalog/transfers/" + second + "/approve", Map.of()).expectProblem(409, "insufficient-stock");
		assertThat(level("HZ-XH", sku)).isEqualTo(2);
		adjust(stockKey, "HZ-XH", sku, "RECEIPT", 8, "xfer-receipt").expect(201);
		JsonNode approved = hz.post("/api/v1/catalog/transfers/" + second + "/approve", Map.of()).expect(200).json();
		assertThat(approved.path("status").asString()).isEqualTo("APPROVED");
		assertThat(level("HZ-XH", sku)).isEqualTo(7);
		assertThat(level("SH-NJR", sku)).isEqualTo(3);
		JsonNode out = hz.get("/api/v1/catalog/stock/adjustments?storeId=" + demo.node("HZ-XH") + "&sku=" + sku).expect(200)
			.json().path("items").get(0);
		assertThat(out.path("reason").asString()).isEqualTo("TRANSFER_OUT");
		assertThat(out.path("transferId").asString()).isEqualTo(second);
	}

	@Test
	void delivery_estimates_follow_the_cut_off_hour_lead_time_and_customisations() {
		Api owner = demo.owner;
		owner.put("/api/v1/catalog/delivery-settings/" + demo.node("GZ-TH"), Map.of("leadDays", 1, "cutoffHour", 16)).expect(200);
		String base = "/api/v1/catalog/delivery-estimate?storeId=" + demo.node("GZ-TH") + "&sku=PEN-001-A&at=";
		// 14:00 in Guangzhou: ships today, arrives tomorrow
		JsonNode early = owner.get(base + "2026-05-06T06:00:00Z").expect(200).json();
		assertThat(early.path("available").asBoolean()).isTrue();
		assertThat(early.path("shipDate").asString()).isEqualTo("2026-05-06");
		assertThat(early.path("arrivalDate").asString()).isEqualTo("2026-05-07");
		assertThat(early.path("arrivesTomorrow").asBoolean()).isTrue();
		assertThat(early.path("orderBy").asString()).isEqualTo("2026-05-06T08:00:00Z");
		// 17:00: after the cut-off
		JsonNode late = owner.get(base + "2026-05-06T09:00:00Z").expect(200).json();
		assertThat(late.path("arrivalDate").asString()).isEqualTo("2026-05-08");
		assertThat(late.path("arrivesTomorrow").asBoolean()).isFalse();
		// engraving takes its extra days
		JsonNode engraved = owner.get(base + "2026-05-06T06:00:00Z&customisations=ENGRAVING").expect(200).json();
		assertThat(engraved.path("extraLeadDays").asInt()).isEqualTo(2);
		assertThat(engraved.path("arrivalDate").asString()).isEqualTo("2026-05-09");
		owner.get("/api/v1/catalog/delivery-estimate?storeId=" + demo.node("GZ-TH") + "&sku=NO-SUCH")
			.expectProblem(400, "unknown-sku");
		owner.put("/api/v1/catalog/delivery-settings/" + demo.node("GZ-TH"), Map.of("leadDays", 1, "cutoffHour", 25))
			.expectProblem(400, "validation-failed");
		demo.staff("gz-th.manager")
			.put("/api/v1/catalog/delivery-settings/" + demo.node("GZ-TH"), Map.of("leadDays", 2, "cutoffHour", 16))
			.expectProblem(403, "forbidden");
	}

}
