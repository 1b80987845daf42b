package io.storecast.audience;

/**
 * Where a customer is in their life with the merchant, computed from the purchase facts at the
 * moment of asking (settings {@code storecast.audience.new-within} and {@code dormant-after}).
 */
public enum Lifecycle {
	/** No purchase yet, or the first one within {@code new-within} (30 days). */
	NEW,
	/** Bought before {@code new-within} ago and again within {@code dormant-after} (90 days). */
	ACTIVE,
	/** No purchase within {@code dormant-after}. */
	DORMANT
}
