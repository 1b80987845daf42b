package io.storecast.identity;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.TestPropertySource;

import io.storecast.support.Api;
import io.storecast.support.Fixtures;
import io.storecast.support.StorecastIntegrationTest;

/** Brute force is throttled per account and per client address, with Retry-After, and audited. */
@StorecastIntegrationTest
@TestPropertySource(properties = { "storecast.identity.login-failures-per-account=3",
		"storecast.identity.login-failure-window=10m", "storecast.identity.login-attempts-per-ip=12",
		"storecast.identity.visitor-tokens-per-ip=3" })
// a context of its own that no other class shares: closed after the class rather than left running
// (its pollers, gateway and embedded PostgreSQL) beside the shared one until the JVM exits
@DirtiesContext
class LoginThrottleIntegrationTest {

	@LocalServerPort
	int port;

	@Test
	void an_account_is_locked_after_repeated_failures_even_for_the_right_password_and_the_address_after_many_attempts() {
		Api api = Api.at(port);
		for (int i = 0; i < 3; i++) {
			api.post("/api/v1/auth/login", Map.of("username", "hz-xh.manager", "password", "guess-" + i + "-xxxx"))
				.expectProblem(401, "bad-credentials");
		}
		var locked = api.post("/api/v1/auth/login", Map.of("username", "hz-xh.manager", "password", Fixtures.DEMO_PASSWORD))
			.expectProblem(429, "login-throttled");
		assertThat(Long.parseLong(locked.header("Retry-After"))).isBetween(1L, 600L);

		// another account from the same address is not locked by it (attempts 5 and 6 from this address)
		api.login("hz-xh.clerk1", Fixtures.DEMO_PASSWORD).get("/api/v1/me").expect(200);
		Api owner = api.login(Fixtures.OWNER, Fixtures.OWNER_PASSWORD);
		assertThat(owner.get("/api/v1/audit?action=LOGIN_THROTTLED").expect(200).json().path("items").valueStream()
			.map(e -> e.path("subject").asString())).contains("hz-xh.manager");

		// the address runs out after 12 attempts in a minute, whatever the account: 7 to 12 fail, 13 is refused
		for (int i = 0; i < 6; i++) {
			api.post("/api/v1/auth/login", Map.of("username", "nobody-" + i, "password", "x-x-x-x-x-x"))
				.expectProblem(401, "bad-credentials");
		}
		api.post("/api/v1/auth/login", Map.of("username", "sh-njr.clerk1", "password", Fixtures.DEMO_PASSWORD))
			.expectProblem(429, "login-throttled");
	}

	@Test
	void visitor_tokens_are_rate_limited_per_address() {
		Api api = Api.at(port);
		for (int i = 0; i < 3; i++) {
			api.post("/api/v1/visitors/tokens", Map.of()).expect(201);
		}
		api.post("/api/v1/visitors/tokens", Map.of()).expectProblem(429, "rate-limited");
	}
}
