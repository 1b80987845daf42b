package io.storecast.identity;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ContextConfiguration;

import io.storecast.support.Api;
import io.storecast.support.ExternalDatabaseCondition;
import io.storecast.support.TestDatabase;
import tools.jackson.databind.JsonNode;

/**
 * A first start with no STORECAST_OWNER_PASSWORD: a strong one-time password is logged once, and the
 * owner must change it before doing anything else. No default password exists.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "server.address=127.0.0.1", "storecast.gateway.port=0", "storecast.identity.owner-password=" })
@ContextConfiguration(initializers = TestDatabase.class)
@ExtendWith({ ExternalDatabaseCondition.class, OutputCaptureExtension.class })
// a context of its own that no other class shares: closed after the class rather than left running
// (its pollers, gateway and embedded PostgreSQL) beside the shared one until the JVM exits
@DirtiesContext
class OwnerBootstrapIntegrationTest {

	private static final Pattern ONE_TIME = Pattern.compile("one-time password: (\\S+)");

	@LocalServerPort
	int port;

	@Test
	void the_generated_owner_password_is_logged_once_and_must_be_changed(CapturedOutput output) {
		// the capture starts before the context of this class (its own configuration) is started
		Matcher matcher = ONE_TIME.matcher(output.getAll());
		assertThat(matcher.find()).as("the one-time password is logged").isTrue();
		String password = matcher.group(1);
		assertThat(password).hasSize(23);
		assertThat(matcher.find()).as("logged only once").isFalse();

		Api api = Api.at(port);
		api.post("/api/v1/auth/login", Map.of("username", "owner", "password", "")).expectProblem(400, "validation-failed");
		api.post("/api/v1/auth/login", Map.of("username", "owner", "password", "owner")).expectProblem(401, "bad-credentials");
		api.post("/api/v1/auth/login", Map.of("username", "owner", "password", "admin")).expectProblem(401, "bad-credentials");
		JsonNode tokens = api.post("/api/v1/auth/login", Map.of("username", "owner", "password", password)).expect(200).json();
		assertThat(tokens.path("passwordChangeRequired").asBoolean()).isTrue();
		Api owner = api.as(tokens.path("accessToken").asString());
		owner.get("/api/v1/org/nodes").expectProblem(403, "password-change-required");
		JsonNode fresh = owner.post("/api/v1/auth/password",
				Map.of("currentPassword", password, "newPassword", "A-Proper-Secret-2026")).expect(200).json();
		JsonNode tree = api.as(fresh.path("accessToken").asString()).get("/api/v1/org/nodes").expect(200).json();
		assertThat(tree).hasSize(1);
		assertThat(tree.get(0).path("kind").asString()).isEqualTo("HEAD_OFFICE");
	}
}
