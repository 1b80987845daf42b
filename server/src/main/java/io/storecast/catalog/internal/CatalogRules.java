package io.storecast.catalog.internal;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Instant;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

import io.storecast.platform.ApiException;
import io.storecast.platform.TextFields;

/**
 * The checks every catalog input passes, whether it arrives as JSON or as a CSV row; each refusal
 * names the field (a JSON path or a CSV column) and has a stable code.
 */
final class CatalogRules {

	/** External ids travel in URL paths and CSV cells: letters, digits, '.', '_' and '-'. */
	static final Pattern EXTERNAL_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
	static final int MAX_NAME = 200;
	static final int MAX_DESCRIPTION = 4000;
	static final int MAX_CATEGORY = 64;
	static final int MAX_TAG = 32;
	static final int MAX_TAGS_PER_DIMENSION = 20;
	static final int MAX_IMAGES = 20;
	static final int MAX_SKUS = 100;
	static final int MAX_THRESHOLD = 1_000_000;
	static final long MAX_PRICE_FEN = 100_000_000_00L;
	static final long MAX_QUANTITY = 1_000_000_000L;

	private CatalogRules() {
	}

	static String externalId(@Nullable String value, String field) {
		if (value == null || value.isBlank()) {
			throw ApiException.badRequest("invalid-external-id", field, field + " is required");
		}
		if (!EXTERNAL_ID.matcher(value).matches()) {
			throw ApiException.badRequest("invalid-external-id", field,
					"'" + value + "' is not an external id: 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit");
		}
		return value;
	}

	static long price(long fen, String field) {
		if (fen < 0) {
			throw ApiException.badRequest("invalid-price", field, field + " must not be negative, was " + fen);
		}
		if (fen > MAX_PRICE_FEN) {
			throw ApiException.badRequest("invalid-price", field, field + " must be at most " + MAX_PRICE_FEN + " fen");
		}
		return fen;
	}

	static @Nullable Integer threshold(@Nullable Integer value, String field) {
		if (value != null && (value < 0 || value > MAX_THRESHOLD)) {
			throw ApiException.badRequest("invalid-threshold", field,
					field + " must be between 0 and " + MAX_THRESHOLD + ", was " + value);
		}
		return value;
	}

	static long quantity(long value, String field) {
		if (value < 0) {
			throw ApiException.badRequest("negative-stock", field, field + " must not be negative, was " + value);
		}
		if (value > MAX_QUANTITY) {
			throw ApiException.badRequest("invalid-quantity", field, field + " must be at most " + MAX_QUANTITY);
		}
		return value;
	}

	static String tag(@Nullable String value, String field) {
		String tag = TextFields.required(value, field, MAX_TAG);
		if (tag.indexOf(Products.SEPARATOR) >= 0 || tag.contains("\n")) {
			throw ApiException.badRequest("invalid-tag", field, field + " must be one line of text");
		}
		return tag;
	}

	/** An absolute http or https URL: images are shown in browsers and apps, where other schemes are a hazard. */
	static String imageUrl(@Nullable String value, String field) {
		String url = TextFields.required(value, field, 2048);
		try {
			URI uri = new URI(url);
			String scheme = uri.getScheme();
			if (scheme != null && (scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
					&& uri.getHost() != null && !uri.getHost().isEmpty()) {
				return url;
			}
		}
		catch (URISyntaxException e) {
			// refused below
		}
		throw ApiException.badRequest("invalid-image", field, field + " must be an http or https URL");
	}

	static void window(@Nullable Instant launchAt, @Nullable Instant endAt, String field) {
		if (launchAt != null && endAt != null && !endAt.isAfter(launchAt)) {
			throw ApiException.badRequest("invalid-window", field, field + " must be after the launch time");
		}
	}
}
