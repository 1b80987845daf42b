package io.storecast.delivery.internal.channel;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

/** What one attempt came to. */
public sealed interface AttemptResult {

	/**
	 * The channel took the message.
	 *
	 * @param providerId the channel's id for it (an SMSC message id: receipts name it), or null
	 * @param segments what the merchant pays for (SMS segments), else 1
	 * @param delivered whether taking it is already delivery (in-app)
	 * @param responseCode the HTTP status of a webhook, else null
	 */
	record Accepted(@Nullable String providerId, int segments, boolean delivered, @Nullable Integer responseCode)
			implements AttemptResult {
	}

	/**
	 * Try again later (throttled, timed out, connection lost, 5xx).
	 *
	 * @param retryAfter when the channel says so (a throttle), else null for the backoff schedule
	 */
	record Transient(String code, String detail, @Nullable Duration retryAfter, @Nullable Integer responseCode)
			implements AttemptResult {
	}

	/**
	 * Never again on this channel (rejected, invalid number, 4xx).
	 *
	 * @param addressFault whether the address itself is bad (an invalid or unknown number): counts
	 * toward suppressing the phone number
	 */
	record Permanent(String code, String detail, boolean addressFault, @Nullable Integer responseCode)
			implements AttemptResult {
	}
}
