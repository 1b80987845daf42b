package io.storecast.bench;

import java.util.concurrent.locks.LockSupport;

/**
 * Open-loop pacing: message {@code i} is due at {@code start + i / rate}, whatever happened to the
 * ones before it (a slow answer never delays the next send, so queueing in the server shows up as
 * latency instead of as a lower offered rate). Latency is measured from the due time, not from the
 * moment the driver got around to sending, so a driver that falls behind cannot hide server delay.
 */
final class Pacer {

	private final long startNanos;
	private final double perSecond;
	private final long total;

	/**
	 * @param startNanos when message 0 is due (System.nanoTime)
	 * @param perSecond the target rate
	 * @param total messages at most
	 */
	Pacer(long startNanos, double perSecond, long total) {
		if (!(perSecond > 0)) {
			throw new IllegalArgumentException("rate must be positive, was " + perSecond);
		}
		this.startNanos = startNanos;
		this.perSecond = perSecond;
		this.total = Math.max(0, total);
	}

	/** How many messages for {@code seconds} at {@code perSecond} (at least one). */
	static long messagesFor(double perSecond, double seconds) {
		return Math.max(1, Math.round(perSecond * seconds));
	}

	long total() {
		return total;
	}

	/** When message {@code i} is due. */
	long dueAt(long i) {
		return startNanos + (long) Math.floor(i * 1e9 / perSecond);
	}

	/** How many messages are due by {@code now} (the first {@code n}: 0 … n-1), at most {@link #total}. */
	long dueBy(long now) {
		if (now - startNanos < 0) {
			return 0;
		}
		long n = (long) Math.floor((now - startNanos) * perSecond / 1e9) + 1;
		// guard the rounding at the edges: message n-1 must be due, message n must not be
		while (n > 0 && dueAt(n - 1) - now > 0) {
			n--;
		}
		while (n < total && dueAt(n) - now <= 0) {
			n++;
		}
		return Math.min(n, total);
	}

	/** Parks until message {@code next} is due, or at most {@code maxNanos}. */
	void awaitDue(long next, long maxNanos) {
		long wait = Math.min(dueAt(next) - System.nanoTime(), maxNanos);
		if (wait > 0) {
			LockSupport.parkNanos(wait);
		}
	}
}
