package io.storecast.platform;

import org.jspecify.annotations.Nullable;

/**
 * Free-text fields of requests (names, notes, descriptions): trimmed, at most {@code max} characters
 * (code points), no control characters other than line breaks and tabs. A refusal is
 * {@code 400 validation-failed} naming the field.
 */
public final class TextFields {

	private TextFields() {
	}

	public static String required(@Nullable String value, String field, int max) {
		if (value == null || value.isBlank()) {
			throw ApiException.badRequest("validation-failed", field, field + " is required");
		}
		return text(value, field, max);
	}

	/** The trimmed text, or null when it is missing or blank. */
	public static @Nullable String optional(@Nullable String value, String field, int max) {
		return value == null || value.isBlank() ? null : text(value, field, max);
	}

	private static String text(String value, String field, int max) {
		String trimmed = value.strip();
		if (trimmed.codePointCount(0, trimmed.length()) > max) {
			throw ApiException.badRequest("validation-failed", field, field + " must be at most " + max + " characters");
		}
		for (int i = 0; i < trimmed.length(); i++) {
			char c = trimmed.charAt(i);
			if (Character.isISOControl(c) && c != '\n' && c != '\t' && c != '\r') {
				throw ApiException.badRequest("validation-failed", field, field + " contains a control character");
			}
		}
		return trimmed;
	}
}
