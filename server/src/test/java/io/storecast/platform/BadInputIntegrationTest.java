package io.storecast.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

import io.storecast.support.Api;
import io.storecast.support.DemoFixture;
import io.storecast.support.StorecastIntegrationTest;

/** Every malformed, oversized or invalid request gets a clear problem-details answer and changes nothing. */
@StorecastIntegrationTest
class BadInputIntegrationTest {

	@LocalServerPort
	int port;

	DemoFixture demo;
	Api owner;

	@BeforeEach
	void setUp() {
		demo = new DemoFixture(port);
		owner = demo.owner;
	}

	@Test
	void malformed_json_is_refused_and_changes_nothing() {
		int before = nodeCount();
		owner.raw("POST", "/api/v1/org/nodes", "application/json", "{\"parentId\": ".getBytes(StandardCharsets.UTF_8))
			.expectProblem(400, "malformed-body");
		owner.raw("POST", "/api/v1/org/nodes", "application/json", "[1,2,3]".getBytes(StandardCharsets.UTF_8))
			.expectProblem(400, "malformed-body");
		owner.raw("POST", "/api/v1/org/nodes", "application/json", new byte[] { (byte) 0xC3, (byte) 0x28, '{' })
			.expectProblem(400, "malformed-body");
		owner.raw("POST", "/api/v1/org/nodes", "application/json", new byte[0]).expectProblem(400, "malformed-body");
		owner.raw("POST", "/api/v1/org/nodes", "text/plain", "hello".getBytes(StandardCharsets.UTF_8))
			.expectProblem(415, "unsupported-media-type");
		assertThat(nodeCount()).isEqualTo(before);
	}

	@Test
	void unknown_fields_and_unknown_enum_values_name_the_field() {
		int before = nodeCount();
		var unknownField = owner.post("/api/v1/org/nodes", Map.of("parentId", demo.node("HQ"), "kind", "REGION", "code",
				"NORTH", "name", "华北区", "colour", "red")).expectProblem(400, "unknown-field");
		assertThat(unknownField.errorFields()).containsExactly("colour");

		var badEnum = owner.post("/api/v1/org/nodes", Map.of("parentId", demo.node("HQ"), "kind", "MALL", "code",
				"NORTH", "name", "华北区")).expectProblem(400, "invalid-value");
		assertThat(badEnum.errorFields()).containsExactly("kind");
		assertThat(badEnum.string("detail")).contains("HEAD_OFFICE, REGION, STORE");

		var badType = owner.post("/api/v1/org/nodes", Map.of("parentId", "not-a-uuid", "kind", "REGION", "code", "NORTH",
				"name", "华北区")).expectProblem(400, "invalid-value");
		assertThat(badType.errorFields()).containsExactly("parentId");

		var badHours = owner.post("/api/v1/org/nodes",
				Map.of("parentId", demo.node("HQ"), "kind", "STORE", "code", "NORTH", "name", "x", "openingHours",
						Map.of("MONDAY", List.of(Map.of("open", "22:00", "close", "10:00")))))
			.expectProblem(400, "invalid-value");
		assertThat(badHours.errorFields()).containsExactly("openingHours.MONDAY[0]");
		assertThat(nodeCount()).isEqualTo(before);
	}

	@Test
	void missing_and_invalid_fields_are_all_listed() {
		var missing = owner.post("/api/v1/org/nodes", Map.of("kind", "REGION", "code", "bad code!"))
			.expectProblem(400, "validation-failed");
		assertThat(missing.errorFields()).containsExactlyInAnyOrder("parentId", "code", "name");

		owner.post("/api/v1/org/nodes", Map.of("parentId", demo.node("HQ"), "kind", "REGION", "code", "NORTH2", "name",
				"华北区", "timeZone", "Mars/Olympus")).expectProblem(400, "invalid-time-zone");
		owner.put("/api/v1/customers/external/cust-1", Map.of("phone", "12345")).expectProblem(400, "invalid-phone");
		owner.put("/api/v1/customers/external/cust-1", Map.of("phone", "+8612345678901"))
			.expectProblem(400, "invalid-phone");
		owner.put("/api/v1/customers/external/cust-1", Map.of("birthday", "2999-01-01")).expectProblem(400, "invalid-value");
		owner.put("/api/v1/customers/external/cust-1", Map.of("homeStoreId", demo.node("EAST")))
			.expectProblem(400, "not-a-store");
		owner.put("/api/v1/customers/external/bad%20id", Map.of("nickname", "x")).expectProblem(400, "invalid-external-id");
		owner.put("/api/v1/customers/external/cust-1", Map.of("memberLevel", "金卡 VIP"))
			.expectProblem(400, "validation-failed");
		owner.get("/api/v1/customers/external/cust-1").expectProblem(404, "not-found");
		owner.get("/api/v1/customers?limit=0").expectProblem(400, "invalid-limit");
		owner.get("/api/v1/customers?limit=abc").expectProblem(400, "invalid-value");
		owner.get("/api/v1/customers/not-a-uuid").expectProblem(400, "invalid-value");
		owner.get("/api/v1/staff/" + java.util.UUID.randomUUID()).expectProblem(404, "not-found");
		owner.post("/api/v1/api-keys", Map.of("name", "k", "scopes", List.of("everything:write")))
			.expectProblem(400, "invalid-value");
		owner.post("/api/v1/api-keys", Map.of("name", "k", "scopes", List.of())).expectProblem(400, "validation-failed");
	}

	@Test
	void oversized_bodies_get_413_whether_declared_or_streamed() {
		int before = nodeCount();
		String big = "x".repeat(1_100_000);
		owner.raw("POST", "/api/v1/org/nodes", "application/json",
				("{\"parentId\":\"" + demo.node("HQ") + "\",\"kind\":\"REGION\",\"code\":\"BIG\",\"name\":\"" + big + "\"}")
					.getBytes(StandardCharsets.UTF_8))
			.expectProblem(413, "body-too-large");
		assertThat(nodeCount()).isEqualTo(before);
		// a name over its own limit, in a body under the global limit
		owner.post("/api/v1/org/nodes", Map.of("parentId", demo.node("HQ"), "kind", "REGION", "code", "BIG", "name",
				"x".repeat(101))).expectProblem(400, "validation-failed");
	}

	@Test
	void unknown_routes_and_wrong_methods_are_problems_too() {
		owner.get("/api/v1/no-such-thing").expectProblem(404, "not-found");
		owner.send("DELETE", "/api/v1/org/nodes", null).expectProblem(405, "method-not-allowed");
	}

	private int nodeCount() {
		return owner.get("/api/v1/org/nodes").expect(200).json().size();
	}
}
