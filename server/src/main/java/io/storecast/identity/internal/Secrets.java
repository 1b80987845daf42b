package io.storecast.identity.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

/** Random secrets and their SHA-256 digests (high-entropy secrets need no slow hash). */
final class Secrets {

	private static final SecureRandom RANDOM = new SecureRandom();

	private static final String PASSWORD_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";

	private Secrets() {
	}

	static byte[] randomBytes(int n) {
		byte[] bytes = new byte[n];
		RANDOM.nextBytes(bytes);
		return bytes;
	}

	/** A URL-safe random token with {@code bytes} bytes of entropy and a readable prefix. */
	static String token(String prefix, int bytes) {
		return prefix + Base64.getUrlEncoder().withoutPadding().encodeToString(randomBytes(bytes));
	}

	/** A password that is easy to type from a log line: 20 characters, ~115 bits. */
	static String password() {
		StringBuilder sb = new StringBuilder();
		for (int i = 0; i < 20; i++) {
			if (i > 0 && i % 5 == 0) {
				sb.append('-');
			}
			sb.append(PASSWORD_ALPHABET.charAt(RANDOM.nextInt(PASSWORD_ALPHABET.length())));
		}
		return sb.toString();
	}

	static byte[] sha256(String value) {
		try {
			return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
		}
		catch (NoSuchAlgorithmException e) {
			throw new IllegalStateException(e);
		}
	}

	static boolean sameDigest(byte[] a, byte[] b) {
		return MessageDigest.isEqual(a, b);
	}
}
