package io.storecast.audience;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

import io.storecast.identity.CustomerId;

/**
 * The contact policy's answer for one message to one customer, with its reason; every decision is
 * recorded.
 *
 * @param deferUntil for DEFER: when the next send window opens (decide again then)
 * @param reason a stable code: {@code within-policy}, {@code already-counted}, {@code transactional}
 * (SEND_NOW); {@code quiet-hours}, {@code holiday} (DEFER); {@code unknown-customer},
 * {@code no-consent}, {@code consent-withdrawn}, {@code no-phone}, {@code suppressed},
 * {@code frequency-cap} (DROP)
 */
public record Decision(CustomerId customerId, Outcome outcome, @Nullable Instant deferUntil, String reason) {

	public enum Outcome {
		SEND_NOW, DEFER, DROP
	}

	public static Decision sendNow(CustomerId customer, String reason) {
		return new Decision(customer, Outcome.SEND_NOW, null, reason);
	}

	public static Decision defer(CustomerId customer, Instant until, String reason) {
		return new Decision(customer, Outcome.DEFER, until, reason);
	}

	public static Decision drop(CustomerId customer, String reason) {
		return new Decision(customer, Outcome.DROP, null, reason);
	}
}
