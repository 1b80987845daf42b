package io.storecast.bench;

import java.io.BufferedWriter;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import tools.jackson.databind.JsonNode;

/**
 * {@code csv-import}: a products file (100,000 rows, one SKU each) and a stock file (500,000 rows:
 * every SKU in 5 stores) uploaded as {@code text/csv} and imported by the server's background job.
 * Reports rows/s from the job's own start and finish, and the server's peak heap (sampled every
 * 100 ms from /actuator/prometheus while the job runs). A 10,000-row file first gives the peak heap
 * of a small file: "flat in file size" means the large files peak no higher. The server runs with
 * {@code -Xmx512m} unless {@code -Dstorecast.server.jvmArgs} says otherwise, so a file that were
 * held in memory would fail outright. Scale: {@code -Dbench.csv.products} (100000), {@code -Dbench.csv.stores} (5).
 */
final class CsvImportScenario implements Scenario {

	static final String NAME = "csv-import";
	static final long TARGET_ROWS_PER_S = 20_000;

	@Override
	public String name() {
		return NAME;
	}

	@Override
	public boolean run(Results results) throws Exception {
		int products = Integer.getInteger("bench.csv.products", 100_000);
		int storeCount = Integer.getInteger("bench.csv.stores", 5);
		if (System.getProperty(ServerProcess.JVM_ARGS_PROPERTY) == null) {
			System.setProperty(ServerProcess.JVM_ARGS_PROPERTY, "-Xmx512m");
		}
		boolean ok = true;
		try (StorecastFixture fixture = StorecastFixture.start(NAME)) {
			String[] codes = new String[storeCount];
			for (int i = 0; i < storeCount; i++) {
				codes[i] = "CSV-" + i;
			}
			fixture.createStores("CSV", storeCount);
			Path small = productsFile(fixture.work.resolve("products-small.csv"), "S", 10_000);
			Path large = productsFile(fixture.work.resolve("products.csv"), "P", products);
			Path stock = stockFile(fixture.work.resolve("stock.csv"), "P", products, codes);
			Bench.progress("%s: files %d / %d / %d bytes", NAME, Files.size(small), Files.size(large), Files.size(stock));

			Import warm = importFile(fixture, "products", small, 10_000);
			results.emit(NAME, "peak_heap_10k_products", warm.peakHeapBytes() / 1e6, "MB");
			Import p = importFile(fixture, "products", large, products);
			results.emit(NAME, "products_rows_per_s", p.rowsPerSecond(), "rows/s");
			results.emit(NAME, "products_seconds", p.seconds(), "s");
			results.emit(NAME, "peak_heap_products", p.peakHeapBytes() / 1e6, "MB");
			Import s = importFile(fixture, "stock", stock, (long) products * storeCount);
			results.emit(NAME, "stock_rows_per_s", s.rowsPerSecond(), "rows/s");
			results.emit(NAME, "stock_seconds", s.seconds(), "s");
			results.emit(NAME, "peak_heap_stock", s.peakHeapBytes() / 1e6, "MB");
			long total = products + (long) products * storeCount;
			results.emit(NAME, "total_rows_per_s", total / (p.seconds() + s.seconds()), "rows/s");
			ok &= p.ok() && s.ok() && warm.ok();
			if (total / (p.seconds() + s.seconds()) < TARGET_ROWS_PER_S) {
				Bench.progress("%s: below the target of %d rows/s", NAME, TARGET_ROWS_PER_S);
			}
		}
		return ok;
	}

	record Import(boolean ok, double seconds, double rowsPerSecond, long peakHeapBytes) {
	}

	/** Uploads a file, samples the heap until the job is done, and checks that every row went in. */
	static Import importFile(StorecastFixture fixture, String type, Path file, long rows) throws Exception {
		HttpRequest upload = HttpRequest.newBuilder(fixture.api.uri("/api/v1/catalog/imports?type=" + type))
			.timeout(Duration.ofMinutes(5))
			.header("Authorization", "Bearer " + fixture.ownerToken)
			.header("Content-Type", "text/csv")
			.header("X-File-Name", file.getFileName().toString())
			.POST(HttpRequest.BodyPublishers.ofFile(file))
			.build();
		AtomicLong peak = new AtomicLong();
		AtomicBoolean sampling = new AtomicBoolean(true);
		Thread sampler = Thread.ofVirtual().start(() -> {
			while (sampling.get()) {
				try {
					peak.accumulateAndGet((long) fixture.prometheus("jvm_memory_used_bytes", "area=\"heap\""), Math::max);
					Thread.sleep(100);
				}
				catch (InterruptedException e) {
					return;
				}
				catch (Exception e) {
					// a missed sample
				}
			}
		});
		long started = System.nanoTime();
		HttpResponse<String> accepted = fixture.api.client().send(upload, HttpResponse.BodyHandlers.ofString());
		if (accepted.statusCode() != 202) {
			sampling.set(false);
			throw new IllegalStateException("import of " + file + " answered " + accepted.statusCode() + " " + accepted.body());
		}
		String id = StorecastApi.JSON.readTree(accepted.body()).path("id").asString();
		JsonNode job;
		while (true) {
			job = fixture.api.get("/api/v1/catalog/imports/" + id, fixture.ownerToken).body();
			String status = job.path("status").asString();
			if (status.equals("DONE") || status.equals("FAILED")) {
				break;
			}
			if (System.nanoTime() - started > Duration.ofMinutes(10).toNanos()) {
				throw new IllegalStateException("import " + id + " not done within 10 minutes: " + job);
			}
			Thread.sleep(100);
		}
		double wall = (System.nanoTime() - started) / 1e9;
		sampling.set(false);
		sampler.join();
		double seconds = Duration.between(Instant.parse(job.path("startedAt").asString()),
				Instant.parse(job.path("finishedAt").asString())).toNanos() / 1e9;
		long ok = job.path("rowsOk").asLong();
		boolean sound = job.path("status").asString().equals("DONE") && ok == rows && job.path("rowsFailed").asLong() == 0;
		Bench.progress("%s %s: %d rows ok, %d failed in %.1f s (%.1f s with the upload), peak heap %d MB: %s", type,
				file.getFileName(), ok, job.path("rowsFailed").asLong(), seconds, wall, peak.get() / 1_000_000,
				sound ? "ok" : "NOT OK " + job);
		return new Import(sound, seconds, ok / seconds, peak.get());
	}

	static Path productsFile(Path file, String prefix, int n) throws IOException {
		String[] occasions = { "中秋", "春节", "母亲节", "情人节", "生日", "教师节" };
		String[] recipients = { "老师", "妈妈", "长辈", "女朋友", "男朋友", "朋友", "孩子" };
		try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
			out.write("product_id,name,sku_id,price_fen,category,occasion,recipient,description,low_stock_threshold\n");
			for (int i = 0; i < n; i++) {
				out.write(prefix + "-" + i + ",\"礼盒 " + i + ", 精装\"," + prefix + "-" + i + "-A," + (1000 + i % 90_000)
						+ ",礼盒," + occasions[i % occasions.length] + "|" + occasions[(i / 7) % occasions.length] + ","
						+ recipients[i % recipients.length] + ",压测商品第" + i + "号,5\n");
			}
		}
		return file;
	}

	static Path stockFile(Path file, String prefix, int n, String[] stores) throws IOException {
		try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
			out.write("store,sku_id,quantity\n");
			for (int i = 0; i < n; i++) {
				for (int s = 0; s < stores.length; s++) {
					out.write(stores[s] + "," + prefix + "-" + i + "-A," + (10 + (i + s) % 50) + "\n");
				}
			}
		}
		return file;
	}

}
