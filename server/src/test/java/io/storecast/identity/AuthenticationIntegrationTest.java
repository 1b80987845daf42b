package io.storecast.identity;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

import io.storecast.support.Api;
import io.storecast.support.DemoFixture;
import io.storecast.support.Fixtures;
import io.storecast.support.StorecastIntegrationTest;
import tools.jackson.databind.JsonNode;

/** Logins, refresh-token rotation, forced and voluntary password changes, visitor tokens, the audit trail. */
@StorecastIntegrationTest
class AuthenticationIntegrationTest {

	@LocalServerPort
	int port;

	DemoFixture demo;

	@BeforeEach
	void setUp() {
		demo = new DemoFixture(port);
	}

	@Test
	void wrong_password_and_unknown_user_get_the_same_answer_and_are_audited() {
		JsonNode wrong = demo.anonymous.post("/api/v1/auth/login", Map.of("username", "hz-xh.clerk1", "password", "nope-nope-nope"))
			.expectProblem(401, "bad-credentials").json();
		JsonNode unknown = demo.anonymous.post("/api/v1/auth/login", Map.of("username", "ghost-" + UUID.randomUUID(), "password", "nope-nope-nope"))
			.expectProblem(401, "bad-credentials").json();
		assertThat(wrong.path("detail").asString()).isEqualTo(unknown.path("detail").asString());

		JsonNode audit = demo.owner.get("/api/v1/audit?action=LOGIN_FAILED&limit=200").expect(200).json().path("items");
		assertThat(audit.valueStream().map(e -> e.path("subject").asString())).contains("hz-xh.clerk1");
		assertThat(audit.valueStream().filter(e -> e.path("subject").asString().equals("hz-xh.clerk1")).findFirst()
			.orElseThrow().path("detail").path("reason").asString()).isEqualTo("bad-password");
		// the region manager sees failures in their region only
		JsonNode east = demo.staff("east.manager").get("/api/v1/audit?action=LOGIN_FAILED&limit=200").expect(200).json().path("items");
		assertThat(east.valueStream().map(e -> e.path("subject").asString())).contains("hz-xh.clerk1")
			.noneMatch(s -> s.startsWith("ghost-"));
		demo.staff("hz-xh.clerk1").get("/api/v1/audit").expectProblem(403, "forbidden");
	}

	@Test
	void a_refresh_token_is_single_use_and_its_reuse_ends_the_session() {
		JsonNode first = login("gz-th.clerk1");
		JsonNode second = demo.anonymous.post("/api/v1/auth/refresh", Map.of("refreshToken", first.path("refreshToken").asString()))
			.expect(200).json();
		assertThat(second.path("refreshToken").asString()).isNotEqualTo(first.path("refreshToken").asString());
		Api current = demo.anonymous.as(second.path("accessToken").asString());
		current.get("/api/v1/me").expect(200);

		// someone replays the spent token: refused, and the whole session ends
		demo.anonymous.post("/api/v1/auth/refresh", Map.of("refreshToken", first.path("refreshToken").asString()))
			.expectProblem(401, "invalid-refresh-token");
		current.get("/api/v1/me").expectProblem(401, "token-revoked");
		demo.anonymous.post("/api/v1/auth/refresh", Map.of("refreshToken", second.path("refreshToken").asString()))
			.expectProblem(401, "invalid-refresh-token");
		demo.anonymous.post("/api/v1/auth/refresh", Map.of("refreshToken", "scr_garbage"))
			.expectProblem(401, "invalid-refresh-token");
	}

	@Test
	void a_temporary_password_must_be_changed_before_anything_else() {
		String username = "newbie-" + UUID.randomUUID().toString().substring(0, 8);
		String temporary = demo.staff("gz-th.manager").post("/api/v1/staff", Map.of("username", username,
				"displayName", "新人", "role", "CLERK", "orgNodeId", demo.node("GZ-TH"))).expect(201).string("temporaryPassword");

		JsonNode tokens = demo.anonymous.post("/api/v1/auth/login", Map.of("username", username, "password", temporary))
			.expect(200).json();
		assertThat(tokens.path("passwordChangeRequired").asBoolean()).isTrue();
		Api newbie = demo.anonymous.as(tokens.path("accessToken").asString());
		newbie.get("/api/v1/me").expect(200);
		newbie.get("/api/v1/customers").expectProblem(403, "password-change-required");
		newbie.post("/api/v1/auth/password", Map.of("currentPassword", temporary, "newPassword", "short"))
			.expectProblem(400, "weak-password");
		newbie.post("/api/v1/auth/password", Map.of("currentPassword", temporary, "newPassword", username + "-2026!"))
			.expectProblem(400, "weak-password");
		newbie.post("/api/v1/auth/password", Map.of("currentPassword", "wrong-one-123", "newPassword", "Brand-New-Pass-42"))
			.expectProblem(400, "bad-credentials");
		newbie.get("/api/v1/customers").expectProblem(403, "password-change-required");

		JsonNode fresh = newbie.post("/api/v1/auth/password",
				Map.of("currentPassword", temporary, "newPassword", "Brand-New-Pass-42")).expect(200).json();
		assertThat(fresh.path("passwordChangeRequired").asBoolean()).isFalse();
		newbie.get("/api/v1/me").expectProblem(401, "token-revoked");
		demo.anonymous.as(fresh.path("accessToken").asString()).get("/api/v1/customers?limit=1").expect(200);
		demo.anonymous.post("/api/v1/auth/login", Map.of("username", username, "password", temporary))
			.expectProblem(401, "bad-credentials");
		demo.anonymous.post("/api/v1/auth/login", Map.of("username", username, "password", "Brand-New-Pass-42")).expect(200);
	}

	@Test
	void a_password_reset_by_a_manager_ends_the_members_sessions() {
		Api manager = demo.staff("sz-wxc.manager");
		JsonNode clerk = login("sz-wxc.clerk2");
		Api clerkApi = demo.anonymous.as(clerk.path("accessToken").asString());
		String id = clerkApi.get("/api/v1/me").expect(200).json().path("staff").path("id").asString();
		String temporary = manager.post("/api/v1/staff/" + id + "/password-reset", Map.of()).expect(200)
			.string("temporaryPassword");
		clerkApi.get("/api/v1/me").expectProblem(401, "token-revoked");
		JsonNode again = demo.anonymous.post("/api/v1/auth/login", Map.of("username", "sz-wxc.clerk2", "password", temporary))
			.expect(200).json();
		assertThat(again.path("passwordChangeRequired").asBoolean()).isTrue();
		// put it back for the other tests
		demo.anonymous.as(again.path("accessToken").asString())
			.post("/api/v1/auth/password", Map.of("currentPassword", temporary, "newPassword", Fixtures.DEMO_PASSWORD))
			.expect(200);
	}

	@Test
	void visitors_get_anonymous_tokens_that_reach_nothing_but_themselves() {
		JsonNode tokens = demo.anonymous.post("/api/v1/visitors/tokens", Map.of()).expect(201).json();
		Api visitor = demo.anonymous.as(tokens.path("accessToken").asString());
		assertThat(visitor.get("/api/v1/me").expect(200).string("kind")).isEqualTo("VISITOR");
		visitor.get("/api/v1/customers").expectProblem(403, "forbidden");
		visitor.get("/api/v1/org/nodes").expectProblem(403, "forbidden");
		visitor.post("/api/v1/auth/logout", Map.of()).expect(204);
		visitor.get("/api/v1/me").expectProblem(401, "token-revoked");
	}

	private JsonNode login(String username) {
		return demo.anonymous.post("/api/v1/auth/login", Map.of("username", username, "password", Fixtures.DEMO_PASSWORD))
			.expect(200).json();
	}
}
