package io.storecast.bench;

import java.io.PrintStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.concurrent.ConcurrentHashMap;

import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Emits results as JSON lines, one figure per line:
 * {@code {"scenario":"...","metric":"...","value":<number>,"unit":"..."}}. Nothing else is ever
 * written to this stream (progress goes to stderr), so the output can be piped straight into tools.
 * Values are rounded to three decimals; whole numbers are written without a fraction.
 */
public final class Results {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final PrintStream out;
	/** Every figure emitted so far, by "scenario/metric", for scenarios that compare with earlier ones. */
	private final Map<String, Double> emitted = new ConcurrentHashMap<>();
	/** Each figure's values over the runs of a repeated scenario, by "scenario/metric", in the order first emitted ({@link #summarize}). */
	private final Map<String, Series> series = new LinkedHashMap<>();

	private record Series(String unit, List<Double> values) {
	}

	public Results(PrintStream out) {
		this.out = Objects.requireNonNull(out);
	}

	/** Writes one figure and flushes, so a later failure never loses what was measured before it. */
	public synchronized void emit(String scenario, String metric, double value, String unit) {
		write(scenario, metric, value, unit);
		series.computeIfAbsent(scenario + "/" + metric, k -> new Series(unit, new ArrayList<>())).values().add(value);
	}

	private void write(String scenario, String metric, double value, String unit) {
		out.println(line(scenario, metric, value, unit));
		out.flush();
		emitted.put(scenario + "/" + metric, value);
	}

	/**
	 * After a scenario ran {@code times} times ({@code -Dbench.repeat=}): for each of its metrics, its
	 * {@code <metric>.min}, {@code .median} and {@code .max} over the runs that emitted it, plus
	 * {@code <metric>.runs}. One run of a busy 2-core machine differs from the next by ±10 % or more;
	 * a change smaller than the spread is not shown by single runs. The per-run lines come first, as
	 * emitted.
	 */
	public synchronized void summarize(String scenario, int times) {
		if (times < 2) {
			return;
		}
		String prefix = scenario + "/";
		series.forEach((key, figure) -> {
			if (!key.startsWith(prefix)) {
				return;
			}
			String metric = key.substring(prefix.length());
			double[] values = figure.values().stream().mapToDouble(Double::doubleValue).sorted().toArray();
			write(scenario, metric + ".min", values[0], figure.unit());
			write(scenario, metric + ".median", median(values), figure.unit());
			write(scenario, metric + ".max", values[values.length - 1], figure.unit());
			write(scenario, metric + ".runs", values.length, "runs");
		});
	}

	/** The median of sorted values: the middle one, or the mean of the two middle ones. */
	static double median(double[] sorted) {
		int n = sorted.length;
		return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
	}

	/** A figure emitted earlier in this run (or {@link #remember remembered}), if any. */
	public OptionalDouble value(String scenario, String metric) {
		Double v = emitted.get(scenario + "/" + metric);
		return v == null ? OptionalDouble.empty() : OptionalDouble.of(v);
	}

	/** Takes a figure from elsewhere (an earlier run's output) for {@link #value}, without printing it. */
	public void remember(String scenario, String metric, double value) {
		emitted.putIfAbsent(scenario + "/" + metric, value);
	}

	/** The JSON line for one figure (no line terminator). */
	public static String line(String scenario, String metric, double value, String unit) {
		requireText(scenario, "scenario");
		requireText(metric, "metric");
		requireText(unit, "unit");
		if (!Double.isFinite(value)) {
			throw new IllegalArgumentException(scenario + "/" + metric + ": value must be a finite number, was " + value);
		}
		ObjectNode node = JSON.createObjectNode();
		node.put("scenario", scenario);
		node.put("metric", metric);
		node.put("value", number(value));
		node.put("unit", unit);
		return JSON.writeValueAsString(node);
	}

	/** Three decimals at most, plain notation, no trailing zeros: 12.5, 3, 0.001. */
	static BigDecimal number(double value) {
		BigDecimal rounded = BigDecimal.valueOf(value).setScale(3, RoundingMode.HALF_UP).stripTrailingZeros();
		return rounded.scale() < 0 ? rounded.setScale(0) : rounded;
	}

	private static void requireText(String value, String what) {
		if (value == null || value.isBlank()) {
			throw new IllegalArgumentException(what + " must not be blank");
		}
	}
}
