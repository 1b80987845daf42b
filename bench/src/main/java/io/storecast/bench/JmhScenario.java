package io.storecast.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.regex.Pattern;

import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * {@code jmh}: runs every {@code @Benchmark} in {@code io.storecast.bench.jmh} with JMH (forks,
 * warm-up and iterations as the classes' own annotations say) and emits each primary score as
 * {@code metric = <Class.method>-<mode>[-<param>=<value>...]}, plus its 99.9% error as
 * {@code ...-error}. JMH's own progress goes to stderr. With no benchmarks it emits nothing.
 */
final class JmhScenario implements Scenario {

	static final String NAME = "jmh";
	static final String PACKAGE = "io.storecast.bench.jmh.";

	@Override
	public String name() {
		return NAME;
	}

	@Override
	public boolean run(Results results) throws Exception {
		if (!hasBenchmarks()) {
			Bench.progress("jmh: no @Benchmark classes in %s*; nothing to run", PACKAGE);
			return true;
		}
		Options options = new OptionsBuilder().include("^" + Pattern.quote(PACKAGE) + ".*").build();
		Collection<RunResult> runs = new Runner(options,
				OutputFormatFactory.createFormatInstance(System.err, VerboseMode.NORMAL)).run();
		for (RunResult run : runs) {
			var params = run.getParams();
			StringBuilder metric = new StringBuilder(params.getBenchmark().substring(PACKAGE.length()))
				.append('-')
				.append(params.getMode().shortLabel());
			for (String key : params.getParamsKeys()) {
				metric.append('-').append(key).append('=').append(params.getParam(key));
			}
			Result<?> primary = run.getPrimaryResult();
			results.emit(NAME, metric.toString(), primary.getScore(), primary.getScoreUnit());
			if (Double.isFinite(primary.getScoreError())) {
				results.emit(NAME, metric + "-error", primary.getScoreError(), primary.getScoreUnit());
			}
		}
		return true;
	}

	/** Whether the JMH annotation processor generated any benchmark of our package into this class path. */
	static boolean hasBenchmarks() throws IOException {
		try (InputStream list = JmhScenario.class.getResourceAsStream("/META-INF/BenchmarkList")) {
			return list != null && new String(list.readAllBytes(), StandardCharsets.UTF_8).contains(PACKAGE);
		}
	}
}
