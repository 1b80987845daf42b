package io.storecast.audience;

import java.time.Instant;

/**
 * A phone number was suppressed: automatically after repeated failures ({@code by} is
 * {@code system}) or by hand.
 */
public record PhoneSuppressed(String phone, String reason, String by, Instant at) {
}
