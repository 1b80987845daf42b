package io.storecast.bench;

import java.time.Duration;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * {@code group-fanout}: one GROUP with R customer members (default 2,000), all connected, and its
 * owner (the head-office owner account) sending 50 messages a second into it for 20 s: R × 50
 * pushes a second. Reports deliveries per second, send→receive latency over all deliveries,
 * missing and duplicate deliveries.
 * <p>
 * {@code -Dbench.group.members=2000}, {@code -Dbench.group.rate=50}, {@code -Dbench.group.seconds=20},
 * {@code -Dbench.group.warmup=3}, {@code -Dbench.group.drain=10}.
 */
final class GroupFanoutScenario implements Scenario {

	static final String NAME = "group-fanout";

	@Override
	public String name() {
		return NAME;
	}

	/** Shape shared with the baseline. */
	record Shape(int members, double rate, Duration duration, Duration warmup, Duration drain) {

		static Shape fromProperties() {
			return new Shape(Integer.getInteger("bench.group.members", 2000),
					Double.parseDouble(System.getProperty("bench.group.rate", "50")),
					AuthScenario.seconds("bench.group.seconds", 20), AuthScenario.seconds("bench.group.warmup", 3),
					AuthScenario.seconds("bench.group.drain", 10));
		}
	}

	/** One sender (not a receiver) into one conversation; every receiver 0 … R-1 gets every message. */
	static MessageLoad.Plan fanoutPlan(WsDriver.WsConnection sender, String conversation, int receivers) {
		int[] all = new int[receivers];
		for (int r = 0; r < receivers; r++) {
			all[r] = r;
		}
		return new MessageLoad.Plan() {
			@Override
			public WsDriver.WsConnection sender(int m) {
				return sender;
			}

			@Override
			public String conversation(int m) {
				return conversation;
			}

			@Override
			public int[] audience(int m) {
				return all;
			}
		};
	}

	/** Warm-up, then the measured period; emits {@code <prefix>...} figures and returns the step. */
	static MessageLoad.Step fanOut(Results results, String scenario, String prefix, MessageLoad load, Shape shape,
			Map<String, LongSupplier> cpu) throws InterruptedException {
		if (!shape.warmup().isZero()) {
			load.run("warm-up", 0, shape.rate(), shape.warmup(), shape.drain(), cpu);
		}
		MessageLoad.Step step = load.run("fan-out", 1, shape.rate(), shape.duration(), shape.drain(), cpu);
		results.emit(scenario, prefix + "members_online", shape.members(), "count");
		results.emit(scenario, prefix + "messages_sent", step.sent(), "count");
		results.emit(scenario, prefix + "send_rate", step.offeredRate(), "msg/s");
		results.emit(scenario, prefix + "deliveries_per_s", step.deliveredRate(), "deliveries/s");
		results.emit(scenario, prefix + "expected_deliveries_per_s", step.expectedDeliveries() / step.seconds(),
				"deliveries/s");
		results.emit(scenario, prefix + "deliveries", step.delivered(), "count");
		if (step.delivery().count() > 0) {
			results.emit(scenario, prefix + "latency_p50", step.p(50), "ms");
			results.emit(scenario, prefix + "latency_p99", step.p(99), "ms");
			results.emit(scenario, prefix + "latency_max", step.p(100), "ms");
		}
		if (step.ack().count() > 0) {
			results.emit(scenario, prefix + "ack_latency_p99", step.ackP(99), "ms");
		}
		results.emit(scenario, prefix + "errors", step.errors(), "count");
		results.emit(scenario, prefix + "missing", step.missing(), "count");
		results.emit(scenario, prefix + "duplicates", step.duplicates(), "count");
		if (step.unexpected() > 0) {
			results.emit(scenario, prefix + "unexpected", step.unexpected(), "count");
		}
		step.cores().forEach((process, c) -> results.emit(scenario, prefix + "cpu_" + process, c, "cores"));
		return step;
	}

	@Override
	public boolean run(Results results) throws Exception {
		Shape shape = Shape.fromProperties();
		int members = shape.members();
		try (StorecastFixture fx = StorecastFixture.start(NAME); WsDriver driver = new WsDriver()) {
			String store = fx.createStore("GROUP-1");
			StorecastFixture.Customers customers = fx.mintCustomers("grp", members, members, i -> store, 32);
			long created = System.nanoTime();
			String group = fx.createGroup(fx.ownerToken, store, "Bench group",
					StorecastFixture.participants("customer", customers.ids()), members + 500);
			results.emit(NAME, "create_group_time", (System.nanoTime() - created) / 1e6, "ms");

			MessageLoad load = new MessageLoad(members, null);
			// receivers 0 … R-1 are the customers; index R is the owner, who sends
			WsDriver.Batch batch = driver.connectAll(members + 1,
					i -> fx.wsUri(i < members ? customers.tokens()[i] : fx.ownerToken), i -> load, 256,
					Duration.ofMinutes(3), Duration.ofSeconds(20), IdleConnectionsScenario.PING);
			if (batch.failed() > 0) {
				throw new IllegalStateException(batch.failed() + " connections failed: " + batch.failures());
			}
			WsDriver.WsConnection owner = batch.open().stream().filter(c -> c.index() == members).findFirst().orElseThrow();
			load.plan(fanoutPlan(owner, group, members));

			MessageLoad.Step step = fanOut(results, NAME, "", load, shape, MessageLoad.cpuMeters(fx.server));
			Bench.progress("%s: closes seen: %s", NAME, load.closeCodes());
			driver.dropAll(Duration.ofSeconds(20));
			return step.missing() == 0 && step.duplicates() == 0 && step.errors() == 0 && step.unanswered() == 0;
		}
	}
}
