package io.storecast.identity.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;

import org.junit.jupiter.api.Test;

class ApiKeyFormatUnitTest {

	@Test
	void a_key_round_trips_through_its_format() {
		UUID id = UUID.randomUUID();
		String secret = Secrets.token("", 32);
		String key = Authenticating.ParsedKey.format(id, secret);
		assertThat(key).startsWith("sck_").hasSize(4 + 32 + 1 + 43);
		var parsed = Authenticating.ParsedKey.parse(key).orElseThrow();
		assertThat(parsed.id()).isEqualTo(id);
		assertThat(parsed.secret()).isEqualTo(secret);
	}

	@Test
	void malformed_keys_do_not_parse() {
		assertThat(Authenticating.ParsedKey.parse("sck_")).isEmpty();
		assertThat(Authenticating.ParsedKey.parse("sck_" + "g".repeat(32) + "_" + "a".repeat(43))).isEmpty();
		assertThat(Authenticating.ParsedKey.parse("sck_" + "a".repeat(32) + "-" + "a".repeat(43))).isEmpty();
		assertThat(Authenticating.ParsedKey.parse("xyz_" + "a".repeat(32) + "_" + "a".repeat(43))).isEmpty();
	}
}
