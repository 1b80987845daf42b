package io.storecast.audience;

import java.time.Instant;

/**
 * Phone numbers no SMS goes to. Delivery reports each failure a channel attributes to the number
 * (a bounce, an invalid or empty number); after {@code storecast.audience.suppress-after-failures}
 * of them the number is suppressed. Staff suppress and release numbers by hand over REST.
 */
public interface Suppressions {

	/**
	 * Counts a failure of the number; returns true when this failure suppressed it.
	 *
	 * @param reason the channel's reason, e.g. {@code UNDELIVERABLE}, {@code INVALID_NUMBER}
	 */
	boolean recordFailure(String phone, String reason, Instant at);

	/** A message reached the number: its failure count starts again (a suppressed number stays suppressed). */
	void recordSuccess(String phone);

	/** The same for many numbers (E.164) at once. */
	void recordSuccesses(java.util.Collection<String> phones);

	boolean isSuppressed(String phone);

	/** The suppressed numbers among these (E.164), in one query. */
	java.util.Set<String> suppressedAmong(java.util.Collection<String> phones);
}
