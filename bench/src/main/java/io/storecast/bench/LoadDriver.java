package io.storecast.bench;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * A closed-loop load driver: {@code clients} virtual threads each send one request, wait for the
 * answer, and send the next, for a warm-up and then a measured period. Bounded in time (each
 * request has its own timeout, no new request starts after the end) and in count
 * ({@code maxRequests}). A request counts toward throughput and latency when it completes inside the
 * measured period; any answer other than {@code expectedStatus}, or an exception, is an error,
 * during warm-up as well.
 */
final class LoadDriver {

	/** What one run measured; CPU times are over the measured period, in nanoseconds. */
	record Outcome(long requests, double seconds, Latencies latencies, long errors, Map<String, Long> errorKinds,
			Map<String, Long> cpuNanos) {

		double perSecond() {
			return requests / seconds;
		}

		/** CPU milliseconds the named process used per request counted in the measured period. */
		double cpuMillisPerRequest(String process) {
			return requests == 0 ? 0 : cpuNanos.getOrDefault(process, 0L) / 1e6 / requests;
		}
	}

	private LoadDriver() {
	}

	/**
	 * Runs the load. {@code cpuMeters} name processes whose CPU time (in nanoseconds, cumulative) is
	 * sampled at the start and the end of the measured period.
	 */
	static Outcome run(String label, HttpClient http, Supplier<HttpRequest> request, int expectedStatus, int clients,
			Duration warmup, Duration measure, long maxRequests, Map<String, LongSupplier> cpuMeters)
			throws InterruptedException {
		long start = System.nanoTime();
		long measureFrom = start + warmup.toNanos();
		long end = measureFrom + measure.toNanos();
		AtomicLong issued = new AtomicLong();
		LongAdder errors = new LongAdder();
		Map<String, LongAdder> errorKinds = new ConcurrentHashMap<>();
		List<Latencies.Recorder> recorders = new ArrayList<>();
		Bench.progress("%s: %d clients, %d s warm-up + %d s measured", label, clients, warmup.toSeconds(),
				measure.toSeconds());
		Map<String, Long> cpu = new ConcurrentHashMap<>();
		try (ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor()) {
			workers.submit(() -> {
				try {
					sleepUntil(measureFrom);
					cpuMeters.forEach((name, meter) -> cpu.put(name, -meter.getAsLong()));
					sleepUntil(end);
					cpuMeters.forEach((name, meter) -> cpu.merge(name, meter.getAsLong(), Long::sum));
				}
				catch (InterruptedException e) {
					Thread.currentThread().interrupt();
				}
			});
			for (int i = 0; i < clients; i++) {
				Latencies.Recorder recorder = new Latencies.Recorder();
				recorders.add(recorder);
				workers.submit(() -> {
					while (System.nanoTime() - end < 0 && issued.incrementAndGet() <= maxRequests) {
						long t0 = System.nanoTime();
						String error = null;
						try {
							HttpResponse<Void> response = http.send(request.get(), HttpResponse.BodyHandlers.discarding());
							if (response.statusCode() != expectedStatus) {
								error = "HTTP " + response.statusCode();
							}
						}
						catch (InterruptedException e) {
							Thread.currentThread().interrupt();
							return;
						}
						catch (Exception e) {
							error = e.getClass().getSimpleName();
						}
						long t1 = System.nanoTime();
						if (error != null) {
							errors.increment();
							errorKinds.computeIfAbsent(error, k -> new LongAdder()).increment();
						}
						else if (t1 - measureFrom >= 0 && t1 - end <= 0) {
							recorder.record(t1 - t0);
						}
					}
				});
			}
		}
		// all workers are done: the recorders are safe to read
		long finished = Math.min(System.nanoTime(), end);
		double seconds = Math.max(finished - measureFrom, 1) / 1e9;
		Latencies latencies = Latencies.merge(recorders);
		Map<String, Long> kinds = new TreeMap<>();
		errorKinds.forEach((k, v) -> kinds.put(k, v.sum()));
		Outcome outcome = new Outcome(latencies.count(), seconds, latencies, errors.sum(), kinds, Map.copyOf(cpu));
		if (outcome.errors() > 0) {
			Bench.progress("%s: %d errors %s", label, outcome.errors(), kinds);
		}
		Bench.progress("%s: %d requests in %.1f s; CPU over that period: %s", label, outcome.requests(), seconds,
				describe(outcome.cpuNanos(), seconds));
		return outcome;
	}

	private static void sleepUntil(long nanoTime) throws InterruptedException {
		long left;
		while ((left = nanoTime - System.nanoTime()) > 0) {
			Thread.sleep(Duration.ofNanos(left));
		}
	}

	private static String describe(Map<String, Long> cpuNanos, double seconds) {
		StringBuilder sb = new StringBuilder();
		new TreeMap<>(cpuNanos).forEach((name, nanos) -> sb.append(sb.isEmpty() ? "" : ", ")
			.append(name)
			.append(String.format(" %.2f cores", nanos / 1e9 / seconds)));
		return sb.toString();
	}
}
