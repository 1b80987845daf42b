package io.storecast.audience;

/** A way to reach a customer; consent, suppression and decisions are per channel. */
public enum Channel {
	/** Storecast's own chat (the customer's conversation with the store). */
	IN_APP,
	/** Text messages to the customer's phone. */
	SMS,
	/** The merchant's own systems (mini-program, official account), reached by an outgoing webhook. */
	WEBHOOK
}
