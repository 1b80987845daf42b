package io.storecast.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;

import tools.jackson.databind.JsonNode;

/**
 * A Storecast server for the WebSocket scenarios, with the gateway on its own free port, the
 * throttles that would refuse a load driver on one address lifted, and the REST calls that set up
 * stores, staff, customers and conversations. Closing it stops the server and deletes its data.
 */
final class StorecastFixture implements AutoCloseable {

	static final String OWNER = StartupScenario.OWNER;
	static final String OWNER_PASSWORD = StartupScenario.PASSWORD;
	static final String STAFF_PASSWORD = "Bench-Staff-Pass-2026";

	/** Minted customer tokens, by index. */
	record Customers(String[] tokens, String[] ids, Duration took, int distinct) {
	}

	final ServerProcess server;
	final StorecastApi api;
	final int gatewayPort;
	final Path work;
	final String ownerToken;
	final String headOffice;
	private String apiKey;

	private StorecastFixture(ServerProcess server, StorecastApi api, int gatewayPort, Path work, String ownerToken,
			String headOffice) {
		this.server = server;
		this.api = api;
		this.gatewayPort = gatewayPort;
		this.work = work;
		this.ownerToken = ownerToken;
		this.headOffice = headOffice;
	}

	/** Starts a server on a fresh data directory and logs the owner in. */
	static StorecastFixture start(String scenario) throws Exception {
		return start(scenario, List.of());
	}

	/** The same, with more Spring arguments for the server ({@code --key=value}). */
	static StorecastFixture start(String scenario, List<String> extraArgs) throws Exception {
		Path jar = ServerProcess.serverJar();
		Path work = Files.createTempDirectory("storecast-bench-" + scenario + "-");
		int gatewayPort = ServerProcess.freePort();
		ServerProcess server = null;
		StorecastApi api = null;
		try {
			List<String> args = new ArrayList<>(serverArgs(gatewayPort));
			args.addAll(extraArgs);
			server = ServerProcess.start(jar, work, work.resolve("postgres"), "server.log", OWNER_PASSWORD, args);
			Duration up = server.awaitUp(Duration.ofMinutes(3));
			Bench.progress("%s: server up in %d ms, gateway on 127.0.0.1:%d", scenario, up.toMillis(), gatewayPort);
			api = new StorecastApi(server.base());
			String owner = api.login(OWNER, OWNER_PASSWORD);
			String headOffice = StartupScenario.headOfficeId(api, owner);
			return new StorecastFixture(server, api, gatewayPort, work, owner, headOffice);
		}
		catch (Exception | Error e) {
			if (api != null) {
				api.close();
			}
			if (server != null) {
				server.stopQuietly();
			}
			ServerProcess.deleteTree(work);
			throw e;
		}
	}

	/** Spring arguments for a server under load from one address. */
	static List<String> serverArgs(int gatewayPort) {
		return List.of("--storecast.gateway.port=" + gatewayPort, "--storecast.gateway.address=127.0.0.1",
				"--storecast.identity.login-attempts-per-ip=1000000",
				"--storecast.identity.login-failures-per-account=1000000",
				"--storecast.identity.visitor-tokens-per-ip=1000000",
				"--storecast.gateway.frames-per-second=100000", "--storecast.gateway.frame-burst=100000");
	}

	URI wsUri(String token) {
		return URI.create("ws://127.0.0.1:" + gatewayPort + "/ws?token=" + token);
	}

	// --- setup over REST ------------------------------------------------------------------------

	String createStore(String code) throws Exception {
		StorecastApi.Response created = api.post("/api/v1/org/nodes", ownerToken,
				Map.of("parentId", headOffice, "kind", "STORE", "code", code, "name", "Bench store " + code));
		return idOf(created, 201, "creating store " + code);
	}

	/** Creates stores {@code prefix-0 … prefix-(n-1)} in parallel. */
	String[] createStores(String prefix, int n) throws Exception {
		String[] ids = new String[n];
		parallel("stores", n, 8, Duration.ofMinutes(2), i -> ids[i] = createStore(prefix + "-" + i));
		return ids;
	}

	String apiKey() throws Exception {
		if (apiKey == null) {
			StorecastApi.Response created = api.post("/api/v1/api-keys", ownerToken,
					Map.of("name", "bench", "scopes", List.of("customers:token")));
			if (created.status() != 201 || created.body().path("key").asString("").isBlank()) {
				throw new IllegalStateException("creating an API key failed: " + created.status() + " " + created.body());
			}
			apiKey = created.body().path("key").asString();
		}
		return apiKey;
	}

	/**
	 * Mints {@code count} customer tokens with the API key, {@code concurrency} at a time: customer
	 * {@code prefix-i} with home store {@code storeOf(i)}. With {@code distinct} &lt; count only that
	 * many customers get a token and the others reuse them round-robin.
	 */
	Customers mintCustomers(String prefix, int count, int distinct, IntFunction<String> storeOf, int concurrency)
			throws Exception {
		String key = apiKey();
		int unique = Math.max(1, Math.min(distinct, count));
		String[] tokens = new String[count];
		String[] ids = new String[count];
		long started = System.nanoTime();
		parallel("customer tokens", unique, concurrency, Duration.ofMinutes(5), i -> {
			Map<String, Object> profile = Map.of("homeStoreId", storeOf.apply(i), "nickname", "bench " + i);
			StorecastApi.Response minted = api.post("/api/v1/customers/tokens", key,
					Map.of("externalId", prefix + "-" + i, "profile", profile));
			if ((minted.status() != 201 && minted.status() != 200) || minted.body().path("accessToken").isMissingNode()) {
				throw new IllegalStateException("minting a customer token failed: " + minted.status() + " " + minted.body());
			}
			tokens[i] = minted.body().path("accessToken").asString();
			ids[i] = minted.body().path("customerId").asString();
		});
		Duration took = Duration.ofNanos(System.nanoTime() - started);
		for (int i = unique; i < count; i++) {
			tokens[i] = tokens[i % unique];
			ids[i] = ids[i % unique];
		}
		return new Customers(tokens, ids, took, unique);
	}

	/** Creates a clerk (or store manager) with a password and returns the staff id. */
	String createStaff(String username, String role, String orgNodeId) throws Exception {
		StorecastApi.Response created = api.post("/api/v1/staff", ownerToken, Map.of("username", username,
				"displayName", "Bench " + username, "role", role, "orgNodeId", orgNodeId, "password", STAFF_PASSWORD));
		return idOf(created, 201, "creating staff " + username);
	}

	String login(String username) throws Exception {
		return api.login(username, STAFF_PASSWORD);
	}

	/** A customer opens (or finds) the direct conversation with a store; returns its id. */
	String openDirect(String customerToken, String storeId) throws Exception {
		StorecastApi.Response opened = api.post("/api/v1/conversations/direct", customerToken, Map.of("storeId", storeId));
		if (opened.status() != 200 && opened.status() != 201) {
			throw new IllegalStateException("opening a direct conversation failed: " + opened.status() + " " + opened.body());
		}
		return opened.body().path("id").asString();
	}

	/** Creates a group owned by {@code token}'s staff member with the given participants (at most 2,000 per call). */
	String createGroup(String token, String orgNodeId, String title, List<String> members, int memberLimit)
			throws Exception {
		List<String> first = members.subList(0, Math.min(2000, members.size()));
		StorecastApi.Response created = api.post("/api/v1/conversations", token, Map.of("kind", "GROUP", "orgNodeId",
				orgNodeId, "title", title, "members", first, "memberLimit", memberLimit));
		String id = idOf(created, 201, "creating group " + title);
		for (int from = 2000; from < members.size(); from += 2000) {
			StorecastApi.Response added = api.post("/api/v1/conversations/" + id + "/members", token,
					Map.of("participants", members.subList(from, Math.min(from + 2000, members.size()))));
			if (added.status() / 100 != 2) {
				throw new IllegalStateException("adding members failed: " + added.status() + " " + added.body());
			}
		}
		return id;
	}

	/** Sends a text message over REST; returns its seq. */
	long sendRest(String token, String conversationId, String clientMsgId, String text) throws Exception {
		HttpRequest request = HttpRequest.newBuilder(api.uri("/api/v1/conversations/" + conversationId + "/messages"))
			.timeout(Duration.ofSeconds(30))
			.header("Content-Type", "application/json")
			.header("Authorization", "Bearer " + token)
			.header("Idempotency-Key", clientMsgId)
			.POST(HttpRequest.BodyPublishers.ofString(
					StorecastApi.JSON.writeValueAsString(Map.of("kind", "TEXT", "body", Map.of("text", text)))))
			.build();
		StorecastApi.Response sent = api.send(request);
		if (sent.status() != 201 && sent.status() != 200) {
			throw new IllegalStateException("sending over REST failed: " + sent.status() + " " + sent.body());
		}
		JsonNode seq = sent.body().path("message").path("seq");
		if (!seq.canConvertToLong()) {
			throw new IllegalStateException("no message.seq in " + sent.body());
		}
		return seq.asLong();
	}

	private static String idOf(StorecastApi.Response response, int expected, String what) {
		if (response.status() != expected || response.body().path("id").asString("").isBlank()) {
			throw new IllegalStateException(what + " failed: " + response.status() + " " + response.body());
		}
		return response.body().path("id").asString();
	}

	// --- measuring the server -------------------------------------------------------------------

	/** Asks the server JVM for a full GC (jcmd GC.run) and returns heap used afterwards, from /actuator/prometheus. */
	long heapUsedAfterGc() throws Exception {
		fullGc(server.pid());
		return (long) prometheus("jvm_memory_used_bytes", "area=\"heap\"");
	}

	/** The gateway's connection gauge. */
	long gatewayConnections() throws Exception {
		return (long) prometheus("storecast_gateway_connections", "");
	}

	/** Sum of the samples of a Prometheus metric whose labels contain {@code labelFilter}. */
	double prometheus(String metric, String labelFilter) throws IOException, InterruptedException {
		return sumMetric(exposition(api), metric, labelFilter);
	}

	/** The server's whole Prometheus scrape ({@code /actuator/prometheus}). */
	static String exposition(StorecastApi api) throws IOException, InterruptedException {
		HttpResponse<String> response = api.client()
			.send(HttpRequest.newBuilder(api.uri("/actuator/prometheus")).timeout(Duration.ofSeconds(20)).GET().build(),
					HttpResponse.BodyHandlers.ofString());
		if (response.statusCode() != 200) {
			throw new IllegalStateException("GET /actuator/prometheus answered " + response.statusCode());
		}
		return response.body();
	}

	static double sumMetric(String exposition, String metric, String labelFilter) {
		double sum = 0;
		boolean found = false;
		for (String line : exposition.split("\n")) {
			if (line.startsWith(metric) && (line.length() > metric.length())
					&& (line.charAt(metric.length()) == '{' || line.charAt(metric.length()) == ' ')
					&& line.contains(labelFilter)) {
				String[] parts = line.trim().split("\\s+");
				sum += Double.parseDouble(parts[parts.length - 1]);
				found = true;
			}
		}
		if (!found) {
			throw new IllegalStateException("no " + metric + " {" + labelFilter + "} in /actuator/prometheus");
		}
		return sum;
	}

	/** Runs {@code jcmd <pid> GC.run} with the jcmd beside this JVM's java binary; waits at most 60 s. */
	static void fullGc(long pid) throws IOException, InterruptedException {
		Path java = Path.of(ProcessHandle.current().info().command().orElseThrow());
		Path jcmd = java.resolveSibling("jcmd");
		Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "GC.run").redirectErrorStream(true)
			.redirectOutput(ProcessBuilder.Redirect.DISCARD)
			.start();
		if (!p.waitFor(60, TimeUnit.SECONDS)) {
			p.destroyForcibly();
			throw new IllegalStateException("jcmd " + pid + " GC.run did not finish within 60 s");
		}
		if (p.exitValue() != 0) {
			throw new IllegalStateException("jcmd " + pid + " GC.run exited with " + p.exitValue());
		}
	}

	/** Resident set size of a process in bytes, from /proc. */
	static long rssBytes(long pid) {
		return ServerProcess.readProcField(pid, "status", "VmRSS:").orElse(0) * 1024;
	}

	// --- helpers --------------------------------------------------------------------------------

	interface Task {
		void run(int i) throws Exception;
	}

	/**
	 * Runs {@code task(0 … n-1)} on virtual threads, {@code concurrency} at a time, within
	 * {@code timeout}; fails with the first error (after the others finished or were cut off).
	 */
	static void parallel(String what, int n, int concurrency, Duration timeout, Task task) throws Exception {
		Semaphore permits = new Semaphore(concurrency);
		AtomicReference<Exception> failure = new AtomicReference<>();
		AtomicInteger failures = new AtomicInteger();
		Map<String, Integer> kinds = new ConcurrentHashMap<>();
		long deadline = System.nanoTime() + timeout.toNanos();
		long started = System.nanoTime();
		try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
			for (int i = 0; i < n && failure.get() == null; i++) {
				if (!permits.tryAcquire(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
					failure.compareAndSet(null, new IllegalStateException(what + ": not done within " + timeout));
					break;
				}
				int index = i;
				pool.submit(() -> {
					try {
						task.run(index);
					}
					catch (Exception e) {
						failures.incrementAndGet();
						kinds.merge(WsDriver.kind(e), 1, Integer::sum);
						failure.compareAndSet(null, e);
					}
					finally {
						permits.release();
					}
				});
			}
			pool.shutdown();
			if (!pool.awaitTermination(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
				pool.shutdownNow();
				failure.compareAndSet(null, new IllegalStateException(what + ": not done within " + timeout));
			}
		}
		if (failure.get() != null) {
			Bench.progress("%s: %d failures %s", what, failures.get(), new TreeMap<>(kinds));
			throw failure.get();
		}
		Bench.progress("%s: %d in %.1f s", what, n, (System.nanoTime() - started) / 1e9);
	}

	/** Bytes per item, for a delta over n items. */
	static double per(long delta, int n) {
		return n == 0 ? 0 : (double) delta / n;
	}

	static List<String> participants(String kind, String[] ids) {
		List<String> list = new ArrayList<>(ids.length);
		for (String id : ids) {
			list.add(kind + ":" + id);
		}
		return list;
	}

	@Override
	public void close() {
		try {
			api.close();
		}
		finally {
			server.stopQuietly();
			ServerProcess.deleteTree(work);
		}
	}
}
