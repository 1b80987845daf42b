package io.storecast.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import tools.jackson.databind.JsonNode;

/**
 * {@code startup}: cold start on an empty data directory (includes initdb and the schema
 * migrations) to /actuator/health UP, memory after start, a store created through the API, graceful
 * stop, warm restart on the same directory, and a check that the store survived.
 */
final class StartupScenario implements Scenario {

	static final String NAME = "startup";
	static final String OWNER = "owner";
	static final String PASSWORD = "Bench-Head-Pass-2026";
	private static final String STORE_CODE = "BENCH-STORE-1";

	private static final Duration START_TIMEOUT = Duration.ofMinutes(3);
	private static final Duration STOP_TIMEOUT = Duration.ofMinutes(1);

	@Override
	public String name() {
		return NAME;
	}

	@Override
	public boolean run(Results results) throws Exception {
		Path jar = ServerProcess.serverJar();
		Path work = Files.createTempDirectory("storecast-bench-startup-");
		Path data = work.resolve("postgres");
		ServerProcess server = null;
		try {
			// 1. cold start: empty data directory
			server = ServerProcess.start(jar, work, data, "server-cold.log", PASSWORD, List.of());
			Duration cold = server.awaitUp(START_TIMEOUT);
			results.emit(NAME, "cold_start_to_up", cold.toMillis(), "ms");
			results.emit(NAME, "rss_after_start", server.rssKiB() / 1024.0, "MiB");
			var pss = server.postgresPssKiB();
			if (pss.isPresent()) {
				results.emit(NAME, "postgres_pss_after_start", pss.getAsLong() / 1024.0, "MiB");
			}

			// 2. write something through the API
			try (StorecastApi api = new StorecastApi(server.base())) {
				String token = api.login(OWNER, PASSWORD);
				String headOffice = headOfficeId(api, token);
				StorecastApi.Response created = api.post("/api/v1/org/nodes", token,
						Map.of("parentId", headOffice, "kind", "STORE", "code", STORE_CODE, "name", "Bench store"));
				if (created.status() != 201) {
					throw new IllegalStateException("creating a store failed: " + created.status() + " " + created.body());
				}
			}

			// 3. graceful stop
			Duration stop = server.stop(STOP_TIMEOUT);
			results.emit(NAME, "graceful_stop", stop.toMillis(), "ms");

			// 4. warm restart on the same data directory
			server = ServerProcess.start(jar, work, data, "server-warm.log", PASSWORD, List.of());
			Duration warm = server.awaitUp(START_TIMEOUT);
			results.emit(NAME, "warm_start_to_up", warm.toMillis(), "ms");
			results.emit(NAME, "rss_after_warm_start", server.rssKiB() / 1024.0, "MiB");

			// 5. the store is still there
			boolean kept;
			try (StorecastApi api = new StorecastApi(server.base())) {
				String token = api.login(OWNER, PASSWORD);
				kept = nodes(api, token).valueStream().anyMatch(n -> STORE_CODE.equals(text(n, "code")));
			}
			results.emit(NAME, "data_kept", kept ? 1 : 0, "bool");
			if (!kept) {
				Bench.progress("startup: the store %s created before the restart is missing", STORE_CODE);
			}
			Duration stopWarm = server.stop(STOP_TIMEOUT);
			results.emit(NAME, "graceful_stop_after_warm_start", stopWarm.toMillis(), "ms");
			return kept;
		}
		finally {
			if (server != null) {
				server.stopQuietly();
			}
			ServerProcess.deleteTree(work);
		}
	}

	static JsonNode nodes(StorecastApi api, String token) throws Exception {
		StorecastApi.Response response = api.get("/api/v1/org/nodes", token);
		if (response.status() != 200 || !response.body().isArray()) {
			throw new IllegalStateException("listing org nodes failed: " + response.status() + " " + response.body());
		}
		return response.body();
	}

	static String headOfficeId(StorecastApi api, String token) throws Exception {
		JsonNode list = nodes(api, token);
		if (list.isEmpty() || text(list.get(0), "id") == null) {
			throw new IllegalStateException("no head office in " + list);
		}
		return text(list.get(0), "id");
	}

	private static String text(JsonNode node, String field) {
		JsonNode value = node.get(field);
		return value == null || value.isNull() ? null : value.asString();
	}
}
