package io.storecast.delivery.internal;

/** A token bucket holding one second of tokens; used by one thread (the dispatcher). */
final class RateLimiter {

	private final double perSecond;
	private double tokens;
	private long refilledAt;

	RateLimiter(double perSecond, long nowNanos) {
		if (!(perSecond > 0)) {
			throw new IllegalArgumentException("a rate must be positive: " + perSecond);
		}
		this.perSecond = perSecond;
		this.tokens = Math.min(perSecond, Math.max(1, perSecond / 10));
		this.refilledAt = nowNanos;
	}

	/** How many sends may start now. */
	int available(long nowNanos) {
		tokens = Math.min(Math.max(perSecond, 1), tokens + (nowNanos - refilledAt) / 1e9 * perSecond);
		refilledAt = nowNanos;
		return (int) Math.floor(tokens);
	}

	void take(int n) {
		tokens -= n;
	}

	/** Nanoseconds until one more token is there. */
	long nanosUntilNext() {
		return tokens >= 1 ? 0 : (long) Math.ceil((1 - tokens) / perSecond * 1e9);
	}
}
