package io.storecast.campaigns.internal;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Trigger settings.
 *
 * @param chunkSize recipients of a firing decided and handed to delivery per transaction (1-1000)
 * @param tick how often the periodic run looks for recipients whose time has come (deferred by quiet
 * hours, N days after a purchase) and for birthdays
 * @param fallbackMinute how long one minute of a route's {@code fallbackAfterMinutes} lasts: a minute
 * (tests and demos shorten it)
 */
@ConfigurationProperties("storecast.campaigns.triggers")
record TriggerSettings(@DefaultValue("500") int chunkSize, @DefaultValue("30s") Duration tick,
		@DefaultValue("1m") Duration fallbackMinute) {

	TriggerSettings {
		if (chunkSize < 1 || chunkSize > 1000) {
			throw new IllegalArgumentException("storecast.campaigns.triggers.chunk-size must be between 1 and 1000");
		}
		if (tick.compareTo(Duration.ofMillis(100)) < 0 || tick.compareTo(Duration.ofHours(1)) > 0) {
			throw new IllegalArgumentException("storecast.campaigns.triggers.tick must be between 100ms and 1h");
		}
		if (fallbackMinute.compareTo(Duration.ofMillis(10)) < 0 || fallbackMinute.compareTo(Duration.ofMinutes(1)) > 0) {
			throw new IllegalArgumentException("storecast.campaigns.triggers.fallback-minute must be between 10ms and 1m");
		}
	}
}
