package io.storecast.catalog;

/**
 * Why stock changed. SALE, DAMAGE and TRANSFER_OUT take stock out (negative delta); RECEIPT,
 * RETURN and TRANSFER_IN bring it in (positive); COUNT is a stocktake that sets the level and is
 * recorded as the delta it implied.
 */
public enum AdjustmentReason {

	SALE(-1), RECEIPT(1), RETURN(1), COUNT(0), DAMAGE(-1), TRANSFER_OUT(-1), TRANSFER_IN(1);

	private final int sign;

	AdjustmentReason(int sign) {
		this.sign = sign;
	}

	/** -1 when the reason takes stock out, 1 when it brings stock in, 0 for COUNT (either). */
	public int sign() {
		return sign;
	}
}
