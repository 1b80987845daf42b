package io.storecast.delivery.internal;

import java.time.Duration;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

import io.storecast.audience.Channel;

/**
 * {@code storecast.delivery.*}: how the outbox workers run (README, "Configuration").
 *
 * @param pollInterval how often idle workers look for due attempts (they are also woken on enqueue)
 * @param lease how long a worker holds an attempt it is sending; an attempt still SENDING after
 * that (its node died) is queued again. Longer than any channel's own timeout.
 * @param maxAttempts tries per channel for transient errors, then the attempt fails
 * @param backoff the first retry's delay; each next one doubles, with ±20 % jitter
 * @param maxBackoff the longest delay between tries
 * @param fallbackSweep how often in-app messages whose fallback (or read check) time has come are looked at
 * @param readCheckAfter when an in-app message without a fallback step is first looked at for being
 * read, should its read receipt have been missed (then at doubling intervals, at most 24 h apart, for 7
 * days); the receipt itself marks it read at once
 * @param channels per channel: {@code rate-per-second} (a token bucket per node)
 * @param bulkHold whether a campaign handing off on this node holds its bulk messages back meanwhile,
 * and the trickle they go out at then
 */
@ConfigurationProperties("storecast.delivery")
public record DeliverySettings(@Nullable Duration pollInterval, @Nullable Duration lease, @Nullable Integer maxAttempts,
		@Nullable Duration backoff, @Nullable Duration maxBackoff, @Nullable Duration fallbackSweep,
		@Nullable Duration readCheckAfter,
		@Nullable Map<String, ChannelSettings> channels, @Nullable BulkHoldSettings bulkHold) {

	public DeliverySettings {
		pollInterval = pollInterval == null ? Duration.ofMillis(250) : pollInterval;
		lease = lease == null ? Duration.ofMinutes(5) : lease;
		maxAttempts = maxAttempts == null ? 6 : maxAttempts;
		backoff = backoff == null ? Duration.ofSeconds(10) : backoff;
		maxBackoff = maxBackoff == null ? Duration.ofMinutes(30) : maxBackoff;
		fallbackSweep = fallbackSweep == null ? Duration.ofSeconds(5) : fallbackSweep;
		readCheckAfter = readCheckAfter == null ? Duration.ofHours(1) : readCheckAfter;
		channels = channels == null ? Map.of() : Map.copyOf(channels);
		bulkHold = bulkHold == null ? new BulkHoldSettings(null, null) : bulkHold;
		if (maxAttempts < 1) {
			throw new IllegalArgumentException("storecast.delivery.max-attempts must be at least 1");
		}
	}

	/** @param ratePerSecond sends per second on this node; default 500 for SMS, 1,000 for webhooks, 5,000 in-app */
	public record ChannelSettings(@Nullable Double ratePerSecond) {
	}

	/**
	 * @param enabled whether {@code Delivery.holdBulk} holds anything (default true)
	 * @param tricklePerSecond bulk sends per second per channel on this node while held, in whole batches
	 * (default 200; 0: none at all)
	 */
	public record BulkHoldSettings(@Nullable Boolean enabled, @Nullable Double tricklePerSecond) {

		public BulkHoldSettings {
			enabled = enabled == null ? Boolean.TRUE : enabled;
			tricklePerSecond = tricklePerSecond == null ? 200.0 : tricklePerSecond;
			if (!(tricklePerSecond >= 0)) {
				throw new IllegalArgumentException("storecast.delivery.bulk-hold.trickle-per-second must be 0 or more");
			}
		}
	}

	double ratePerSecond(Channel channel) {
		ChannelSettings s = channels.get(channel.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
		if (s != null && s.ratePerSecond() != null) {
			return s.ratePerSecond();
		}
		return switch (channel) {
			case SMS -> 500;
			case WEBHOOK -> 1000;
			case IN_APP -> 5000;
		};
	}

	/** The delay before try {@code failedTries + 1}: backoff × 2^(failedTries−1), at most maxBackoff, ±20 %. */
	Duration retryDelay(int failedTries, double random) {
		long base = backoff.toMillis();
		long delay = base << Math.min(Math.max(failedTries - 1, 0), 20);
		delay = Math.min(delay, maxBackoff.toMillis());
		return Duration.ofMillis(Math.max(1, Math.round(delay * (0.8 + 0.4 * random))));
	}
}
