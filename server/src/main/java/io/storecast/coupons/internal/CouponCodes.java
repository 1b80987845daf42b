package io.storecast.coupons.internal;

import java.security.SecureRandom;
import java.util.Locale;
import java.util.Optional;

import org.jspecify.annotations.Nullable;

/**
 * Coupon codes: 15 random characters (75 bits from {@link SecureRandom}, so neither sequential nor
 * guessable) of an alphabet without the look-alikes 0/O and 1/I, then a check character, shown in
 * groups of four ({@code K7QF-3MZP-A9RW-XT2C}). The check is Damm's algorithm over GF(32) — the
 * quasigroup {@code x∘y = 2x ⊕ y} is totally anti-symmetric — so every single mistyped character and
 * every swap of two neighbours is caught before any lookup.
 */
final class CouponCodes {

	static final String ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
	static final int RANDOM_LENGTH = 15;
	static final int LENGTH = RANDOM_LENGTH + 1;
	/** x^5 + x^2 + 1, a primitive polynomial of GF(32). */
	private static final int POLYNOMIAL = 0b100101;
	private static final int[] VALUES = new int[128];

	static {
		java.util.Arrays.fill(VALUES, -1);
		for (int i = 0; i < ALPHABET.length(); i++) {
			VALUES[ALPHABET.charAt(i)] = i;
		}
	}

	private final SecureRandom random;

	CouponCodes(SecureRandom random) {
		this.random = random;
	}

	/** A new code, normalised (16 characters, no separators). */
	String next() {
		char[] code = new char[LENGTH];
		// 75 random bits from one call (the generator takes a lock per call): 5 bits per character
		byte[] bytes = new byte[10];
		random.nextBytes(bytes);
		long low = java.nio.ByteBuffer.wrap(bytes).getLong();
		int high = (bytes[8] & 0xFF) << 8 | bytes[9] & 0xFF;
		int interim = 0;
		for (int i = 0; i < RANDOM_LENGTH; i++) {
			int v = i < 12 ? (int) (low >>> (5 * i)) & 31 : high >>> 5 * (i - 12) & 31;
			code[i] = ALPHABET.charAt(v);
			interim = step(interim, v);
		}
		code[RANDOM_LENGTH] = ALPHABET.charAt(times2(interim));
		return new String(code);
	}

	/**
	 * The normalised form of what a person typed (case, spaces and hyphens ignored), or empty when it
	 * is not a well-formed code: wrong length, a character outside the alphabet, or a failed check.
	 */
	static Optional<String> normalise(@Nullable String typed) {
		if (typed == null || typed.length() > 64) {
			return Optional.empty();
		}
		StringBuilder sb = new StringBuilder(LENGTH);
		for (int i = 0; i < typed.length(); i++) {
			char c = typed.charAt(i);
			if (c == '-' || c == ' ') {
				continue;
			}
			sb.append(Character.toUpperCase(c));
		}
		String code = sb.toString().toUpperCase(Locale.ROOT);
		if (code.length() != LENGTH) {
			return Optional.empty();
		}
		int interim = 0;
		for (int i = 0; i < LENGTH; i++) {
			char c = code.charAt(i);
			int v = c < 128 ? VALUES[c] : -1;
			if (v < 0) {
				return Optional.empty();
			}
			interim = step(interim, v);
		}
		return interim == 0 ? Optional.of(code) : Optional.empty();
	}

	/** {@code K7QF-3MZP-A9RW-XT2C}: how a normalised code is shown. */
	static String display(String code) {
		StringBuilder sb = new StringBuilder(code.length() + code.length() / 4);
		for (int i = 0; i < code.length(); i++) {
			if (i > 0 && i % 4 == 0) {
				sb.append('-');
			}
			sb.append(code.charAt(i));
		}
		return sb.toString();
	}

	private static int step(int interim, int digit) {
		return times2(interim) ^ digit;
	}

	private static int times2(int x) {
		int doubled = x << 1;
		return (doubled & 0b100000) != 0 ? doubled ^ POLYNOMIAL : doubled;
	}
}
