package io.storecast.delivery.internal.channel;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

import io.storecast.audience.Channel;

/**
 * What channels report on their own, later than a send: delivery receipts and inbound messages. The
 * core matches a receipt to its attempt by provider id, even when the receipt arrives before the
 * send's own result was recorded (an SMSC may deliver the receipt before the submit_sm_resp is
 * processed).
 */
public interface ChannelEvents {

	/**
	 * A receipt for a message the channel accepted.
	 *
	 * @param delivered true for delivered, false for failed (expired, undeliverable, rejected)
	 * @param code the channel's status, e.g. SMPP's {@code DELIVRD}, {@code UNDELIV}, {@code EXPIRED}
	 * @param addressFault whether the failure is the number's (counts toward suppression)
	 */
	void receipt(Channel channel, String providerId, boolean delivered, String code, boolean addressFault,
			@Nullable String detail, Instant at);

	/**
	 * A message from a customer (an SMS MO): routed to unsubscribe handling and, as a reply, to the
	 * customer's conversation with the store.
	 *
	 * @param from the sender's number, as the channel got it
	 * @param to the number it was sent to (the merchant's service number)
	 */
	void inbound(Channel channel, String from, String to, String text, Instant at);
}
