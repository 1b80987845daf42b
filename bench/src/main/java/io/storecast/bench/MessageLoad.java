package io.storecast.bench;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

import tools.jackson.databind.JsonNode;

/**
 * Open-loop message load over WebSocket connections that are already open: steps of a target rate,
 * each with its own {@link DeliveryLedger}. The {@link Plan} says who sends message {@code m}, into
 * which conversation, and which receivers (connection indexes) must get it. Works against Storecast
 * and against {@link BareWsServer}, which speak the same frames ({@code send} → {@code ack} to the
 * sender, {@code message} push to the other members).
 * <p>
 * Request ids and client message ids are {@code s<step>-<m>}, so frames of an earlier step (late
 * acks, late pushes) are told apart and counted as stale instead of polluting the step.
 */
final class MessageLoad implements WsDriver.Listener {

	interface Plan {
		WsDriver.WsConnection sender(int m);

		String conversation(int m);

		int[] audience(int m);
	}

	/** The figures of one step. Rates are per second of the step; latencies in ms. */
	record Step(String label, double targetRate, double seconds, long sent, long acked, long delivered, long ackedInWindow,
			long deliveredInWindow, long expectedDeliveries, long errors, long missing, long duplicates, long unexpected,
			long unanswered, Latencies delivery, Latencies ack, Map<String, Long> errorCodes, Map<String, Double> cores) {

		double offeredRate() {
			return sent / seconds;
		}

		double ackedRate() {
			return ackedInWindow / seconds;
		}

		double deliveredRate() {
			return deliveredInWindow / seconds;
		}

		double p(double percentile) {
			return delivery.count() == 0 ? 0 : delivery.percentileMillis(percentile);
		}

		double ackP(double percentile) {
			return ack.count() == 0 ? 0 : ack.percentileMillis(percentile);
		}

		/** The server kept up: answered (almost) everything in time, no errors, nothing lost, p99 within the bound. */
		boolean sustained(double p99BoundMillis) {
			return errors == 0 && missing == 0 && unanswered == 0 && delivery.count() > 0 && p(99) <= p99BoundMillis
					&& ackedRate() >= 0.95 * offeredRate() && deliveredRate() >= 0.95 * expectedDeliveries / seconds;
		}

		void emit(Results results, String scenario, String prefix) {
			results.emit(scenario, prefix + "offered_rate", offeredRate(), "msg/s");
			results.emit(scenario, prefix + "acked_rate", ackedRate(), "msg/s");
			results.emit(scenario, prefix + "delivered_rate", deliveredRate(), "deliveries/s");
			if (delivery.count() > 0) {
				results.emit(scenario, prefix + "latency_p50", p(50), "ms");
				results.emit(scenario, prefix + "latency_p99", p(99), "ms");
				results.emit(scenario, prefix + "latency_max", p(100), "ms");
			}
			if (ack.count() > 0) {
				results.emit(scenario, prefix + "ack_latency_p99", ackP(99), "ms");
			}
			results.emit(scenario, prefix + "errors", errors, "count");
			results.emit(scenario, prefix + "missing", missing, "count");
			results.emit(scenario, prefix + "duplicates", duplicates, "count");
			if (unexpected > 0) {
				results.emit(scenario, prefix + "unexpected", unexpected, "count");
			}
			if (unanswered > 0) {
				results.emit(scenario, prefix + "unanswered", unanswered, "count");
			}
			cores.forEach((process, c) -> results.emit(scenario, prefix + "cpu_" + process, c, "cores"));
		}

		String describe() {
			return String.format(
					"%s: offered %.0f/s, acked %.0f/s, delivered %.0f/s, p50 %.1f ms, p99 %.1f ms, max %.1f ms, ack p99 %.1f ms,"
							+ " errors %d %s, missing %d, dup %d, unexpected %d, unanswered %d; CPU %s",
					label, offeredRate(), ackedRate(), deliveredRate(), p(50), p(99), p(100), ackP(99), errors, errorCodes,
					missing, duplicates, unexpected, unanswered, cores);
		}
	}

	private final int receivers;
	private volatile Plan plan;
	private volatile DeliveryLedger ledger;
	private volatile String prefix = "s0-";
	private final LongAdder stale = new LongAdder();
	private final LongAdder closed = new LongAdder();
	private final Map<String, LongAdder> errorCodes = new ConcurrentHashMap<>();
	private final Map<Integer, LongAdder> closeCodes = new ConcurrentHashMap<>();

	/** The plan may be given later ({@link #plan}), once the connections it names are open. */
	MessageLoad(int receivers, Plan plan) {
		this.receivers = receivers;
		this.plan = plan;
	}

	void plan(Plan plan) {
		this.plan = plan;
	}

	/** Frames of earlier steps that arrived late. */
	long stale() {
		return stale.sum();
	}

	/** Connections that closed, by close code (-1: no close frame). */
	Map<Integer, Long> closeCodes() {
		Map<Integer, Long> m = new TreeMap<>();
		closeCodes.forEach((k, v) -> m.put(k, v.sum()));
		return m;
	}

	@Override
	public void onText(WsDriver.WsConnection c, String text) {
		long now = System.nanoTime();
		DeliveryLedger l = ledger;
		String p = prefix;
		Frames.Push push = Frames.messagePush(text);
		if (push != null) {
			int m = Frames.indexAfter(push.clientMsgId(), p);
			if (l != null && m >= 0) {
				l.received(c.index(), m, now);
			}
			else {
				stale.increment();
			}
			return;
		}
		JsonNode frame = Frames.tree(text);
		if (frame == null) {
			return;
		}
		String type = frame.path("type").asString("");
		if (type.equals("ack") || type.equals("error")) {
			int m = Frames.indexAfter(frame.path("id").asString(null), p);
			if (l == null || m < 0) {
				stale.increment();
				return;
			}
			if (type.equals("ack")) {
				l.acked(m, now);
			}
			else {
				l.error(m);
				errorCodes.computeIfAbsent(frame.path("code").asString("?"), k -> new LongAdder()).increment();
			}
		}
	}

	@Override
	public void onClose(WsDriver.WsConnection c, int closeCode) {
		closed.increment();
		closeCodes.computeIfAbsent(closeCode, k -> new LongAdder()).increment();
	}

	/**
	 * One step: {@code rate} messages per second for {@code duration}, then up to {@code drain} for
	 * the last answers and pushes. {@code cpu} names processes whose CPU time is sampled over the
	 * step (send period only).
	 */
	Step run(String label, int step, double rate, Duration duration, Duration drain, Map<String, LongSupplier> cpu)
			throws InterruptedException {
		Plan plan = this.plan;
		if (plan == null) {
			throw new IllegalStateException("no plan");
		}
		long total = Pacer.messagesFor(rate, duration.toNanos() / 1e9);
		if (total > Integer.MAX_VALUE / 2) {
			throw new IllegalArgumentException("too many messages in one step: " + total);
		}
		DeliveryLedger l = new DeliveryLedger((int) total, receivers, plan::audience);
		Map<String, Long> errorsBefore = snapshot(errorCodes);
		String p = "s" + step + "-";
		prefix = p;
		ledger = l;
		long start = System.nanoTime() + 20_000_000L;
		long end = start + duration.toNanos();
		l.window(start, end);
		Pacer pacer = new Pacer(start, rate, total);
		Map<String, Long> cpuStart = new LinkedHashMap<>();
		cpu.forEach((name, meter) -> cpuStart.put(name, meter.getAsLong()));
		long next = 0;
		long hardStop = end + 2_000_000_000L;
		while (next < total && System.nanoTime() - hardStop < 0) {
			long due = pacer.dueBy(System.nanoTime());
			for (; next < due; next++) {
				int m = (int) next;
				WsDriver.WsConnection sender = plan.sender(m);
				l.sent(m, pacer.dueAt(m));
				if (sender == null || !sender.isOpen()) {
					l.error(m);
					errorCodes.computeIfAbsent("driver:connection-closed", k -> new LongAdder()).increment();
					continue;
				}
				String id = p + m;
				sender.send("{\"type\":\"send\",\"id\":\"" + id + "\",\"conversationId\":\"" + plan.conversation(m)
						+ "\",\"clientMsgId\":\"" + id + "\",\"kind\":\"TEXT\",\"body\":{\"text\":\"bench message " + id
						+ "\"}}");
			}
			if (next < total) {
				pacer.awaitDue(next, 5_000_000L);
			}
		}
		long sendEnd = System.nanoTime();
		Map<String, Double> cores = new LinkedHashMap<>();
		double sendSeconds = Math.max(1, sendEnd - start) / 1e9;
		cpu.forEach((name, meter) -> cores.put(name, (meter.getAsLong() - cpuStart.get(name)) / 1e9 / sendSeconds));
		long drainUntil = System.nanoTime() + drain.toNanos();
		while (!l.settled() && System.nanoTime() - drainUntil < 0) {
			Thread.sleep(5);
		}
		Map<String, Long> codes = diff(snapshot(errorCodes), errorsBefore);
		long expected = 0;
		for (int m = 0; m < l.sent(); m++) {
			expected += plan.audience(m).length;
		}
		Step result = new Step(label, rate, duration.toNanos() / 1e9, l.sent(), l.acked(), l.delivered(), l.ackedInWindow(),
				l.deliveredInWindow(), expected, l.errors(), l.missing(), l.duplicates(), l.unexpected(), l.unanswered(),
				l.deliveryLatencies(), l.ackLatencies(), codes, cores);
		Bench.progress("  %s", result.describe());
		return result;
	}

	private static Map<String, Long> snapshot(Map<String, LongAdder> counters) {
		Map<String, Long> m = new TreeMap<>();
		counters.forEach((k, v) -> m.put(k, v.sum()));
		return m;
	}

	private static Map<String, Long> diff(Map<String, Long> now, Map<String, Long> before) {
		Map<String, Long> m = new TreeMap<>();
		now.forEach((k, v) -> {
			long d = v - before.getOrDefault(k, 0L);
			if (d != 0) {
				m.put(k, d);
			}
		});
		return m;
	}

	/** CPU meters for a server process, its PostgreSQL (if any) and this driver. */
	static Map<String, LongSupplier> cpuMeters(ServerProcess server) {
		Map<String, LongSupplier> cpu = new LinkedHashMap<>();
		cpu.put("server", server::cpuNanos);
		cpu.put("postgres", server::postgresCpuNanos);
		cpu.put("driver", () -> ServerProcess.cpuNanos(ProcessHandle.current()));
		return cpu;
	}
}
