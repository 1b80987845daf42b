package io.storecast.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import io.storecast.StorecastApplication;
import io.storecast.sdk.StorecastClient;
import io.storecast.support.Api;
import io.storecast.support.DemoFixture;
import io.storecast.support.Fixtures;
import io.storecast.support.Recorder;
import io.storecast.support.TestDatabase;
import tools.jackson.databind.json.JsonMapper;

/**
 * Cluster mode: two nodes on one PostgreSQL and one Redis. A message sent on one node reaches a
 * member connected to the other; presence, ended sessions and membership changes cross too. Runs in
 * the external-database run (it needs the PostgreSQL and Redis on 127.0.0.1).
 */
@EnabledIfSystemProperty(named = "storecast.test.database", matches = "external",
		disabledReason = "runs in the external-database run: two nodes need a shared PostgreSQL")
class ClusterIntegrationTest {

	static final JsonMapper JSON = JsonMapper.builder().build();

	static ConfigurableApplicationContext nodeA;
	static ConfigurableApplicationContext nodeB;

	@BeforeAll
	static void startTwoNodes() {
		Assumptions.assumeTrue(reachable(6379), "SKIPPED: cluster mode needs Redis on 127.0.0.1:6379");
		Assumptions.assumeTrue(TestDatabase.externalReachable(), "SKIPPED: needs PostgreSQL on 127.0.0.1:5432");
		String db = TestDatabase.createExternalDatabase();
		String namespace = "storecast-it-" + UUID.randomUUID();
		nodeA = start(db, namespace);
		nodeB = start(db, namespace);
	}

	@AfterAll
	static void stop() {
		if (nodeB != null) {
			nodeB.close();
		}
		if (nodeA != null) {
			nodeA.close();
		}
	}

	static ConfigurableApplicationContext start(String db, String namespace) {
		Map<String, Object> p = new HashMap<>();
		p.put("server.port", "0");
		p.put("server.address", "127.0.0.1");
		p.put("storecast.demo", "true");
		p.put("storecast.identity.owner-password", Fixtures.OWNER_PASSWORD);
		p.put("storecast.identity.demo-password", Fixtures.DEMO_PASSWORD);
		p.put("storecast.identity.token-secret", Fixtures.TOKEN_SECRET);
		p.put("storecast.identity.login-attempts-per-ip", "100000");
		p.put("storecast.gateway.port", "0");
		p.put("storecast.db.url", db);
		p.put("storecast.db.username", TestDatabase.EXTERNAL_USER);
		p.put("storecast.db.password", "");
		p.put("storecast.db.pool-size", "5");
		p.put("storecast.cluster.redis-url", "redis://127.0.0.1:6379");
		p.put("storecast.cluster.namespace", namespace);
		// as command-line arguments: they outrank application.yml (default properties would not)
		return new SpringApplicationBuilder(StorecastApplication.class)
			.run(p.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue()).toArray(String[]::new));
	}

	static int httpPort(ConfigurableApplicationContext node) {
		return Integer.parseInt(node.getEnvironment().getProperty("local.server.port"));
	}

	static StorecastClient connect(ConfigurableApplicationContext node, Api who, Recorder recorder, String conversation) {
		Gateway gateway = node.getBean(Gateway.class);
		return StorecastClient.builder(URI.create("ws://127.0.0.1:" + gateway.port() + gateway.path()), who::token)
			.listener(recorder)
			.reconnect(false)
			.follow(conversation, 0)
			.connect();
	}

	@Test
	void messages_presence_and_session_ends_cross_nodes() {
		DemoFixture onA = new DemoFixture(httpPort(nodeA));
		Api customer = onA.customer("SH-NJR");
		String conversation = customer.post("/api/v1/conversations/direct", Map.of("storeId", onA.node("SH-NJR")))
			.expect(200).string("id");
		Api clerk = onA.staff("sh-njr.clerk1");
		Api clerkViaB = Api.at(httpPort(nodeB)).as(clerk.token());
		String customerId = "customer:" + customer.get("/api/v1/me").json().path("customer").path("id").asString();

		Recorder customerHears = new Recorder();
		Recorder clerkHears = new Recorder();
		StorecastClient onNodeA = connect(nodeA, customer, customerHears, conversation);
		try (StorecastClient onNodeB = connect(nodeB, clerk, clerkHears, conversation)) {
			// a customer on node A is online for the clerk on node B, who follows their presence
			var asked = JSON.createObjectNode().put("type", "presence").put("follow", true);
			asked.putArray("participants").add(customerId);
			assertThat(onNodeB.request(asked).join().path("online").path(customerId).asBoolean()).isTrue();

			// both ways, over the WebSocket and over REST on the other node
			onNodeA.sendText(conversation, "这个手链有金色的吗?").join();
			await().atMost(Duration.ofSeconds(10)).until(() -> clerkHears.seqs(conversation).equals(List.of(1L)));
			clerkViaB.header("Idempotency-Key", "rest-1").post("/api/v1/conversations/" + conversation + "/messages",
					Map.of("kind", "TEXT", "body", Map.of("text", "有的,还有玫瑰金"))).expect(201);
			await().atMost(Duration.ofSeconds(10)).until(() -> customerHears.seqs(conversation).equals(List.of(1L, 2L)));

			// the customer leaves node A: the clerk on node B hears they went offline
			onNodeA.close();
			await().atMost(Duration.ofSeconds(10)).until(() -> clerkHears.events.stream()
				.anyMatch(e -> e.path("type").asString().equals("presence") && e.path("participant").asString().equals(customerId)
						&& !e.path("online").asBoolean()));
			assertThat(onNodeB.request(asked).join().path("online").path(customerId).asBoolean()).isFalse();

			// logging out on node A closes the clerk's connection on node B at once
			clerk.post("/api/v1/auth/logout", Map.of()).expect(204);
			await().atMost(Duration.ofSeconds(10)).until(() -> clerkHears.disconnects.contains(4002));
		}
	}

	@Test
	void a_member_added_on_one_node_may_post_on_the_other_at_once() {
		DemoFixture onA = new DemoFixture(httpPort(nodeA));
		Api manager = onA.staff("hz-xh.manager");
		Api managerViaB = Api.at(httpPort(nodeB)).as(manager.token());
		Api clerk = onA.staff("hz-xh.clerk2");
		String clerkId = "staff:" + clerk.get("/api/v1/me").json().path("staff").path("id").asString();
		String group = manager.post("/api/v1/conversations", Map.of("kind", "GROUP", "orgNodeId", onA.node("HZ-XH"),
				"title", "西湖店通知")).expect(201).string("id");
		// node A caches the members on this send
		manager.header("Idempotency-Key", "g-1").post("/api/v1/conversations/" + group + "/messages",
				Map.of("kind", "TEXT", "body", Map.of("text", "今晚盘点"))).expect(201);
		clerk.header("Idempotency-Key", "g-2").post("/api/v1/conversations/" + group + "/messages",
				Map.of("kind", "TEXT", "body", Map.of("text", "收到"))).expectProblem(403, "not-a-member");

		managerViaB.post("/api/v1/conversations/" + group + "/members", Map.of("participants", List.of(clerkId))).expect(204);

		await().atMost(Duration.ofSeconds(5)).until(() -> clerk.header("Idempotency-Key", "g-3")
			.post("/api/v1/conversations/" + group + "/messages", Map.of("kind", "TEXT", "body", Map.of("text", "收到")))
			.status() == 201);
	}

	static boolean reachable(int port) {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
			return true;
		}
		catch (IOException e) {
			return false;
		}
	}
}
