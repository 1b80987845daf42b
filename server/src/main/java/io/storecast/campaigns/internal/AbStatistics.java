package io.storecast.campaigns.internal;

import org.jspecify.annotations.Nullable;

/**
 * 95% confidence intervals for an A/B test's figures: the Wilson score interval for a rate (sound
 * for small samples and for rates near 0 or 1, where the plain normal interval leaves [0, 1]), and a
 * normal approximation from the mean and sample variance for revenue per recipient.
 */
final class AbStatistics {

	static final double LEVEL = 0.95;
	/** The normal quantile of a two-sided 95% interval. */
	private static final double Z = 1.959963984540054;

	/** @param level the interval's confidence (0.95) */
	record Interval(double lower, double upper, double level) {
	}

	private AbStatistics() {
	}

	/** The Wilson score interval of {@code successes} out of {@code trials}; null without trials. */
	static @Nullable Interval wilson(long successes, long trials) {
		if (trials <= 0) {
			return null;
		}
		double n = trials;
		double p = Math.min(successes, trials) / n;
		double z2 = Z * Z;
		double denominator = 1 + z2 / n;
		double centre = (p + z2 / (2 * n)) / denominator;
		double half = Z * Math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denominator;
		return new Interval(round(Math.max(0, centre - half), 4), round(Math.min(1, centre + half), 4), LEVEL);
	}

	/**
	 * The normal-approximation interval of a mean of non-negative values from their count, sum and sum
	 * of squares (mean ± z·s/√n, s the sample standard deviation), its lower end not below 0; null
	 * for fewer than 2 values.
	 */
	static @Nullable Interval mean(long n, double sum, double sumOfSquares) {
		if (n < 2) {
			return null;
		}
		double mean = sum / n;
		double variance = Math.max(0, (sumOfSquares - n * mean * mean) / (n - 1));
		double half = Z * Math.sqrt(variance / n);
		return new Interval(round(Math.max(0, mean - half), 2), round(mean + half, 2), LEVEL);
	}

	static double round(double value, int places) {
		double scale = Math.pow(10, places);
		return Math.round(value * scale) / scale;
	}
}
