package io.storecast.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Storecast benchmarks. Arguments: scenario names ({@code startup}, {@code auth}, {@code jmh},
 * {@code idle-connections}, {@code direct-throughput}, {@code group-fanout}, {@code reconnect-storm},
 * {@code csv-import}, {@code stock-adjust}, {@code coupon-claim-storm}, {@code validate-cart},
 * {@code segment-count}, {@code policy-check}, {@code sms-throughput}, {@code fallback}, {@code campaign-fanout}, {@code trigger-latency}, {@code ws-baseline}), or
 * none / {@code all} for every one. Results go to stdout as JSON lines only
 * ({@link Results}); progress and diagnostics go to stderr. Exit code 0 when every scenario ran and
 * its checks held, 1 otherwise, 2 for unknown arguments.
 *
 * <pre>
 * ./mvnw -q -pl server,bench package -DskipTests
 * $JAVA_HOME/bin/java -jar bench/target/storecast-bench.jar startup auth
 * </pre>
 *
 * The server jar is {@code server/target/storecast-server.jar} relative to the working directory, or
 * {@code -Dstorecast.server.jar=...}; extra JVM options for the server with
 * {@code -Dstorecast.server.jvmArgs="..."}, and more of its Spring arguments with
 * {@code -Dstorecast.server.args="--key=value ..."}. {@code -Dbench.repeat=N} runs each scenario N times on a
 * fresh server each time and adds each metric's {@code .min}, {@code .median} and {@code .max}.
 */
public final class Bench {

	static final Map<String, Supplier<Scenario>> SCENARIOS = new LinkedHashMap<>();

	static {
		SCENARIOS.put(StartupScenario.NAME, StartupScenario::new);
		SCENARIOS.put(AuthScenario.NAME, AuthScenario::new);
		SCENARIOS.put(JmhScenario.NAME, JmhScenario::new);
		SCENARIOS.put(IdleConnectionsScenario.NAME, IdleConnectionsScenario::new);
		SCENARIOS.put(DirectThroughputScenario.NAME, DirectThroughputScenario::new);
		SCENARIOS.put(GroupFanoutScenario.NAME, GroupFanoutScenario::new);
		SCENARIOS.put(ReconnectStormScenario.NAME, ReconnectStormScenario::new);
		SCENARIOS.put(CsvImportScenario.NAME, CsvImportScenario::new);
		SCENARIOS.put(StockAdjustScenario.NAME, StockAdjustScenario::new);
		SCENARIOS.put(CouponClaimStormScenario.NAME, CouponClaimStormScenario::new);
		SCENARIOS.put(ValidateCartScenario.NAME, ValidateCartScenario::new);
		SCENARIOS.put(SegmentCountScenario.NAME, SegmentCountScenario::new);
		SCENARIOS.put(PolicyCheckScenario.NAME, PolicyCheckScenario::new);
		SCENARIOS.put(SmsThroughputScenario.NAME, SmsThroughputScenario::new);
		SCENARIOS.put(FallbackScenario.NAME, FallbackScenario::new);
		SCENARIOS.put(CampaignFanoutScenario.NAME, CampaignFanoutScenario::new);
		SCENARIOS.put(TriggerLatencyScenario.NAME, TriggerLatencyScenario::new);
		// last: it compares with the figures of the Storecast scenarios that ran before it
		SCENARIOS.put(WsBaselineScenario.NAME, WsBaselineScenario::new);
	}

	private Bench() {
	}

	public static void main(String[] args) {
		List<String> names;
		int repeat;
		try {
			names = select(args);
			repeat = repeat(System.getProperty("bench.repeat"));
		}
		catch (IllegalArgumentException e) {
			System.err.println(e.getMessage());
			System.err.println("usage: java -jar storecast-bench.jar [all | " + String.join(" | ", SCENARIOS.keySet())
					+ " ...]");
			System.exit(2);
			return;
		}
		warnIfBusy();
		Results results = new Results(System.out);
		List<String> failed = new ArrayList<>();
		for (String name : names) {
			boolean allOk = true;
			for (int run = 1; run <= repeat; run++) {
				progress(repeat == 1 ? "=== %s" : "=== %s (run %d of %d)", name, run, repeat);
				long started = System.nanoTime();
				boolean ok;
				try {
					ok = SCENARIOS.get(name).get().run(results);
				}
				catch (Exception e) {
					progress("%s failed: %s", name, e);
					e.printStackTrace(System.err);
					ok = false;
				}
				progress("=== %s %s in %.1f s", name, ok ? "done" : "FAILED", (System.nanoTime() - started) / 1e9);
				allOk &= ok;
			}
			results.summarize(name, repeat);
			if (!allOk) {
				failed.add(name);
			}
		}
		if (!failed.isEmpty()) {
			progress("failed: %s", String.join(", ", failed));
			System.exit(1);
		}
		System.exit(0);
	}

	/** How many times each scenario runs ({@code -Dbench.repeat=}, 1–20; 1 when unset). */
	static int repeat(String property) {
		if (property == null || property.isBlank()) {
			return 1;
		}
		int n;
		try {
			n = Integer.parseInt(property.trim());
		}
		catch (NumberFormatException e) {
			throw new IllegalArgumentException("bench.repeat must be a whole number from 1 to 20, was '" + property + "'");
		}
		if (n < 1 || n > 20) {
			throw new IllegalArgumentException("bench.repeat must be from 1 to 20, was " + n);
		}
		return n;
	}

	/** The scenarios to run, in the order given (duplicates dropped); all of them for none or {@code all}. */
	static List<String> select(String... args) {
		List<String> names = new ArrayList<>();
		for (String arg : args) {
			String name = arg.trim().toLowerCase(Locale.ROOT);
			if (name.equals("all")) {
				SCENARIOS.keySet().stream().filter(n -> !names.contains(n)).forEach(names::add);
			}
			else if (SCENARIOS.containsKey(name)) {
				if (!names.contains(name)) {
					names.add(name);
				}
			}
			else {
				throw new IllegalArgumentException("unknown scenario '" + arg + "'");
			}
		}
		return names.isEmpty() ? new ArrayList<>(SCENARIOS.keySet()) : names;
	}

	/** Figures from a machine that is busy with something else are noise: say so up front. */
	static void warnIfBusy() {
		try {
			double load = Double.parseDouble(
					Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+")[0]);
			int cores = Runtime.getRuntime().availableProcessors();
			if (load >= cores * 0.5) {
				progress("WARNING: load average %.2f on %d cores before the run: other work is competing for the CPU,"
						+ " figures will be low and noisy", load, cores);
			}
			else {
				progress("load average %.2f on %d cores", load, cores);
			}
		}
		catch (IOException | RuntimeException e) {
			// not Linux: nothing to say
		}
	}

	/** A progress line on stderr (stdout carries results only). */
	static void progress(String format, Object... args) {
		System.err.printf("[bench] " + format + "%n", args);
		System.err.flush();
	}
}
