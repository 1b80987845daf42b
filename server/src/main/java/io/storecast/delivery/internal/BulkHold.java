package io.storecast.delivery.internal;

import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;

import io.storecast.audience.Channel;

/**
 * Bulk messages held back on this node while a large send hands off here ({@code Delivery.holdBulk}).
 * Hand-off and delivery share the node's cores and database, and a campaign's hand-off (deciding,
 * rendering and queueing every recipient, exactly once) is what the merchant waits for: a held bulk
 * lane goes out at a trickle instead, in whole batches (a batch of one costs the in-app channel's
 * statements as much as a batch of 64), so the first customers still get theirs at once. Messages that
 * are not bulk are never held. The time is set from any thread; the allowance is asked by the
 * dispatcher alone.
 */
final class BulkHold {

	private final boolean enabled;
	private final double tricklePerSecond;
	private final Map<Channel, RateLimiter> trickles = new EnumMap<>(Channel.class);
	private volatile Instant heldUntil = Instant.EPOCH;

	BulkHold(DeliverySettings.BulkHoldSettings settings) {
		this.enabled = settings.enabled();
		this.tricklePerSecond = settings.tricklePerSecond();
	}

	/** Holds bulk messages until then (replacing an earlier time; one in the past releases them). */
	void holdUntil(Instant until) {
		if (enabled) {
			heldUntil = until;
		}
	}

	boolean held(Instant now) {
		return now.isBefore(heldUntil);
	}

	Instant heldUntil() {
		return heldUntil;
	}

	/**
	 * How many bulk attempts of the channel may be leased now, at most {@code want}: all of them when
	 * not held; while held, as many whole batches as the trickle has tokens for (none below a batch).
	 */
	int allowance(Channel channel, int want, int batch, Instant now, long nanos) {
		if (!held(now)) {
			return want;
		}
		if (tricklePerSecond == 0) {
			return 0;
		}
		// a batch larger than the trickle's bucket (one second of it) would never fill: take what a second gives
		int whole = Math.max(1, Math.min(batch, (int) Math.floor(Math.max(1, tricklePerSecond))));
		int tokens = trickle(channel, nanos).available(nanos);
		return Math.min(want, tokens / whole * whole);
	}

	/** Counts bulk attempts leased while held against the trickle. */
	void took(Channel channel, int n, Instant now, long nanos) {
		if (n > 0 && held(now) && tricklePerSecond > 0) {
			trickle(channel, nanos).take(n);
		}
	}

	private RateLimiter trickle(Channel channel, long nanos) {
		return trickles.computeIfAbsent(channel, c -> new RateLimiter(tricklePerSecond, nanos));
	}
}
