package io.storecast.bench;

import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

import tools.jackson.databind.JsonNode;

/**
 * {@code stock-adjust}: 64 clients sell the same hot SKU at one store at once, each a SALE of one
 * unit with its own Idempotency-Key (every 10th sent twice, as a client retry would). Reports
 * adjustments/s and latency, then proves that nothing was lost or applied twice: the final level
 * equals the initial level minus the sales the server accepted, and equals the sum of the SKU's
 * ledger (every adjustment, read back page by page). Scale: {@code -Dbench.stock.threads} (64),
 * {@code -Dbench.stock.sales} per thread (250).
 */
final class StockAdjustScenario implements Scenario {

	static final String NAME = "stock-adjust";

	@Override
	public String name() {
		return NAME;
	}

	@Override
	public boolean run(Results results) throws Exception {
		int threads = Integer.getInteger("bench.stock.threads", 64);
		int perThread = Integer.getInteger("bench.stock.sales", 250);
		long initial = 1_000_000;
		try (StorecastFixture fixture = StorecastFixture.start(NAME)) {
			String store = fixture.createStore("HOT-1");
			StorecastApi.Response key = fixture.api.post("/api/v1/api-keys", fixture.ownerToken,
					Map.of("name", "pos", "scopes", List.of("stock:write", "catalog:write")));
			String pos = key.body().path("key").asString();
			HttpRequest put = HttpRequest.newBuilder(fixture.api.uri("/api/v1/catalog/products/HOT"))
				.header("Content-Type", "application/json")
				.header("Authorization", "Bearer " + pos)
				.PUT(HttpRequest.BodyPublishers.ofString(StorecastApi.JSON.writeValueAsString(Map.of("name", "爆款月饼",
						"skus", List.of(Map.of("externalId", "HOT-A", "priceFen", 19900, "lowStockThreshold", 10))))))
				.build();
			check(fixture.api.send(put), 201, "creating the hot product");
			check(adjust(fixture, pos, store, "RECEIPT", initial, "initial"), 201, "receiving the initial stock");

			AtomicLong accepted = new AtomicLong();
			AtomicLong replayed = new AtomicLong();
			AtomicLong failed = new AtomicLong();
			List<Latencies.Recorder> recorders = new java.util.concurrent.CopyOnWriteArrayList<>();
			long started = System.nanoTime();
			try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
				List<Future<?>> all = new java.util.ArrayList<>();
				for (int t = 0; t < threads; t++) {
					int thread = t;
					all.add(pool.submit(() -> {
						Latencies.Recorder latencies = new Latencies.Recorder();
						recorders.add(latencies);
						for (int i = 0; i < perThread; i++) {
							String idempotencyKey = "sale-" + thread + "-" + i;
							int sends = i % 10 == 0 ? 2 : 1;
							for (int s = 0; s < sends; s++) {
								long sent = System.nanoTime();
								StorecastApi.Response r = adjust(fixture, pos, store, "SALE", -1, idempotencyKey);
								latencies.record(System.nanoTime() - sent);
								if (r.status() == 201) {
									accepted.incrementAndGet();
								}
								else if (r.status() == 200) {
									replayed.incrementAndGet();
								}
								else {
									failed.incrementAndGet();
								}
							}
						}
						return null;
					}));
				}
				for (Future<?> f : all) {
					f.get();
				}
			}
			double seconds = (System.nanoTime() - started) / 1e9;
			long requests = accepted.get() + replayed.get() + failed.get();
			results.emit(NAME, "adjustments_per_s", accepted.get() / seconds, "adjustments/s");
			results.emit(NAME, "requests_per_s", requests / seconds, "requests/s");
			Latencies latencies = Latencies.merge(recorders);
			results.emit(NAME, "latency_p50", latencies.percentileMillis(50), "ms");
			results.emit(NAME, "latency_p99", latencies.percentileMillis(99), "ms");
			results.emit(NAME, "retries_replayed", replayed.get(), "requests");
			results.emit(NAME, "failed", failed.get(), "requests");

			JsonNode level = fixture.api.get("/api/v1/catalog/stock?storeId=" + store + "&sku=HOT-A", pos).body();
			long finalLevel = level.path("items").get(0).path("onHand").asLong();
			long ledger = 0;
			long entries = 0;
			String after = null;
			do {
				JsonNode page = fixture.api.get("/api/v1/catalog/stock/adjustments?storeId=" + store + "&sku=HOT-A&limit=200"
						+ (after == null ? "" : "&after=" + after), pos).body();
				for (JsonNode a : page.path("items")) {
					ledger += a.path("delta").asLong();
					entries++;
				}
				after = page.path("nextCursor").isNull() || page.path("nextCursor").isMissingNode() ? null
						: page.path("nextCursor").asString();
			}
			while (after != null);
			long expected = initial - accepted.get();
			results.emit(NAME, "final_stock", finalLevel, "units");
			results.emit(NAME, "expected_stock", expected, "units");
			results.emit(NAME, "ledger_sum", ledger, "units");
			results.emit(NAME, "lost_or_doubled", Math.abs(finalLevel - expected) + Math.abs(ledger - finalLevel), "units");
			boolean sound = finalLevel == expected && ledger == finalLevel && failed.get() == 0
					&& accepted.get() == (long) threads * perThread && entries == accepted.get() + 1;
			Bench.progress("%s: %d sales accepted, %d retries replayed, %d failed in %.1f s; final %d, expected %d, ledger %d"
					+ " (%d entries): %s", NAME, accepted.get(), replayed.get(), failed.get(), seconds, finalLevel, expected,
					ledger, entries, sound ? "ok" : "NOT OK");
			return sound;
		}
	}

	static StorecastApi.Response adjust(StorecastFixture fixture, String key, String store, String reason, long delta,
			String idempotencyKey) throws Exception {
		HttpRequest request = HttpRequest.newBuilder(fixture.api.uri("/api/v1/catalog/stock/adjustments"))
			.timeout(Duration.ofSeconds(30))
			.header("Content-Type", "application/json")
			.header("Authorization", "Bearer " + key)
			.header("Idempotency-Key", idempotencyKey)
			.POST(HttpRequest.BodyPublishers.ofString(StorecastApi.JSON.writeValueAsString(
					Map.of("storeId", store, "sku", "HOT-A", "reason", reason, "delta", delta))))
			.build();
		return fixture.api.send(request);
	}

	private static void check(StorecastApi.Response response, int status, String what) {
		if (response.status() != status) {
			throw new IllegalStateException(what + " failed: " + response.status() + " " + response.body());
		}
	}
}
