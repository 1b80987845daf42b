package io.storecast.bench;

import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * {@code validate-cart}: POST /api/v1/coupons/validations by a customer, a cart of 20 lines (20
 * products in 5 categories) against 5 of their codes — 满减 on a category, 9折 with a cap
 * (combinable), shipping (combinable), no-threshold (combinable, another group) and a free gift —
 * from {@code bench.validate.clients} (32) concurrent clients, closed loop: validations/s, p50/p99,
 * server and PostgreSQL CPU per validation. Every answer is checked once to apply the expected codes.
 */
final class ValidateCartScenario implements Scenario {

	static final String NAME = "validate-cart";
	private static final String[] CATEGORIES = { "月饼礼盒", "茶叶礼盒", "项链", "鲜花礼盒", "巧克力" };

	@Override
	public String name() {
		return NAME;
	}

	@Override
	public boolean run(Results results) throws Exception {
		int clients = Integer.getInteger("bench.validate.clients", 32);
		Duration warmup = AuthScenario.seconds("bench.validate.warmup", 5);
		Duration measure = AuthScenario.seconds("bench.validate.seconds", 15);
		Path work = Files.createTempDirectory("storecast-bench-validate-");
		ServerProcess server = null;
		try {
			server = ServerProcess.start(ServerProcess.serverJar(), work, work.resolve("postgres"), "server.log",
					StartupScenario.PASSWORD, StorecastFixture.serverArgs(ServerProcess.freePort()));
			server.awaitUp(Duration.ofMinutes(3));
			boolean ok;
			try (StorecastApi api = new StorecastApi(server.base())) {
				String owner = api.login(StartupScenario.OWNER, StartupScenario.PASSWORD);
				List<Map<String, Object>> lines = new ArrayList<>();
				for (int i = 0; i < 20; i++) {
					String product = "VC-" + i;
					long price = 5_000 + 1_000L * i;
					expect(api.put("/api/v1/catalog/products/" + product, owner, Map.of("name", "商品 " + i, "category",
							CATEGORIES[i % CATEGORIES.length], "skus", List.of(Map.of("externalId", product + "-A", "priceFen", price)))),
							201, "creating product " + product);
					lines.add(Map.of("sku", product + "-A", "quantity", 1 + i % 3, "unitPriceFen", price));
				}
				List<Map<String, Object>> templates = List.of(
						template("月饼满200减30", "AMOUNT_OFF", Map.of("discountFen", 3000, "thresholdFen", 20000, "categories",
								List.of("月饼礼盒"))),
						template("9折封顶50", "PERCENT_OFF", Map.of("percentOff", 10, "capFen", 5000, "stacking",
								Map.of("exclusive", false, "group", "折扣"))),
						template("包邮", "SHIPPING", Map.of("stacking", Map.of("exclusive", false, "group", "运费"))),
						template("无门槛10元", "NO_THRESHOLD", Map.of("discountFen", 1000, "stacking",
								Map.of("exclusive", false, "group", "店铺券"))),
						template("满300送VC-0", "FREE_GIFT", Map.of("giftSku", "VC-0-A", "thresholdFen", 30000, "stacking",
								Map.of("exclusive", false, "group", "赠品"))));
				String key = expect(api.post("/api/v1/api-keys", owner, Map.of("name", "bench", "scopes",
						List.of("customers:token"))), 201, "creating an API key").body().path("key").asString();
				String customer = expect(api.post("/api/v1/customers/tokens", key, Map.of("externalId", "bench-vc")), 201,
						"minting a token").body().path("accessToken").asString();
				List<String> codes = new ArrayList<>();
				for (Map<String, Object> t : templates) {
					String id = expect(api.post("/api/v1/coupons/templates", owner, t), 201, "creating " + t.get("name"))
						.body().path("id").asString();
					HttpRequest claim = HttpRequest.newBuilder(api.uri("/api/v1/coupons/templates/" + id + "/claims"))
						.header("Content-Type", "application/json")
						.header("Authorization", "Bearer " + customer)
						.header("Idempotency-Key", "bench-" + id)
						.POST(HttpRequest.BodyPublishers.ofString("{}"))
						.build();
					codes.add(expect(api.send(claim), 201, "claiming").body().path("code").asString());
				}
				// the 满减 first would make the others not-stackable: the combinable ones go first
				List<String> order = List.of(codes.get(1), codes.get(2), codes.get(3), codes.get(4), codes.get(0));
				byte[] body = StorecastApi.JSON.writeValueAsBytes(Map.of("codes", order, "cart",
						Map.of("lines", lines, "shippingFen", 1200)));
				HttpRequest validate = HttpRequest.newBuilder(api.uri("/api/v1/coupons/validations"))
					.timeout(StorecastApi.REQUEST_TIMEOUT)
					.header("Content-Type", "application/json")
					.header("Authorization", "Bearer " + customer)
					.POST(HttpRequest.BodyPublishers.ofByteArray(body))
					.build();
				StorecastApi.Response sample = expect(api.send(validate), 200, "validating");
				int applied = sample.body().path("applied").size();
				Bench.progress("%s: sample answer applies %d codes, %d fen off, rejects %s", NAME, applied,
						sample.body().path("discountFen").asLong(), sample.body().path("rejected"));
				ok = applied == 4 && sample.body().path("rejected").size() == 1;

				ServerProcess s = server;
				Map<String, LongSupplier> cpu = new LinkedHashMap<>();
				cpu.put("server", s::cpuNanos);
				cpu.put("postgres", s::postgresCpuNanos);
				LoadDriver.Outcome outcome = LoadDriver.run(NAME, api.client(), () -> validate, 200, clients, warmup,
						measure, 5_000_000, cpu);
				results.emit(NAME, "cart-lines", lines.size(), "count");
				results.emit(NAME, "codes", order.size(), "count");
				results.emit(NAME, "clients", clients, "count");
				results.emit(NAME, "validations_per_s", outcome.perSecond(), "validations/s");
				results.emit(NAME, "validations", outcome.requests(), "count");
				if (outcome.requests() > 0) {
					results.emit(NAME, "latency_p50", outcome.latencies().percentileMillis(50), "ms");
					results.emit(NAME, "latency_p99", outcome.latencies().percentileMillis(99), "ms");
				}
				results.emit(NAME, "errors", outcome.errors(), "count");
				results.emit(NAME, "server_cpu_per_validation", outcome.cpuMillisPerRequest("server"), "ms");
				results.emit(NAME, "postgres_cpu_per_validation", outcome.cpuMillisPerRequest("postgres"), "ms");
				ok &= outcome.errors() == 0;
			}
			server.stop(Duration.ofMinutes(1));
			return ok;
		}
		finally {
			if (server != null) {
				server.stopQuietly();
			}
			ServerProcess.deleteTree(work);
		}
	}

	static Map<String, Object> template(String name, String kind, Map<String, Object> fields) {
		Map<String, Object> t = new LinkedHashMap<>(fields);
		t.put("name", name);
		t.put("kind", kind);
		t.put("validFrom", Instant.now().minusSeconds(60).toString());
		t.put("validUntil", Instant.now().plus(Duration.ofDays(1)).toString());
		t.put("stock", 100);
		return t;
	}

	static StorecastApi.Response expect(StorecastApi.Response response, int status, String what) {
		if (response.status() != status) {
			throw new IllegalStateException(what + " failed: " + response.status() + " " + response.body());
		}
		return response;
	}
}
