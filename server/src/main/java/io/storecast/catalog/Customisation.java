package io.storecast.catalog;

/**
 * A customisation a product offers, at an extra price (fen, may be 0) and with extra days before it
 * can ship.
 */
public record Customisation(CustomisationKind kind, long priceFen, int extraLeadDays) {

	public Customisation {
		if (priceFen < 0) {
			throw new IllegalArgumentException("priceFen must not be negative");
		}
		if (extraLeadDays < 0 || extraLeadDays > 60) {
			throw new IllegalArgumentException("extraLeadDays must be between 0 and 60");
		}
	}
}
