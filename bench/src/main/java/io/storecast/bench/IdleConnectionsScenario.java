package io.storecast.bench;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@code idle-connections}: N authenticated WebSocket connections that only ping (every 20 s, the
 * server closes after 60 s of silence), each with its own customer session by default. Reports how
 * long establishing them took, the server's RSS and heap before and after (both after a full GC in
 * the server, so the figures are what the connections retain, not garbage), the cost per connection,
 * and how many were still open after the hold.
 * <p>
 * {@code -Dbench.connections=15000}, {@code -Dbench.idle.distinctTokens=} (default: one customer
 * per connection; fewer reuse the tokens round-robin), {@code -Dbench.idle.hold=20} (s),
 * {@code -Dbench.idle.ping=20} (s), {@code -Dbench.ws.inFlight=256} (connects pending at once).
 */
final class IdleConnectionsScenario implements Scenario {

	static final String NAME = "idle-connections";
	static final String PING = "{\"type\":\"ping\",\"id\":\"p\"}";

	@Override
	public String name() {
		return NAME;
	}

	/** Counts pongs and closes; shared by every connection. */
	static final class IdleListener implements WsDriver.Listener {

		final LongAdder pongs = new LongAdder();
		final LongAdder other = new LongAdder();
		final Map<Integer, LongAdder> closes = new ConcurrentHashMap<>();

		@Override
		public void onText(WsDriver.WsConnection connection, String text) {
			if (text.startsWith("{\"type\":\"pong\"") || text.contains("\"type\":\"pong\"")) {
				pongs.increment();
			}
			else {
				other.increment();
			}
		}

		@Override
		public void onClose(WsDriver.WsConnection connection, int closeCode) {
			closes.computeIfAbsent(closeCode, k -> new LongAdder()).increment();
		}

		Map<Integer, Long> closes() {
			Map<Integer, Long> m = new TreeMap<>();
			closes.forEach((k, v) -> m.put(k, v.sum()));
			return m;
		}
	}

	/** This (driver) JVM's heap used after a full GC. */
	static long driverHeapAfterGc() {
		System.gc();
		return java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
	}

	@Override
	public boolean run(Results results) throws Exception {
		int n = Integer.getInteger("bench.connections", 15_000);
		int distinct = Integer.getInteger("bench.idle.distinctTokens", n);
		Duration hold = AuthScenario.seconds("bench.idle.hold", 20);
		Duration ping = AuthScenario.seconds("bench.idle.ping", 20);
		int inFlight = Integer.getInteger("bench.ws.inFlight", 256);
		try (StorecastFixture fx = StorecastFixture.start(NAME); WsDriver driver = new WsDriver()) {
			String store = fx.createStore("IDLE-1");
			StorecastFixture.Customers customers = fx.mintCustomers("idle", n, distinct, i -> store, 32);
			results.emit(NAME, "distinct_customer_tokens", customers.distinct(), "count");
			results.emit(NAME, "token_mint_rate", customers.distinct() / (customers.took().toNanos() / 1e9), "tokens/s");

			long heapBefore = fx.heapUsedAfterGc();
			long rssBefore = StorecastFixture.rssBytes(fx.server.pid());
			long driverHeapBefore = driverHeapAfterGc();
			long cpuBefore = fx.server.cpuNanos();

			IdleListener listener = new IdleListener();
			Bench.progress("%s: opening %d connections (%d distinct customers), %d at a time", NAME, n, customers.distinct(),
					inFlight);
			WsDriver.Batch batch = driver.connectAll(n, i -> fx.wsUri(customers.tokens()[i]), i -> listener, inFlight,
					Duration.ofMinutes(5), ping, PING);
			int established = batch.open().size();
			double seconds = batch.took().toNanos() / 1e9;
			Bench.progress("%s: %d established in %.1f s (%d failed %s)", NAME, established, seconds, batch.failed(),
					batch.failures());
			results.emit(NAME, "connections_requested", n, "count");
			results.emit(NAME, "connections_established", established, "count");
			results.emit(NAME, "connect_failures", batch.failed(), "count");
			results.emit(NAME, "time_to_establish", batch.took().toMillis(), "ms");
			results.emit(NAME, "establish_rate", established / seconds, "connections/s");
			results.emit(NAME, "server_cpu_per_connection_established",
					(fx.server.cpuNanos() - cpuBefore) / 1e6 / Math.max(1, established), "ms");

			long rssNoGc = StorecastFixture.rssBytes(fx.server.pid());
			long gauge = fx.gatewayConnections();
			long heapAfter = fx.heapUsedAfterGc();
			long rssAfter = StorecastFixture.rssBytes(fx.server.pid());
			long driverHeapAfter = driverHeapAfterGc();
			results.emit(NAME, "server_gateway_connections_gauge", gauge, "count");
			results.emit(NAME, "server_rss_before", rssBefore / 1048576.0, "MiB");
			results.emit(NAME, "server_rss_after", rssAfter / 1048576.0, "MiB");
			results.emit(NAME, "server_rss_after_before_gc", rssNoGc / 1048576.0, "MiB");
			results.emit(NAME, "server_heap_before", heapBefore / 1048576.0, "MiB");
			results.emit(NAME, "server_heap_after", heapAfter / 1048576.0, "MiB");
			results.emit(NAME, "rss_per_connection", StorecastFixture.per(rssAfter - rssBefore, established), "bytes");
			results.emit(NAME, "heap_per_connection", StorecastFixture.per(heapAfter - heapBefore, established), "bytes");
			results.emit(NAME, "driver_heap_per_connection",
					StorecastFixture.per(driverHeapAfter - driverHeapBefore, established), "bytes");
			var pss = fx.server.postgresPssKiB();
			if (pss.isPresent()) {
				results.emit(NAME, "postgres_pss_after", pss.getAsLong() / 1024.0, "MiB");
			}

			// hold: only pings
			Bench.progress("%s: holding %d connections for %d s (pings every %d s)", NAME, established, hold.toSeconds(),
					ping.toSeconds());
			long pongsBefore = listener.pongs.sum();
			long holdCpu = fx.server.cpuNanos();
			long holdStart = System.nanoTime();
			long holdEnd = holdStart + hold.toNanos();
			while (System.nanoTime() - holdEnd < 0) {
				Thread.sleep(Math.min(1000, Math.max(1, (holdEnd - System.nanoTime()) / 1_000_000)));
			}
			double holdSeconds = (System.nanoTime() - holdStart) / 1e9;
			long holdCpuNanos = fx.server.cpuNanos() - holdCpu;
			long pongs = listener.pongs.sum() - pongsBefore;
			long stillOpen = batch.open().stream().filter(WsDriver.WsConnection::isOpen).count();
			long serverGauge = fx.gatewayConnections();
			results.emit(NAME, "hold_seconds", holdSeconds, "s");
			results.emit(NAME, "still_open_after_hold", stillOpen, "count");
			results.emit(NAME, "server_gateway_connections_after_hold", serverGauge, "count");
			results.emit(NAME, "pongs_during_hold", pongs, "count");
			results.emit(NAME, "server_cpu_while_idle", holdCpuNanos / 1e9 / holdSeconds, "cores");
			if (!listener.closes().isEmpty()) {
				Bench.progress("%s: connections closed during the run, by close code: %s", NAME, listener.closes());
			}
			boolean ok = established == n && stillOpen == n;
			if (!ok) {
				Bench.progress("%s: %d of %d established, %d still open after the hold", NAME, established, n, stillOpen);
			}
			driver.dropAll(Duration.ofSeconds(30));
			return ok;
		}
	}
}
