package io.storecast.platform;

import java.util.regex.Pattern;

/**
 * Phone numbers in E.164 ({@code +8613812345678}). An 11-digit mainland China mobile number
 * without a country code is accepted and given {@code +86}, since Chinese POS systems export them so.
 */
public final class PhoneNumbers {

	private static final Pattern E164 = Pattern.compile("\\+[1-9]\\d{6,14}");
	private static final Pattern CN_MOBILE = Pattern.compile("1[3-9]\\d{9}");
	private static final Pattern CN_E164 = Pattern.compile("\\+861[3-9]\\d{9}");

	private PhoneNumbers() {
	}

	/** The number in E.164, or a 400 problem naming {@code field}. */
	public static String normalize(String raw, String field) {
		String compact = raw.replaceAll("[\\s\\-()]", "");
		if (compact.startsWith("0086")) {
			compact = "+" + compact.substring(2);
		}
		if (CN_MOBILE.matcher(compact).matches()) {
			compact = "+86" + compact;
		}
		if (!E164.matcher(compact).matches()) {
			throw ApiException.badRequest("invalid-phone", field,
					"'" + raw + "' is not a phone number in E.164 form, e.g. +8613812345678");
		}
		if (compact.startsWith("+86") && !CN_E164.matcher(compact).matches()) {
			throw ApiException.badRequest("invalid-phone", field,
					"'" + raw + "' is not a valid mainland China mobile number (+86 1xx xxxx xxxx)");
		}
		return compact;
	}
}
