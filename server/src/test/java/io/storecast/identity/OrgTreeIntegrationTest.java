package io.storecast.identity;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import io.storecast.support.DemoFixture;
import io.storecast.support.StorecastIntegrationTest;
import tools.jackson.databind.JsonNode;

/** The org tree: its shape rules, codes, time zones and opening hours; and the read API other modules use. */
@StorecastIntegrationTest
class OrgTreeIntegrationTest {

	@LocalServerPort
	int port;

	@Autowired
	OrgDirectory directory;

	DemoFixture demo;

	@BeforeEach
	void setUp() {
		demo = new DemoFixture(port);
	}

	@Test
	void regions_sit_under_the_head_office_and_stores_under_a_region_or_the_head_office() {
		String code = "W" + UUID.randomUUID().toString().substring(0, 6);
		JsonNode region = demo.owner.post("/api/v1/org/nodes", Map.of("parentId", demo.node("HQ"), "kind", "REGION",
				"code", code, "name", "华西区", "timeZone", "Asia/Urumqi")).expect(201).json();
		JsonNode store = demo.owner.post("/api/v1/org/nodes", Map.of("parentId", region.path("id").asString(), "kind",
				"STORE", "code", code + "-1", "name", "乌鲁木齐店", "city", "乌鲁木齐")).expect(201).json();
		// a store inherits its region's zone and gets default hours
		assertThat(store.path("timeZone").asString()).isEqualTo("Asia/Urumqi");
		assertThat(store.path("openingHours").path("MONDAY").get(0).path("open").asString()).isEqualTo("10:00");
		// a store directly under the head office (a single shop) is fine
		demo.owner.post("/api/v1/org/nodes", Map.of("parentId", demo.node("HQ"), "kind", "STORE", "code", code + "-HQ",
				"name", "旗舰店")).expect(201);

		demo.owner.post("/api/v1/org/nodes", Map.of("parentId", store.path("id").asString(), "kind", "STORE", "code",
				code + "-2", "name", "x")).expectProblem(400, "invalid-org-structure");
		demo.owner.post("/api/v1/org/nodes", Map.of("parentId", region.path("id").asString(), "kind", "REGION", "code",
				code + "-3", "name", "x")).expectProblem(400, "invalid-org-structure");
		demo.owner.post("/api/v1/org/nodes", Map.of("parentId", demo.node("HQ"), "kind", "HEAD_OFFICE", "code",
				code + "-4", "name", "x")).expectProblem(400, "invalid-org-structure");
		demo.owner.post("/api/v1/org/nodes", Map.of("parentId", UUID.randomUUID().toString(), "kind", "STORE", "code",
				code + "-5", "name", "x")).expectProblem(400, "unknown-org-node");
		var duplicate = demo.owner.post("/api/v1/org/nodes", Map.of("parentId", demo.node("HQ"), "kind", "REGION", "code",
				code.toLowerCase(), "name", "x")).expectProblem(409, "duplicate-code");
		assertThat(duplicate.errorFields()).containsExactly("code");

		var stores = directory.storesUnder(new OrgNodeId(UUID.fromString(region.path("id").asString())));
		assertThat(stores).extracting(OrgNode::code).containsExactly(code + "-1");
	}

	@Test
	void a_store_manager_sets_their_own_opening_hours() {
		var manager = demo.staff("sz-gqj.manager");
		JsonNode updated = manager.patch("/api/v1/org/nodes/" + demo.node("SZ-GQJ"), Map.of("openingHours",
				Map.of("MONDAY", List.of(Map.of("open", "09:00", "close", "12:00"), Map.of("open", "13:00", "close", "21:00")),
						"SUNDAY", List.of()))).expect(200).json();
		assertThat(updated.path("openingHours").path("MONDAY")).hasSize(2);
		assertThat(updated.path("openingHours").has("SUNDAY")).isFalse();
		assertThat(updated.path("name").asString()).isEqualTo("苏州观前街店");

		OrgNode node = directory.find(OrgNodeId.valueOf(demo.node("SZ-GQJ"))).orElseThrow();
		var monday = java.time.ZonedDateTime.of(2026, 11, 23, 12, 30, 0, 0, node.timeZone());
		assertThat(node.openingHours().isOpenAt(monday)).isFalse();
		assertThat(node.openingHours().isOpenAt(monday.withHour(13))).isTrue();
		assertThat(node.openingHours().isOpenAt(monday.plusDays(6).withHour(13))).isFalse();

		manager.patch("/api/v1/org/nodes/" + demo.node("HZ-XH"), Map.of("name", "x")).expectProblem(403, "forbidden");
	}
}
