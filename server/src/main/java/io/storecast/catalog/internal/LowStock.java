package io.storecast.catalog.internal;

import org.jspecify.annotations.Nullable;

/**
 * The low-stock rule, free of the database: one alert per crossing. A change that takes stock out
 * and leaves it below the threshold alerts, unless an alert for this fall was already sent; stock
 * back at or above the threshold re-arms the alert. Stock that is brought in but stays below the
 * threshold (a partial receipt) does not alert: nothing fell.
 */
final class LowStock {

	enum Outcome {
		/** Publish StockFellBelowThreshold and remember that it was sent. */
		ALERT,
		/** Publish StockRestored and re-arm. */
		RESTORE,
		NONE
	}

	private LowStock() {
	}

	/**
	 * @param delta the change just applied
	 * @param after the level after it
	 * @param threshold the threshold in force (null: none)
	 * @param alerted whether an alert for the current fall was already sent
	 */
	static Outcome evaluate(long delta, long after, @Nullable Integer threshold, boolean alerted) {
		if (threshold == null) {
			return Outcome.NONE;
		}
		if (after >= threshold) {
			return alerted ? Outcome.RESTORE : Outcome.NONE;
		}
		return delta < 0 && !alerted ? Outcome.ALERT : Outcome.NONE;
	}
}
