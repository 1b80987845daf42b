package io.storecast.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * {@code direct-throughput}: P pairs, each a customer and the clerk of the customer's own store
 * (one store per pair, so each direct conversation has exactly these two members), both online.
 * Messages go round-robin over the pairs, alternately from the customer and from the clerk, paced
 * open-loop at a target aggregate rate; the other side measures send→receive latency. The rate
 * steps up (after a warm-up) until a step misses the bound: p99 above 50 ms, an error, a missing
 * message, or fewer than 95 % acked. Every send is committed (with fsync) before its ack.
 * <p>
 * {@code -Dbench.direct.pairs=200}, {@code -Dbench.direct.rates=250,500,1000,2000,4000},
 * {@code -Dbench.direct.seconds=20} per step, {@code -Dbench.direct.warmup=5},
 * {@code -Dbench.direct.drain=5} (s to wait for the last acks and pushes of a step).
 */
final class DirectThroughputScenario implements Scenario {

	static final String NAME = "direct-throughput";
	static final double P99_BOUND_MS = 50;

	@Override
	public String name() {
		return NAME;
	}

	/** Load settings shared with the baseline, so both run the same shape. */
	record Shape(int pairs, double[] rates, Duration step, Duration warmup, Duration drain) {

		static Shape fromProperties() {
			double[] rates = Arrays.stream(System.getProperty("bench.direct.rates", "250,500,1000,2000,4000").split(","))
				.map(String::trim)
				.filter(s -> !s.isEmpty())
				.mapToDouble(Double::parseDouble)
				.toArray();
			return new Shape(Integer.getInteger("bench.direct.pairs", 200), rates,
					AuthScenario.seconds("bench.direct.seconds", 20), AuthScenario.seconds("bench.direct.warmup", 5),
					AuthScenario.seconds("bench.direct.drain", 5));
		}
	}

	/**
	 * The plan for pairs whose connections are at indexes 2p (side A) and 2p+1 (side B): message m
	 * belongs to pair m mod P and goes A→B on even rounds, B→A on odd ones.
	 */
	static MessageLoad.Plan pairPlan(WsDriver.WsConnection[] connections, String[] conversations) {
		int pairs = conversations.length;
		int[][] single = new int[pairs * 2][];
		for (int r = 0; r < single.length; r++) {
			single[r] = new int[] { r };
		}
		return new MessageLoad.Plan() {
			@Override
			public WsDriver.WsConnection sender(int m) {
				int pair = m % pairs;
				int side = (m / pairs) % 2;
				return connections[2 * pair + side];
			}

			@Override
			public String conversation(int m) {
				return conversations[m % pairs];
			}

			@Override
			public int[] audience(int m) {
				int pair = m % pairs;
				int side = (m / pairs) % 2;
				return single[2 * pair + 1 - side];
			}
		};
	}

	/**
	 * Warm-up, then the steps in order until one is not sustained; emits each step as
	 * {@code <prefix>rate_<r>-...} and returns the highest sustained rate (0 if none).
	 */
	static double stepUp(Results results, String scenario, String prefix, MessageLoad load, Shape shape,
			Map<String, LongSupplier> cpu) throws InterruptedException {
		if (!shape.warmup().isZero()) {
			Bench.progress("%s: warm-up at %.0f msg/s for %d s", scenario, shape.rates()[0], shape.warmup().toSeconds());
			load.run("warm-up", 0, shape.rates()[0], shape.warmup(), shape.drain(), cpu);
		}
		double highest = 0;
		List<MessageLoad.Step> steps = new ArrayList<>();
		for (int k = 0; k < shape.rates().length; k++) {
			double rate = shape.rates()[k];
			String label = String.format("rate_%.0f", rate);
			MessageLoad.Step step = load.run(label, k + 1, rate, shape.step(), shape.drain(), cpu);
			steps.add(step);
			step.emit(results, scenario, prefix + label + "-");
			if (!step.sustained(P99_BOUND_MS)) {
				Bench.progress("%s: %.0f msg/s is not sustained (p99 %.1f ms, errors %d, missing %d, acked %.0f/s): stop stepping",
						scenario, rate, step.p(99), step.errors(), step.missing(), step.ackedRate());
				break;
			}
			highest = rate;
		}
		results.emit(scenario, prefix + "highest_sustained_rate_p99_under_50ms", highest, "msg/s");
		if (load.stale() > 0) {
			Bench.progress("%s: %d frames of earlier steps arrived late", scenario, load.stale());
		}
		return highest;
	}

	@Override
	public boolean run(Results results) throws Exception {
		Shape shape = Shape.fromProperties();
		int pairs = shape.pairs();
		try (StorecastFixture fx = StorecastFixture.start(NAME); WsDriver driver = new WsDriver()) {
			long setupStart = System.nanoTime();
			String[] stores = fx.createStores("DT", pairs);
			String[] clerkTokens = new String[pairs];
			StorecastFixture.parallel("clerks (create + login)", pairs, 4, Duration.ofMinutes(5), i -> {
				fx.createStaff("dt-clerk-" + i, "CLERK", stores[i]);
				clerkTokens[i] = fx.login("dt-clerk-" + i);
			});
			StorecastFixture.Customers customers = fx.mintCustomers("dt", pairs, pairs, i -> stores[i], 16);
			String[] conversations = new String[pairs];
			StorecastFixture.parallel("direct conversations", pairs, 16, Duration.ofMinutes(2),
					i -> conversations[i] = fx.openDirect(customers.tokens()[i], stores[i]));
			results.emit(NAME, "setup_time", (System.nanoTime() - setupStart) / 1e6, "ms");

			WsDriver.WsConnection[] connections = new WsDriver.WsConnection[2 * pairs];
			MessageLoad load = new MessageLoad(2 * pairs, null);
			WsDriver.Batch batch = driver.connectAll(2 * pairs,
					i -> fx.wsUri(i % 2 == 0 ? customers.tokens()[i / 2] : clerkTokens[i / 2]), i -> load, 128,
					Duration.ofMinutes(2), Duration.ofSeconds(20), IdleConnectionsScenario.PING);
			if (batch.failed() > 0) {
				throw new IllegalStateException(batch.failed() + " connections failed: " + batch.failures());
			}
			batch.open().forEach(c -> connections[c.index()] = c);
			load.plan(pairPlan(connections, conversations));
			results.emit(NAME, "pairs", pairs, "count");
			results.emit(NAME, "connections", batch.open().size(), "count");

			double highest = stepUp(results, NAME, "", load, shape, MessageLoad.cpuMeters(fx.server));
			Bench.progress("%s: highest sustained rate %.0f msg/s; closes seen: %s", NAME, highest, load.closeCodes());
			driver.dropAll(Duration.ofSeconds(20));
			return highest > 0;
		}
	}
}
