package io.storecast.identity.internal;

import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.springframework.security.crypto.argon2.Argon2PasswordEncoder;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.security.crypto.password.DelegatingPasswordEncoder;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Component;

import io.storecast.platform.ApiException;

/** Argon2id hashing (BCrypt hashes still verify) and the rules a new password must meet. */
@Component
class Passwords {

	static final int MIN_LENGTH = 10;
	static final int MAX_LENGTH = 128;

	private static final Set<String> COMMON = Set.of("1234567890", "0123456789", "12345678910", "qwertyuiop",
			"password123", "password1234", "1qaz2wsx3edc", "qwerty123456", "iloveyou123", "abc1234567", "a123456789",
			"aa12345678", "woaini1314", "5201314520", "1314520520", "administrator", "storecast123", "changeme123");

	private final PasswordEncoder encoder = new DelegatingPasswordEncoder("argon2",
			Map.of("argon2", Argon2PasswordEncoder.defaultsForSpringSecurity_v5_8(), "bcrypt", new BCryptPasswordEncoder()));

	/** Computed once: verifying against it costs what a real check costs, so unknown users take as long. */
	private final String decoy = encoder.encode(Secrets.password());

	String hash(String raw) {
		return encoder.encode(raw);
	}

	boolean matches(String raw, String hash) {
		return encoder.matches(raw, hash);
	}

	/** Spends the time of a real verification, for logins of unknown accounts. */
	void burn(String raw) {
		encoder.matches(raw, decoy);
	}

	/** Refuses a weak new password with a 400 naming {@code field}. */
	void requireStrong(String raw, String username, String field) {
		String reason = weakness(raw, username);
		if (reason != null) {
			throw ApiException.badRequest("weak-password", field, reason);
		}
	}

	static String weakness(String raw, String username) {
		if (raw.length() < MIN_LENGTH) {
			return "must be at least " + MIN_LENGTH + " characters";
		}
		if (raw.length() > MAX_LENGTH) {
			return "must be at most " + MAX_LENGTH + " characters";
		}
		String lower = raw.toLowerCase(Locale.ROOT);
		if (!username.isBlank() && lower.contains(username.toLowerCase(Locale.ROOT))) {
			return "must not contain the username";
		}
		if (raw.chars().distinct().count() < 4) {
			return "must use at least 4 different characters";
		}
		if (COMMON.contains(lower)) {
			return "is too common";
		}
		return null;
	}
}
