package io.storecast.campaigns;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpServer;

import io.storecast.support.Api;
import io.storecast.support.DemoFixture;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Fixtures for the trigger tests: a store of their own, customers in chosen time zones, a webhook endpoint. */
final class TriggerTesting {

	static final JsonMapper JSON = JsonMapper.builder().build();

	private TriggerTesting() {
	}

	/** A new store under the East region (its customers are the test's alone); its id and code. */
	record Store(String id, String code) {

		static Store create(DemoFixture demo, String prefix) {
			String code = prefix + "-" + UUID.randomUUID().toString().substring(0, 8).toUpperCase(java.util.Locale.ROOT);
			String id = demo.owner.post("/api/v1/org/nodes", Map.of("parentId", demo.node("EAST"), "kind", "STORE", "code",
					code, "name", "耳饰体验店" + code.substring(code.length() - 4))).expect(201).string("id");
			return new Store(id, code);
		}
	}

	/** A customer with their own token and ids. */
	record Customer(Api api, String id, String externalId) {

		static Customer of(DemoFixture demo, Api backend, Store store, String nickname) {
			String externalId = "trg-" + UUID.randomUUID();
			String token = backend.post("/api/v1/customers/tokens", Map.of("externalId", externalId, "profile",
					Map.of("nickname", nickname, "homeStoreId", store.id()))).expect(201).string("accessToken");
			Api api = demo.anonymous.as(token);
			String id = api.get("/api/v1/me").expect(200).json().path("customer").path("id").asString();
			return new Customer(api, id, externalId);
		}

		/** Sets the customer's time zone to the whole-hour offset where it is now {@code hour} o'clock. */
		ZoneOffset localHour(DemoFixture demo, int hour) {
			int utc = Instant.now().atOffset(ZoneOffset.UTC).getHour();
			int offset = Math.floorMod(hour - utc + 12, 24) - 12;
			ZoneOffset zone = ZoneOffset.ofHours(offset);
			demo.owner.patch("/api/v1/audience/customers/" + id, Map.of("timeZone", zone.getId())).expect(200);
			return zone;
		}

		/** Everything in the customer's conversation with the store, oldest first. */
		List<JsonNode> messages(Store store) {
			String conversation = api.post("/api/v1/conversations/direct", Map.of("storeId", store.id())).expect(200).string("id");
			return api.get("/api/v1/conversations/" + conversation + "/messages?limit=200").expect(200).json().valueStream()
				.sorted(java.util.Comparator.comparingLong(m -> m.path("seq").asLong()))
				.toList();
		}
	}

	/** 09:00 on the day after {@code at} in the zone (where it is evening at {@code at}). */
	static Instant nextMorning(Instant at, ZoneOffset zone) {
		return LocalDate.ofInstant(at, zone).plusDays(1).atTime(9, 0).toInstant(zone);
	}

	/** A local webhook endpoint that records every message it is sent and answers 200. */
	static final class Hook implements AutoCloseable {

		final ConcurrentLinkedQueue<JsonNode> hits = new ConcurrentLinkedQueue<>();
		private final HttpServer server;

		Hook(DemoFixture demo) throws IOException {
			server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
			server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
			server.createContext("/", exchange -> {
				hits.add(JSON.readTree(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
				exchange.sendResponseHeaders(200, -1);
				exchange.close();
			});
			server.start();
			demo.owner.put("/api/v1/deliveries/webhook-endpoint", Map.of("url",
					"http://127.0.0.1:" + server.getAddress().getPort() + "/hooks", "timeoutMillis", 5000, "rotateSecret", true))
				.expect(200);
		}

		List<JsonNode> to(String customerId) {
			return hits.stream().filter(h -> h.path("customerId").asString().equals(customerId)).toList();
		}

		@Override
		public void close() {
			server.stop(0);
		}
	}

	/** Every page of a trigger's recipients. */
	static List<JsonNode> recipients(Api api, String trigger) {
		List<JsonNode> rows = new java.util.ArrayList<>();
		String after = null;
		do {
			JsonNode page = api.get("/api/v1/campaign-triggers/" + trigger + "/recipients?limit=200"
					+ (after == null ? "" : "&after=" + after)).expect(200).json();
			page.path("items").forEach(rows::add);
			after = page.path("nextCursor").isMissingNode() || page.path("nextCursor").isNull() ? null
					: page.path("nextCursor").asString();
		}
		while (after != null);
		return rows;
	}

	static JsonNode recipient(Api api, String trigger, String customer) {
		return recipients(api, trigger).stream()
			.filter(r -> r.path("customerId").asString().equals(customer))
			.findFirst()
			.orElseThrow(() -> new AssertionError("customer " + customer + " is no recipient of trigger " + trigger));
	}
}
