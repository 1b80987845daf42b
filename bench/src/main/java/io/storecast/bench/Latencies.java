package io.storecast.bench;

import java.util.Arrays;
import java.util.Collection;

/**
 * Latency samples in nanoseconds and their percentiles (nearest-rank on the sorted samples; exact,
 * no histogram buckets). HdrHistogram is not in the parent's dependency management, and a load run
 * here records at most a few hundred thousand samples, so sorting a {@code long[]} is cheap enough.
 */
public final class Latencies {

	private static final double NANOS_PER_MILLI = 1_000_000.0;

	private final long[] sorted;

	private Latencies(long[] sorted) {
		this.sorted = sorted;
	}

	/** Takes a copy of the samples (any order). */
	public static Latencies of(long... nanos) {
		long[] copy = nanos.clone();
		Arrays.sort(copy);
		return new Latencies(copy);
	}

	/** Merges the samples of several recorders (one per load-driver thread). */
	public static Latencies merge(Collection<Recorder> recorders) {
		int total = 0;
		for (Recorder r : recorders) {
			total = Math.addExact(total, r.size);
		}
		long[] all = new long[total];
		int at = 0;
		for (Recorder r : recorders) {
			System.arraycopy(r.samples, 0, all, at, r.size);
			at += r.size;
		}
		Arrays.sort(all);
		return new Latencies(all);
	}

	public int count() {
		return sorted.length;
	}

	/**
	 * The nearest-rank percentile: the smallest sample such that at least {@code p}% of the samples
	 * are less than or equal to it. {@code p} in [0, 100]; 0 gives the minimum, 100 the maximum.
	 */
	public long percentileNanos(double p) {
		if (!(p >= 0 && p <= 100)) {
			throw new IllegalArgumentException("percentile must be within [0, 100], was " + p);
		}
		if (sorted.length == 0) {
			throw new IllegalStateException("no samples");
		}
		int rank = (int) Math.ceil(p / 100.0 * sorted.length);
		return sorted[Math.max(rank, 1) - 1];
	}

	public double percentileMillis(double p) {
		return percentileNanos(p) / NANOS_PER_MILLI;
	}

	public double maxMillis() {
		return percentileMillis(100);
	}

	/** Collects samples on one thread; not thread-safe. */
	public static final class Recorder {

		private long[] samples = new long[1024];
		private int size;

		public void record(long nanos) {
			if (size == samples.length) {
				samples = Arrays.copyOf(samples, samples.length * 2);
			}
			samples[size++] = nanos;
		}

		public int size() {
			return size;
		}

		/** A snapshot of the samples so far. */
		public Recorder copy() {
			Recorder r = new Recorder();
			r.samples = Arrays.copyOf(samples, Math.max(size, 1));
			r.size = size;
			return r;
		}
	}
}
