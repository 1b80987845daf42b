package io.storecast.bench;

import java.io.PrintStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
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

	public Results(PrintStream out) {
		this.out = Objects.requireNonNull(out);
	}

	/** Writes one figure and flushes, so a later failure never loses what was measured before it. */
	public synchronized void emit(String scenario, String metric, double value, String unit) {
		String line = line(scenario, metric, value, unit);
		out.println(line);
		out.flush();
		emitted.put(scenario + "/" + metric, value);
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
