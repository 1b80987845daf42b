package io.storecast.audience;

/** Why a message is sent: marketing is capped, windowed and needs consent; transactional is not (see docs/audience.md). */
public enum Purpose {
	/** Promotions, new arrivals, care messages, surveys: everything the customer did not ask for. */
	MARKETING,
	/** What the customer's own business with the store requires: order shipped, pick-up ready, staff notices. */
	TRANSACTIONAL
}
