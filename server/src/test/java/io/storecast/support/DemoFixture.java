package io.storecast.support;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import tools.jackson.databind.JsonNode;

/** Looks up the demo merchant's nodes and customers through the API, as the owner. */
public final class DemoFixture {

	public final Api anonymous;
	public final Api owner;
	private final Map<String, String> nodeIds = new HashMap<>();
	private String tokenKey;

	public DemoFixture(int port) {
		this.anonymous = Api.at(port);
		this.owner = anonymous.login(Fixtures.OWNER, Fixtures.OWNER_PASSWORD);
		for (JsonNode node : owner.get("/api/v1/org/nodes").expect(200).json()) {
			nodeIds.put(node.path("code").asString(), node.path("id").asString());
		}
	}

	/** The id of the org node with this code (HQ, EAST, SOUTH, SH-NJR, HZ-XH, SZ-GQJ, GZ-TH, SZ-WXC). */
	public String node(String code) {
		String id = nodeIds.get(code);
		if (id == null) {
			throw new IllegalArgumentException("No demo node " + code + " in " + nodeIds.keySet());
		}
		return id;
	}

	public Api staff(String username) {
		return anonymous.login(username, Fixtures.DEMO_PASSWORD);
	}

	/** The first customer whose home store is the node with this code. */
	public JsonNode customerOf(String storeCode) {
		JsonNode items = owner.get("/api/v1/customers?limit=5&storeId=" + node(storeCode)).expect(200).json().path("items");
		if (items.isEmpty()) {
			throw new IllegalStateException("The demo store " + storeCode + " has no customers");
		}
		return items.get(0);
	}

	/**
	 * A new customer of the store, with a token minted by the merchant's backend (an API key with
	 * customers:token).
	 */
	public Api customer(String storeCode) {
		if (tokenKey == null) {
			tokenKey = apiKey("test backend", "customers:token");
		}
		String externalId = "test-" + java.util.UUID.randomUUID();
		String token = anonymous.as(tokenKey)
			.post("/api/v1/customers/tokens", Map.of("externalId", externalId, "profile",
					Map.of("nickname", "顾客" + externalId.substring(5, 9), "homeStoreId", node(storeCode))))
			.expect(201)
			.string("accessToken");
		return anonymous.as(token);
	}

	/** An API key with the given scopes, created by the owner. */
	public String apiKey(String name, String... scopes) {
		return owner.post("/api/v1/api-keys", Map.of("name", name, "scopes", List.of(scopes)))
			.expect(201)
			.string("key");
	}

	/**
	 * Tokens of {@code n} new customers ({@code <prefix><index>}), minted by the merchant's backend
	 * (an API key with customers:token), {@code inFlight} requests at a time.
	 */
	public static String[] mintCustomerTokens(Api backend, String prefix, int n, int inFlight) throws InterruptedException {
		String[] tokens = new String[n];
		java.util.concurrent.Semaphore permits = new java.util.concurrent.Semaphore(inFlight);
		try (var threads = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
			for (int i = 0; i < n; i++) {
				int index = i;
				permits.acquire();
				threads.submit(() -> {
					try {
						tokens[index] = backend.post("/api/v1/customers/tokens", Map.of("externalId", prefix + index))
							.expect(201)
							.string("accessToken");
					}
					finally {
						permits.release();
					}
				});
			}
		}
		return tokens;
	}
}
