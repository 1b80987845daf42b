package io.storecast.coupons.internal;

import java.security.SecureRandom;

/** Well-formed codes that were never issued (they pass the check character), for tests. */
public final class TestCodes {

	private TestCodes() {
	}

	public static String wellFormed() {
		return CouponCodes.display(new CouponCodes(new SecureRandom()).next());
	}

	/** The same code with one character changed: the check character refuses it. */
	public static String withTypo(String code) {
		char c = code.charAt(0) == 'A' ? 'B' : 'A';
		return c + code.substring(1);
	}
}
