package io.storecast.identity;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;

import io.storecast.support.DemoFixture;
import io.storecast.support.StorecastIntegrationTest;
import tools.jackson.databind.JsonNode;

/** storecast.demo=true loads a realistic merchant: 2 regions, 5 stores, every role, 200 customers. */
@StorecastIntegrationTest
class DemoMerchantIntegrationTest {

	@LocalServerPort
	int port;

	@Autowired
	JdbcClient jdbc;

	@Test
	void the_demo_merchant_has_regions_stores_every_role_and_customers() {
		DemoFixture demo = new DemoFixture(port);
		JsonNode tree = demo.owner.get("/api/v1/org/nodes").expect(200).json();
		assertThat(tree.valueStream().filter(n -> n.path("kind").asString().equals("REGION")).count()).isGreaterThanOrEqualTo(2);
		assertThat(tree.valueStream().filter(n -> n.path("kind").asString().equals("STORE")).count()).isGreaterThanOrEqualTo(5);

		Set<Role> roles = EnumSet.noneOf(Role.class);
		demo.owner.get("/api/v1/staff?limit=200").expect(200).json().path("items")
			.forEach(s -> roles.add(Role.valueOf(s.path("role").asString())));
		assertThat(roles).containsExactlyInAnyOrder(Role.values());

		Long demoCustomers = jdbc.sql("SELECT count(*) FROM identity_customers WHERE external_id LIKE 'demo-c-%'")
			.query(Long.class).single();
		assertThat(demoCustomers).isEqualTo(200);
		Long complete = jdbc.sql("""
				SELECT count(*) FROM identity_customers
				 WHERE external_id LIKE 'demo-c-%' AND nickname IS NOT NULL AND phone LIKE '+861%' AND birthday IS NOT NULL
				   AND member_level IS NOT NULL AND home_store_id IS NOT NULL""").query(Long.class).single();
		assertThat(complete).isEqualTo(200);
		Set<String> levels = new HashSet<>(jdbc.sql("SELECT DISTINCT member_level FROM identity_customers WHERE external_id LIKE 'demo-c-%'")
			.query(String.class).list());
		assertThat(levels).contains("REGULAR", "SILVER", "GOLD", "DIAMOND");
		// every demo store has customers
		for (String store : new String[] { "SH-NJR", "HZ-XH", "SZ-GQJ", "GZ-TH", "SZ-WXC" }) {
			demo.customerOf(store);
		}
		// loaded exactly once
		assertThat(jdbc.sql("SELECT count(*) FROM identity_audit_log WHERE action = 'DEMO_LOADED'").query(Long.class).single())
			.isEqualTo(1);
	}
}
