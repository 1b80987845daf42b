package io.storecast.audience;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * Whether a customer may be sent messages of a purpose on a channel.
 *
 * @param explicit whether the customer (or staff for them) said so; false: the channel's default
 * ({@code storecast.audience.implied-consent-channels} for marketing, granted for transactional)
 * @param source how the last change came (null when not explicit)
 */
public record ConsentState(Channel channel, Purpose purpose, boolean granted, boolean explicit,
		@Nullable String source, @Nullable Instant changedAt) {
}
