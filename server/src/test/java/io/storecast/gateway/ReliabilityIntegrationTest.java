package io.storecast.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.LongStream;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ConfigurableApplicationContext;

import io.storecast.StorecastApplication;
import io.storecast.sdk.StorecastClient;
import io.storecast.support.Api;
import io.storecast.support.DemoFixture;
import io.storecast.support.Fixtures;
import io.storecast.support.Recorder;
import io.storecast.support.StorecastIntegrationTest;
import io.storecast.support.TestDatabase;
import tools.jackson.databind.JsonNode;

/** Nothing acknowledged is lost or duplicated: not across reconnects, not across a server restart. */
@StorecastIntegrationTest
class ReliabilityIntegrationTest {

	@LocalServerPort
	int port;

	@Autowired
	Gateway gateway;

	@Test
	void every_acknowledged_message_reaches_every_member_once_in_order_while_one_keeps_reconnecting() throws Exception {
		DemoFixture demo = new DemoFixture(port);
		Api a = demo.staff("hz-xh.manager");
		Api b = demo.staff("hz-xh.clerk1");
		Api c = demo.staff("hz-xh.clerk2");
		List<String> members = List.of(participant(b), participant(c));
		String group = a.post("/api/v1/conversations", Map.of("kind", "GROUP", "orgNodeId", demo.node("HZ-XH"), "title",
				"西湖店排班群", "members", members)).expect(201).string("id");
		URI uri = URI.create("ws://127.0.0.1:" + gateway.port() + gateway.path());
		Recorder ra = new Recorder();
		Recorder rb = new Recorder();
		Recorder rc = new Recorder();
		int perSender = 60;
		try (StorecastClient ca = client(uri, a, group, ra); StorecastClient cb = client(uri, b, group, rb);
				StorecastClient cc = client(uri, c, group, rc)) {
			// the third client loses its connection every 150 ms, whatever it is doing
			var flapper = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
			flapper.scheduleAtFixedRate(cc::dropConnection, 0, 150, java.util.concurrent.TimeUnit.MILLISECONDS);
			List<CompletableFuture<JsonNode>> acks = new ArrayList<>();
			for (int i = 0; i < perSender; i++) {
				acks.add(ca.sendText(group, "a" + i));
				acks.add(cb.sendText(group, "b" + i));
			}
			acks.forEach(CompletableFuture::join);
			flapper.shutdownNow();
			flapper.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
			List<Long> all = LongStream.rangeClosed(1, 2L * perSender).boxed().toList();
			await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
				assertThat(ra.seqs(group)).containsExactlyElementsOf(all);
				assertThat(rb.seqs(group)).containsExactlyElementsOf(all);
				assertThat(rc.seqs(group)).containsExactlyElementsOf(all);
			});
			assertThat(rc.disconnects.size()).as("the third client really was dropped again and again").isGreaterThan(3);
		}
	}

	@Test
	void a_server_restart_loses_no_acknowledged_message_and_clients_resync() throws Exception {
		assumeFalse(TestDatabase.external(), "restarts a second server on its own embedded database");
		Path dataDir = TestDatabase.temporaryDataDir();
		int httpPort = freePort();
		int wsPort = freePort();
		ConfigurableApplicationContext server = start(dataDir, httpPort, wsPort);
		Recorder ra = new Recorder();
		Recorder rb = new Recorder();
		List<Long> acknowledged = new CopyOnWriteArrayList<>();
		try {
			Api api = Api.at(httpPort);
			Api a = api.login("sz-gqj.clerk1", Fixtures.DEMO_PASSWORD);
			Api b = api.login("sz-gqj.clerk2", Fixtures.DEMO_PASSWORD);
			String direct = a.post("/api/v1/conversations/direct", Map.of("staff", participant(b))).expect(200).string("id");
			URI uri = URI.create("ws://127.0.0.1:" + wsPort + "/ws");
			try (StorecastClient ca = client(uri, a, direct, ra); StorecastClient cb = client(uri, b, direct, rb)) {
				List<CompletableFuture<JsonNode>> sends = new ArrayList<>();
				for (int i = 0; i < 20; i++) {
					sends.add(ca.sendText(direct, "before " + i).whenComplete((ack, e) -> {
						if (ack != null) {
							acknowledged.add(ack.path("seq").asLong());
						}
					}));
				}
				sends.forEach(CompletableFuture::join);
				server.close();
				// sent while the server is down: kept by the client, resent after it reconnects
				for (int i = 0; i < 10; i++) {
					sends.add(cb.sendText(direct, "during " + i).whenComplete((ack, e) -> {
						if (ack != null) {
							acknowledged.add(ack.path("seq").asLong());
						}
					}));
				}
				server = start(dataDir, httpPort, wsPort);
				sends.forEach(f -> f.orTimeout(60, java.util.concurrent.TimeUnit.SECONDS).join());
				for (int i = 0; i < 10; i++) {
					ca.sendText(direct, "after " + i).join();
				}
				List<Long> all = LongStream.rangeClosed(1, 40).boxed().toList();
				await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
					assertThat(ra.seqs(direct)).containsExactlyElementsOf(all);
					assertThat(rb.seqs(direct)).containsExactlyElementsOf(all);
				});
				assertThat(acknowledged).hasSize(30).doesNotHaveDuplicates();
				assertThat(ra.messages.stream().map(m -> m.path("body").path("text").asString()).filter(t -> t.startsWith("during")))
					.hasSize(10);
			}
		}
		finally {
			server.close();
		}
	}

	private static StorecastClient client(URI uri, Api who, String conversation, Recorder recorder) {
		return StorecastClient.builder(uri, who::token).listener(recorder).follow(conversation, 0).connect();
	}

	private static String participant(Api staff) {
		return "staff:" + staff.get("/api/v1/me").json().path("staff").path("id").asString();
	}

	private static ConfigurableApplicationContext start(Path dataDir, int httpPort, int wsPort) {
		return new SpringApplicationBuilder(StorecastApplication.class).run("--server.address=127.0.0.1",
				"--server.port=" + httpPort, "--storecast.gateway.port=" + wsPort, "--storecast.db.url=",
				"--storecast.db.data-dir=" + dataDir, "--storecast.demo=true",
				"--storecast.identity.owner-password=" + Fixtures.OWNER_PASSWORD,
				"--storecast.identity.demo-password=" + Fixtures.DEMO_PASSWORD);
	}

	private static int freePort() throws IOException {
		try (ServerSocket s = new ServerSocket(0)) {
			return s.getLocalPort();
		}
	}
}
