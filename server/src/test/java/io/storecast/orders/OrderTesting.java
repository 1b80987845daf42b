package io.storecast.orders;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.springframework.jdbc.core.simple.JdbcClient;

import io.storecast.support.Api;
import io.storecast.support.DemoFixture;
import tools.jackson.databind.JsonNode;

/** Fixtures for the orders tests: catalog SKUs, customers, order bodies, the order-card inbox and a webhook sender. */
public final class OrderTesting {

	public static final String WEBHOOK_SECRET = "test-orders-webhook-secret-0123456789";
	public static final String WEBHOOK = "/api/v1/webhooks/inbound/orders";

	private OrderTesting() {
	}

	/**
	 * Puts test products and SKUs straight into the catalog's tables (V7): this branch has no catalog
	 * write API yet. Idempotent. Once the catalog's REST API is merged, create them through it instead.
	 */
	/** The orders tests' SKUs, created through the catalog's API (an upsert: calling it again changes nothing). */
	public static void ensureSkus(DemoFixture demo) {
		product(demo, "TP-MOONCAKE", "流心奶黄月饼礼盒", "月饼", Map.of("TS-MOONCAKE-6", 12_800L, "TS-MOONCAKE-8", 16_800L));
		product(demo, "TP-EARRING", "珍珠耳钉", "耳饰", Map.of("TS-EARRING-S", 29_900L));
		product(demo, "TP-CARD", "手写贺卡", null, Map.of("TS-CARD", 500L));
	}

	private static void product(DemoFixture demo, String externalId, String name, String category, Map<String, Long> skus) {
		List<Map<String, Object>> lines = new java.util.ArrayList<>();
		skus.forEach((sku, price) -> {
			Map<String, Object> line = new java.util.HashMap<>();
			line.put("externalId", sku);
			line.put("priceFen", price);
			if (skus.size() > 1) {
				line.put("name", sku.substring(sku.lastIndexOf('-') + 1) + "枚装");
			}
			lines.add(line);
		});
		Map<String, Object> body = new java.util.HashMap<>();
		body.put("name", name);
		body.put("skus", lines);
		if (category != null) {
			body.put("category", category);
		}
		int status = demo.owner.put("/api/v1/catalog/products/" + externalId, body).status();
		if (status != 200 && status != 201) {
			throw new IllegalStateException("Could not create the test product " + externalId + ": " + status);
		}
	}

	/** A new customer of the store, as the customer (their token) with their ids. */
	public record Customer(Api api, String id, String externalId) {

		public static Customer of(DemoFixture demo, String storeCode) {
			Api api = demo.customer(storeCode);
			JsonNode me = api.get("/api/v1/me").expect(200).json().path("customer");
			return new Customer(api, me.path("id").asString(), me.path("externalId").asString());
		}

		/** The order cards in the customer's conversation with the store, oldest first. */
		public List<JsonNode> orderCards(String storeId) {
			String conversation = api.post("/api/v1/conversations/direct", Map.of("storeId", storeId))
				.expect(200)
				.string("id");
			JsonNode history = api.get("/api/v1/conversations/" + conversation + "/messages?limit=200").expect(200).json();
			return history.valueStream()
				.filter(m -> "order".equals(m.path("body").path("card").asString()))
				.sorted(java.util.Comparator.comparingLong(m -> m.path("seq").asLong()))
				.map(m -> m.path("body").path("payload"))
				.toList();
		}
	}

	/** An order body: lines as (sku, quantity, unit price) triples. */
	public static Map<String, Object> order(String customerExternalId, String storeCode, long totalFen,
			Object... lines) {
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("customerExternalId", customerExternalId);
		body.put("storeCode", storeCode);
		java.util.List<Map<String, Object>> items = new java.util.ArrayList<>();
		for (int i = 0; i < lines.length; i += 3) {
			items.add(Map.of("sku", lines[i], "quantity", lines[i + 1], "unitPriceFen", lines[i + 2]));
		}
		body.put("lines", items);
		body.put("totalFen", totalFen);
		return body;
	}

	public static Map<String, Object> with(Map<String, Object> body, String field, Object value) {
		Map<String, Object> copy = new LinkedHashMap<>(body);
		copy.put(field, value);
		return copy;
	}

	/** A status event body. */
	public static Map<String, Object> status(String status, Instant occurredAt, Object... more) {
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("status", status);
		body.put("occurredAt", occurredAt.toString());
		for (int i = 0; i < more.length; i += 2) {
			body.put((String) more[i], more[i + 1]);
		}
		return body;
	}

	/** Sends raw bytes to the inbound webhook, signed as the docs say, or with the headers given. */
	public static final class Webhook {

		private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

		private final String url;

		public Webhook(int port) {
			this.url = "http://127.0.0.1:" + port + WEBHOOK;
		}

		public static String sign(String secret, long timestamp, String body) {
			try {
				Mac mac = Mac.getInstance("HmacSHA256");
				mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
				return "sha256=" + HexFormat.of()
					.formatHex(mac.doFinal((timestamp + "." + body).getBytes(StandardCharsets.UTF_8)));
			}
			catch (Exception e) {
				throw new IllegalStateException(e);
			}
		}

		/** Signed now with the server's secret. */
		public Api.Response send(String body) {
			long now = Instant.now().getEpochSecond();
			return send(body, Map.of("X-Storecast-Timestamp", Long.toString(now), "X-Storecast-Signature",
					sign(WEBHOOK_SECRET, now, body)));
		}

		public Api.Response send(String body, Map<String, String> headers) {
			HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
				.timeout(Duration.ofSeconds(30))
				.header("Content-Type", "application/json")
				.POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
			headers.forEach(request::header);
			try {
				return new Api.Response(HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8)));
			}
			catch (Exception e) {
				throw new IllegalStateException(e);
			}
		}
	}
}
