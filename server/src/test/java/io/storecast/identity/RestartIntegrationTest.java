package io.storecast.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import io.storecast.StorecastApplication;
import io.storecast.support.Api;
import io.storecast.support.TestDatabase;
import tools.jackson.databind.JsonNode;

/** The embedded database keeps everything across a restart: data, accounts and the token signing key. */
class RestartIntegrationTest {

	@Test
	void a_restart_on_the_same_data_directory_keeps_everything() {
		assumeFalse(TestDatabase.external(), "about the embedded database's data directory");
		Path dataDir = TestDatabase.temporaryDataDir();
		String accessToken;
		String storeId;
		try (ConfigurableApplicationContext first = start(dataDir)) {
			Api owner = Api.at(port(first)).login("owner", "Restart-Head-Pass-1");
			storeId = owner.post("/api/v1/org/nodes", Map.of("parentId", owner.get("/api/v1/org/nodes").json().get(0)
				.path("id").asString(), "kind", "STORE", "code", "KEEP-1", "name", "持久店")).expect(201).string("id");
			accessToken = owner.post("/api/v1/auth/login", Map.of("username", "owner", "password", "Restart-Head-Pass-1"))
				.expect(200).string("accessToken");
		}
		try (ConfigurableApplicationContext second = start(dataDir)) {
			Api api = Api.at(port(second));
			// the token issued before the restart is still valid: same key, same session
			JsonNode node = api.as(accessToken).get("/api/v1/org/nodes/" + storeId).expect(200).json();
			assertThat(node.path("name").asString()).isEqualTo("持久店");
			// one owner, not a second one from a second bootstrap
			assertThat(api.as(accessToken).get("/api/v1/staff").expect(200).json().path("items")).hasSize(1);
		}
	}

	private static ConfigurableApplicationContext start(Path dataDir) {
		// command-line arguments, so they win over application.yml as they would for an operator
		return new SpringApplicationBuilder(StorecastApplication.class).run("--server.address=127.0.0.1",
				"--server.port=0", "--storecast.gateway.port=0", "--storecast.db.url=",
				"--storecast.db.data-dir=" + dataDir,
				"--storecast.identity.owner-password=Restart-Head-Pass-1");
	}

	private static int port(ConfigurableApplicationContext context) {
		return ((WebServerApplicationContext) context).getWebServer().getPort();
	}
}
