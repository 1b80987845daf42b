package io.storecast.bench;

import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * {@code auth}: against one server,
 * <ul>
 * <li>{@code login}: password logins (Argon2id, slow by design) from 4 concurrent clients;</li>
 * <li>{@code authenticated-get}: GET /api/v1/me with a valid access token from 32 concurrent clients,
 * the per-request cost of authentication (JWT check plus the session lookup) and of a small
 * authenticated read;</li>
 * <li>{@code baseline-health}: GET /actuator/health the same way (no authentication; it does ask the
 * database whether it is alive), as a reference for the ratio.</li>
 * </ul>
 * Besides throughput and latency, each part reports the CPU time the server JVM and its PostgreSQL
 * spent per request over the measured period: on a small machine where the load driver shares the
 * cores, that is the steadier figure of what a request costs.
 * Durations and client counts can be changed with system properties (see {@link #seconds}).
 */
final class AuthScenario implements Scenario {

	static final String NAME = "auth";
	private static final long MAX_REQUESTS = 5_000_000;
	private static final String SERVER = "server";
	private static final String POSTGRES = "postgres";

	@Override
	public String name() {
		return NAME;
	}

	@Override
	public boolean run(Results results) throws Exception {
		int loginClients = Integer.getInteger("bench.login.clients", 4);
		Duration loginWarmup = seconds("bench.login.warmup", 2);
		Duration loginMeasure = seconds("bench.login.seconds", 10);
		int getClients = Integer.getInteger("bench.get.clients", 32);
		Duration getWarmup = seconds("bench.get.warmup", 5);
		Duration getMeasure = seconds("bench.get.seconds", 15);

		Path jar = ServerProcess.serverJar();
		Path work = Files.createTempDirectory("storecast-bench-auth-");
		ServerProcess server = null;
		boolean ok = true;
		try {
			// every login here comes from 127.0.0.1 with one account: lift the brute-force throttles
			server = ServerProcess.start(jar, work, work.resolve("postgres"), "server.log", StartupScenario.PASSWORD,
					List.of("--storecast.identity.login-attempts-per-ip=1000000",
							"--storecast.identity.login-failures-per-account=1000000"));
			server.awaitUp(Duration.ofMinutes(3));
			ServerProcess s = server;
			Map<String, LongSupplier> cpu = new LinkedHashMap<>();
			cpu.put(SERVER, s::cpuNanos);
			cpu.put(POSTGRES, s::postgresCpuNanos);
			cpu.put("bench client", () -> ServerProcess.cpuNanos(ProcessHandle.current()));
			try (StorecastApi api = new StorecastApi(server.base())) {
				api.login(StartupScenario.OWNER, StartupScenario.PASSWORD);

				HttpRequest login = api.loginRequest(StartupScenario.OWNER, StartupScenario.PASSWORD);
				LoadDriver.Outcome logins = LoadDriver.run("login", api.client(), () -> login, 200, loginClients,
						loginWarmup, loginMeasure, MAX_REQUESTS, cpu);
				results.emit(NAME, "login-logins_per_s", logins.perSecond(), "logins/s");
				emitLatencies(results, "login", logins);
				ok &= logins.errors() == 0;

				String token = api.login(StartupScenario.OWNER, StartupScenario.PASSWORD);
				StorecastApi.Response me = api.get("/api/v1/me", token);
				if (me.status() != 200) {
					throw new IllegalStateException("GET /api/v1/me answered " + me.status() + " " + me.body());
				}
				HttpRequest get = api.getRequest("/api/v1/me", token);
				LoadDriver.Outcome authed = LoadDriver.run("authenticated-get", api.client(), () -> get, 200,
						getClients, getWarmup, getMeasure, MAX_REQUESTS, cpu);
				results.emit(NAME, "authenticated-get-requests_per_s", authed.perSecond(), "req/s");
				emitLatencies(results, "authenticated-get", authed);
				ok &= authed.errors() == 0;

				HttpRequest health = api.getRequest("/actuator/health", null);
				LoadDriver.Outcome baseline = LoadDriver.run("baseline-health", api.client(), () -> health, 200,
						getClients, getWarmup, getMeasure, MAX_REQUESTS, cpu);
				results.emit(NAME, "baseline-health-requests_per_s", baseline.perSecond(), "req/s");
				emitLatencies(results, "baseline-health", baseline);
				ok &= baseline.errors() == 0;

				if (baseline.perSecond() > 0) {
					results.emit(NAME, "authenticated-get-to-baseline-health-throughput_ratio",
							authed.perSecond() / baseline.perSecond(), "ratio");
				}
			}
			results.emit(NAME, "rss_after_load", server.rssKiB() / 1024.0, "MiB");
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

	private static void emitLatencies(Results results, String part, LoadDriver.Outcome outcome) {
		results.emit(NAME, part + "-requests", outcome.requests(), "count");
		if (outcome.requests() > 0) {
			results.emit(NAME, part + "-latency_p50", outcome.latencies().percentileMillis(50), "ms");
			results.emit(NAME, part + "-latency_p99", outcome.latencies().percentileMillis(99), "ms");
			results.emit(NAME, part + "-latency_max", outcome.latencies().maxMillis(), "ms");
		}
		results.emit(NAME, part + "-errors", outcome.errors(), "count");
		results.emit(NAME, part + "-server_cpu_per_request", outcome.cpuMillisPerRequest(SERVER), "ms");
		results.emit(NAME, part + "-postgres_cpu_per_request", outcome.cpuMillisPerRequest(POSTGRES), "ms");
	}

	/** A duration in whole seconds from a system property, e.g. {@code -Dbench.get.seconds=5}. */
	static Duration seconds(String property, int defaultSeconds) {
		return Duration.ofSeconds(Integer.getInteger(property, defaultSeconds));
	}
}
