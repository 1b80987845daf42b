package io.storecast.identity.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PasswordsUnitTest {

	final Passwords passwords = new Passwords();

	@Test
	void hashes_with_argon2id_and_verifies() {
		String hash = passwords.hash("Correct-Horse-9");
		assertThat(hash).startsWith("{argon2}$argon2id$");
		assertThat(passwords.matches("Correct-Horse-9", hash)).isTrue();
		assertThat(passwords.matches("correct-horse-9", hash)).isFalse();
		assertThat(passwords.hash("Correct-Horse-9")).isNotEqualTo(hash);
	}

	@Test
	void weak_passwords_are_named() {
		assertThat(Passwords.weakness("short", "bob")).contains("at least 10");
		assertThat(Passwords.weakness("my-name-is-alice", "alice")).contains("username");
		assertThat(Passwords.weakness("aaaaaaaaaaaa", "bob")).contains("different characters");
		assertThat(Passwords.weakness("woaini1314", "bob")).contains("common");
		assertThat(Passwords.weakness("x".repeat(129) + "abcd", "bob")).contains("at most");
		assertThat(Passwords.weakness("Shop-Open-2026", "bob")).isNull();
	}

	@Test
	void generated_passwords_are_strong() {
		String generated = Secrets.password();
		assertThat(generated).matches("[A-Za-z2-9]{5}(-[A-Za-z2-9]{5}){3}");
		assertThat(Passwords.weakness(generated, "owner")).isNull();
	}
}
