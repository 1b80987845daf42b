package io.storecast.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.function.LongSupplier;

import tools.jackson.databind.JsonNode;

/**
 * {@code ws-baseline}: the same driver and the same shapes against {@link BareWsServer} in a child
 * JVM (no authentication, no database): idle connection memory, relay throughput at the
 * direct-throughput steps, and the group fan-out. Where Storecast's figure for the same thing is
 * known — from the scenarios that ran earlier in this run, or from an earlier run's output given
 * with {@code -Dbench.baseline.compareWith=results.jsonl} — it also emits
 * {@code <figure>-ratio_to_baseline} (Storecast / baseline).
 * <p>
 * Shapes come from the same properties as the Storecast scenarios ({@code bench.connections},
 * {@code bench.direct.*}, {@code bench.group.*}); {@code -Dbench.baseline.hold=10} (s) for the idle part (the idle CPU is a
 * rate, so it compares with {@code idle-connections}' 20 s hold).
 */
final class WsBaselineScenario implements Scenario {

	static final String NAME = "ws-baseline";

	@Override
	public String name() {
		return NAME;
	}

	@Override
	public boolean run(Results results) throws Exception {
		loadComparison(results);
		int n = Integer.getInteger("bench.connections", 15_000);
		Duration hold = AuthScenario.seconds("bench.baseline.hold", 10);
		int inFlight = Integer.getInteger("bench.ws.inFlight", 256);
		Path work = Files.createTempDirectory("storecast-bench-baseline-");
		boolean ok = true;
		try (BareServerProcess bare = BareServerProcess.start(work)) {
			Map<String, LongSupplier> cpu = new LinkedHashMap<>();
			cpu.put("server", bare::cpuNanos);
			cpu.put("driver", () -> ServerProcess.cpuNanos(ProcessHandle.current()));

			// 1. idle connections
			try (WsDriver driver = new WsDriver()) {
				long heapBefore = bare.heapUsedAfterGc();
				long rssBefore = StorecastFixture.rssBytes(bare.pid());
				IdleConnectionsScenario.IdleListener listener = new IdleConnectionsScenario.IdleListener();
				WsDriver.Batch batch = driver.connectAll(n, i -> bare.wsUri(null), i -> listener, inFlight,
						Duration.ofMinutes(5), Duration.ofSeconds(20), IdleConnectionsScenario.PING);
				int established = batch.open().size();
				long heapAfter = bare.heapUsedAfterGc();
				long rssAfter = StorecastFixture.rssBytes(bare.pid());
				long pongsBefore = listener.pongs.sum();
				long holdCpu = bare.cpuNanos();
				long holdStart = System.nanoTime();
				Thread.sleep(hold.toMillis());
				long holdCpuNanos = bare.cpuNanos() - holdCpu;
				double idleCores = holdCpuNanos / 1e9 / ((System.nanoTime() - holdStart) / 1e9);
				long pongs = listener.pongs.sum() - pongsBefore;
				long stillOpen = batch.open().stream().filter(WsDriver.WsConnection::isOpen).count();
				results.emit(NAME, "idle-connections_established", established, "count");
				results.emit(NAME, "idle-time_to_establish", batch.took().toMillis(), "ms");
				results.emit(NAME, "idle-establish_rate", established / (batch.took().toNanos() / 1e9), "connections/s");
				results.emit(NAME, "idle-server_rss_before", rssBefore / 1048576.0, "MiB");
				results.emit(NAME, "idle-server_rss_after", rssAfter / 1048576.0, "MiB");
				results.emit(NAME, "idle-server_heap_before", heapBefore / 1048576.0, "MiB");
				results.emit(NAME, "idle-server_heap_after", heapAfter / 1048576.0, "MiB");
				results.emit(NAME, "idle-rss_per_connection", StorecastFixture.per(rssAfter - rssBefore, established), "bytes");
				results.emit(NAME, "idle-heap_per_connection", StorecastFixture.per(heapAfter - heapBefore, established), "bytes");
				results.emit(NAME, "idle-still_open_after_hold", stillOpen, "count");
				results.emit(NAME, "idle-server_cpu_while_idle", idleCores, "cores");
				results.emit(NAME, "idle-pongs_during_hold", pongs, "count");
				ok &= established == n && stillOpen == n;
				ratio(results, "idle-rss_per_connection", IdleConnectionsScenario.NAME, "rss_per_connection");
				ratio(results, "idle-heap_per_connection", IdleConnectionsScenario.NAME, "heap_per_connection");
				ratio(results, "idle-time_to_establish", IdleConnectionsScenario.NAME, "time_to_establish");
				ratio(results, "idle-server_cpu_while_idle", IdleConnectionsScenario.NAME, "server_cpu_while_idle");
				driver.dropAll(Duration.ofSeconds(30));
			}
			awaitEmpty(bare);

			// 2. relay throughput, the direct-throughput shape
			DirectThroughputScenario.Shape shape = DirectThroughputScenario.Shape.fromProperties();
			try (WsDriver driver = new WsDriver()) {
				int pairs = shape.pairs();
				String[] rooms = new String[pairs];
				for (int p = 0; p < pairs; p++) {
					rooms[p] = "pair-" + p;
				}
				MessageLoad load = new MessageLoad(2 * pairs, null);
				WsDriver.Batch batch = driver.connectAll(2 * pairs, i -> bare.wsUri(rooms[i / 2]), i -> load, 128,
						Duration.ofMinutes(2), Duration.ofSeconds(20), IdleConnectionsScenario.PING);
				if (batch.failed() > 0) {
					throw new IllegalStateException(batch.failed() + " connections failed: " + batch.failures());
				}
				WsDriver.WsConnection[] connections = new WsDriver.WsConnection[2 * pairs];
				batch.open().forEach(c -> connections[c.index()] = c);
				load.plan(DirectThroughputScenario.pairPlan(connections, rooms));
				double highest = DirectThroughputScenario.stepUp(results, NAME, "relay-", load, shape, cpu);
				ok &= highest > 0;
				ratio(results, "relay-highest_sustained_rate_p99_under_50ms", DirectThroughputScenario.NAME,
						"highest_sustained_rate_p99_under_50ms");
				for (double rate : shape.rates()) {
					String label = String.format("rate_%.0f-", rate);
					for (String figure : List.of("latency_p50", "latency_p99", "acked_rate", "delivered_rate")) {
						ratio(results, "relay-" + label + figure, DirectThroughputScenario.NAME, label + figure);
					}
				}
				driver.dropAll(Duration.ofSeconds(20));
			}
			awaitEmpty(bare);

			// 3. broadcast, the group-fanout shape
			GroupFanoutScenario.Shape group = GroupFanoutScenario.Shape.fromProperties();
			try (WsDriver driver = new WsDriver()) {
				int members = group.members();
				MessageLoad load = new MessageLoad(members, null);
				WsDriver.Batch batch = driver.connectAll(members + 1, i -> bare.wsUri("group"), i -> load, 256,
						Duration.ofMinutes(2), Duration.ofSeconds(20), IdleConnectionsScenario.PING);
				if (batch.failed() > 0) {
					throw new IllegalStateException(batch.failed() + " connections failed: " + batch.failures());
				}
				WsDriver.WsConnection sender = batch.open().stream().filter(c -> c.index() == members).findFirst()
					.orElseThrow();
				load.plan(GroupFanoutScenario.fanoutPlan(sender, "group", members));
				MessageLoad.Step step = GroupFanoutScenario.fanOut(results, NAME, "broadcast-", load, group, cpu);
				ok &= step.missing() == 0 && step.duplicates() == 0 && step.errors() == 0;
				for (String figure : List.of("deliveries_per_s", "latency_p50", "latency_p99", "latency_max", "cpu_server")) {
					ratio(results, "broadcast-" + figure, GroupFanoutScenario.NAME, figure);
				}
				driver.dropAll(Duration.ofSeconds(20));
			}
			return ok;
		}
		finally {
			ServerProcess.deleteTree(work);
		}
	}

	/** Emits {@code <baselineMetric>-ratio_to_baseline} = Storecast's figure / the baseline's, when both are known and non-zero. */
	private static void ratio(Results results, String baselineMetric, String storecastScenario, String storecastMetric) {
		OptionalDouble base = results.value(NAME, baselineMetric);
		OptionalDouble storecast = results.value(storecastScenario, storecastMetric);
		if (base.isPresent() && storecast.isPresent() && base.getAsDouble() != 0) {
			results.emit(NAME, baselineMetric + "-ratio_to_baseline", storecast.getAsDouble() / base.getAsDouble(), "ratio");
		}
	}

	/** Storecast figures from an earlier run's JSON lines, for the ratios. */
	private static void loadComparison(Results results) throws Exception {
		String file = System.getProperty("bench.baseline.compareWith");
		if (file == null || file.isBlank()) {
			return;
		}
		int n = 0;
		for (String line : Files.readAllLines(Path.of(file))) {
			JsonNode node = Frames.tree(line);
			if (node != null && node.path("value").isNumber()) {
				results.remember(node.path("scenario").asString(), node.path("metric").asString(),
						node.path("value").asDouble());
				n++;
			}
		}
		Bench.progress("%s: compares with %d figures from %s", NAME, n, file);
	}

	/** Waits (bounded) until the bare server has seen every connection of the previous part go. */
	private static void awaitEmpty(BareServerProcess bare) throws Exception {
		long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
		while (bare.connections() > 0 && System.nanoTime() - until < 0) {
			Thread.sleep(50);
		}
	}
}
