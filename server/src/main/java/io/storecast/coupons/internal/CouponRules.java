package io.storecast.coupons.internal;

import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

import io.storecast.identity.Actor;
import io.storecast.platform.ApiException;

/** The checks coupon inputs pass; each refusal names the field and has a stable code. */
final class CouponRules {

	static final Pattern REQUEST_KEY = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
	static final Pattern EXTERNAL_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
	static final Pattern ORDER_ID = Pattern.compile("[A-Za-z0-9._:@/#-]{1,128}");
	static final Pattern SOURCE = Pattern.compile("[A-Za-z0-9._:-]{1,32}");
	static final long MAX_FEN = 100_000_000_00L;
	static final long MAX_QUANTITY = 10_000;
	static final int MAX_LINES = 200;
	static final int MAX_CODES = 10;

	private CouponRules() {
	}

	static String requestKey(@Nullable String key) {
		if (key == null || !REQUEST_KEY.matcher(key).matches()) {
			throw ApiException.badRequest(key == null ? "missing-idempotency-key" : "invalid-idempotency-key",
					"Idempotency-Key", "Claims and grants need an Idempotency-Key header of 1-64 letters, digits, '.', '_',"
							+ " ':' or '-', reused on retries so that a retried request issues one coupon");
		}
		return key;
	}

	static @Nullable String source(@Nullable String value, String field) {
		if (value == null || value.isBlank()) {
			return null;
		}
		if (!SOURCE.matcher(value).matches()) {
			throw ApiException.badRequest("validation-failed", field,
					field + " must be 1-32 letters, digits, '.', '_', ':' or '-' (e.g. card, link, live, campaign)");
		}
		return value;
	}

	static String orderId(@Nullable String value, String field) {
		if (value == null || !ORDER_ID.matcher(value).matches()) {
			throw ApiException.badRequest("invalid-order-id", field,
					field + " must be the merchant's order id: 1-128 letters, digits or . _ : @ / # -");
		}
		return value;
	}

	/** Who is acting, for the record and to scope idempotency keys. */
	static String who(Actor actor) {
		return switch (actor) {
			case Actor.Staff s -> "staff:" + s.id();
			case Actor.ApiClient c -> "api-key:" + c.keyId();
			case Actor.Customer c -> "customer:" + c.id();
			case Actor.Visitor v -> throw ApiException.forbidden("forbidden", "A visitor may not do this");
		};
	}

	/** A normalised code, or a 400 {@code invalid-code} naming the field. */
	static String code(@Nullable String typed, String field) {
		return CouponCodes.normalise(typed)
			.orElseThrow(() -> ApiException.badRequest("invalid-code", field, "'" + typed + "' is not a coupon code:"
					+ " 16 characters of 2-9 and A-Z without I and O, the last a check character (a typo?)"));
	}
}
