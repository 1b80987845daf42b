package io.storecast.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class ResultsTest {

	@Test
	void oneFigureIsOneJsonObjectWithTheFourFieldsInOrder() {
		assertThat(Results.line("auth", "login-latency_p50", 12.5, "ms"))
			.isEqualTo("{\"scenario\":\"auth\",\"metric\":\"login-latency_p50\",\"value\":12.5,\"unit\":\"ms\"}");
	}

	@Test
	void valuesAreRoundedToThreeDecimalsAndWholeNumbersHaveNoFraction() {
		assertThat(Results.line("s", "m", 1234, "ms")).contains("\"value\":1234,");
		assertThat(Results.line("s", "m", 100.0, "ms")).contains("\"value\":100,");
		assertThat(Results.line("s", "m", 1.23456, "ms")).contains("\"value\":1.235,");
		assertThat(Results.line("s", "m", 0.0004, "ms")).contains("\"value\":0,");
		assertThat(Results.line("s", "m", 0.001, "ms")).contains("\"value\":0.001,");
		assertThat(Results.line("s", "m", 12_345_678.9, "req/s")).contains("\"value\":12345678.9,");
		assertThat(Results.line("s", "m", -2.5, "ms")).contains("\"value\":-2.5,");
	}

	@Test
	void textIsEscaped() throws Exception {
		String line = Results.line("s", "odd \"name\"\n", 1, "µs");
		assertThat(line).doesNotContain("\n");
		JsonNode parsed = JsonMapper.builder().build().readTree(line);
		assertThat(parsed.get("metric").asString()).isEqualTo("odd \"name\"\n");
		assertThat(parsed.get("unit").asString()).isEqualTo("µs");
	}

	@Test
	void refusesWhatIsNotAFigure() {
		assertThatThrownBy(() -> Results.line("s", "m", Double.NaN, "ms")).isInstanceOf(IllegalArgumentException.class);
		assertThatThrownBy(() -> Results.line("s", "m", Double.POSITIVE_INFINITY, "ms"))
			.isInstanceOf(IllegalArgumentException.class);
		assertThatThrownBy(() -> Results.line("s", " ", 1, "ms")).isInstanceOf(IllegalArgumentException.class);
		assertThatThrownBy(() -> Results.line("s", "m", 1, null)).isInstanceOf(IllegalArgumentException.class);
	}

	@Test
	void emitWritesOneLinePerFigureAndNothingElse() throws Exception {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		Results results = new Results(new PrintStream(bytes, true, StandardCharsets.UTF_8));
		results.emit("startup", "cold_start_to_up", 5321, "ms");
		results.emit("startup", "data_kept", 1, "bool");

		String[] lines = bytes.toString(StandardCharsets.UTF_8).split(System.lineSeparator());
		assertThat(lines).hasSize(2);
		JsonMapper json = JsonMapper.builder().build();
		for (String line : lines) {
			JsonNode node = json.readTree(line);
			assertThat(node.propertyNames()).containsExactly("scenario", "metric", "value", "unit");
			assertThat(node.get("value").isNumber()).isTrue();
		}
		assertThat(json.readTree(lines[1]).get("value").asInt()).isEqualTo(1);
	}

	@Test
	void aRepeatedScenarioGetsTheMinimumMedianAndMaximumOfEachMetric() throws Exception {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		Results results = new Results(new PrintStream(bytes, true, StandardCharsets.UTF_8));
		results.emit("other", "rate", 1, "ops/s");
		for (double seconds : new double[] { 25.6, 21.9, 24.8, 26.7 }) {
			results.emit("campaign-fanout", "handoff_seconds", seconds, "s");
		}
		results.emit("campaign-fanout", "skipped", 0, "customers"); // only one of the runs emitted it
		results.summarize("campaign-fanout", 4);

		JsonMapper json = JsonMapper.builder().build();
		java.util.Map<String, Double> summary = new java.util.LinkedHashMap<>();
		java.util.Map<String, String> units = new java.util.HashMap<>();
		for (String line : bytes.toString(StandardCharsets.UTF_8).split(System.lineSeparator())) {
			JsonNode node = json.readTree(line);
			if (node.get("metric").asString().contains(".")) {
				assertThat(node.get("scenario").asString()).isEqualTo("campaign-fanout");
				summary.put(node.get("metric").asString(), node.get("value").asDouble());
				units.put(node.get("metric").asString(), node.get("unit").asString());
			}
		}
		assertThat(summary).containsExactly(java.util.Map.entry("handoff_seconds.min", 21.9),
				java.util.Map.entry("handoff_seconds.median", 25.2), java.util.Map.entry("handoff_seconds.max", 26.7),
				java.util.Map.entry("handoff_seconds.runs", 4.0), java.util.Map.entry("skipped.min", 0.0),
				java.util.Map.entry("skipped.median", 0.0), java.util.Map.entry("skipped.max", 0.0),
				java.util.Map.entry("skipped.runs", 1.0));
		assertThat(units.get("handoff_seconds.median")).isEqualTo("s");
		assertThat(units.get("handoff_seconds.runs")).isEqualTo("runs");
	}

	@Test
	void aSingleRunIsNotSummarized() {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		Results results = new Results(new PrintStream(bytes, true, StandardCharsets.UTF_8));
		results.emit("startup", "cold_start_to_up", 5321, "ms");
		results.summarize("startup", 1);
		assertThat(bytes.toString(StandardCharsets.UTF_8).split(System.lineSeparator())).hasSize(1);
	}

	@Test
	void theMedianOfAnOddCountIsTheMiddleAndOfAnEvenCountTheMeanOfTheTwoMiddles() {
		assertThat(Results.median(new double[] { 1, 2, 9 })).isEqualTo(2);
		assertThat(Results.median(new double[] { 1, 2, 4, 9 })).isEqualTo(3);
		assertThat(Results.median(new double[] { 7 })).isEqualTo(7);
	}
}
