package io.storecast.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import io.storecast.sdk.StorecastClient;
import io.storecast.sdk.StorecastException;
import io.storecast.support.Api;
import io.storecast.support.DemoFixture;
import io.storecast.support.RawWebSocket;
import io.storecast.support.Recorder;
import io.storecast.support.StorecastIntegrationTest;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The WebSocket protocol: authentication, requests and answers, pushes, and every kind of bad frame. */
@StorecastIntegrationTest
class GatewayIntegrationTest {

	static final JsonMapper JSON = JsonMapper.builder().build();

	@LocalServerPort
	int port;

	@Autowired
	Gateway gateway;

	DemoFixture demo;
	Api customer;
	Api clerk;
	String conversation;

	@BeforeEach
	void setUp() {
		demo = new DemoFixture(port);
		customer = demo.customer("SH-NJR");
		clerk = demo.staff("sh-njr.clerk1");
		conversation = customer.post("/api/v1/conversations/direct", Map.of("storeId", demo.node("SH-NJR"))).expect(200)
			.string("id");
	}

	StorecastClient connect(Api who, Recorder recorder) {
		return StorecastClient.builder(URI.create("ws://127.0.0.1:" + gateway.port() + gateway.path()), who::token)
			.listener(recorder)
			.follow(conversation, 0)
			.connect();
	}

	@Test
	void a_message_is_acknowledged_after_it_is_stored_and_pushed_to_the_other_side() {
		Recorder customerHears = new Recorder();
		Recorder clerkHears = new Recorder();
		try (StorecastClient c = connect(customer, customerHears); StorecastClient s = connect(clerk, clerkHears)) {
			JsonNode ack = c.send(conversation, "ws-1", "TEXT", JSON.createObjectNode().put("text", "礼盒可以刻字吗?"), false).join();
			assertThat(ack.path("seq").asLong()).isEqualTo(1);
			assertThat(ack.path("duplicate").asBoolean()).isFalse();
			await().atMost(Duration.ofSeconds(5)).until(() -> clerkHears.seqs(conversation).size() == 1);
			assertThat(clerkHears.messages.getFirst().path("body").path("text").asString()).isEqualTo("礼盒可以刻字吗?");
			// stored before the ack: REST sees it
			assertThat(clerk.get("/api/v1/conversations/" + conversation + "/messages").json().get(0).path("seq").asLong())
				.isEqualTo(1);

			// a retry is answered with the original and pushed to nobody
			JsonNode retry = c.send(conversation, "ws-1", "TEXT", JSON.createObjectNode().put("text", "礼盒可以刻字吗?"), false).join();
			assertThat(retry.path("duplicate").asBoolean()).isTrue();
			assertThat(retry.path("seq").asLong()).isEqualTo(1);

			s.sendText(conversation, "可以,免费刻字").join();
			// each side hears the whole conversation once, in order, its own messages included
			await().atMost(Duration.ofSeconds(5)).until(() -> customerHears.seqs(conversation).equals(java.util.List.of(1L, 2L)));
			assertThat(clerkHears.seqs(conversation)).containsExactly(1L, 2L);

			// read receipts reach the other side
			c.markRead(conversation, 2).join();
			await().atMost(Duration.ofSeconds(5)).until(() -> clerkHears.events.stream()
				.anyMatch(e -> e.path("type").asString().equals("read") && e.path("seq").asLong() == 2));
		}
	}

	@Test
	void requests_that_break_the_rules_get_error_frames_and_the_connection_lives_on() {
		Recorder hears = new Recorder();
		try (StorecastClient c = connect(customer, hears)) {
			assertThat(error(c, c.send(conversation, "big", "TEXT", JSON.createObjectNode().put("text", "字".repeat(4001)), false)))
				.isEqualTo("text-too-long");
			String other = demo.customer("GZ-TH").post("/api/v1/conversations/direct", Map.of("storeId", demo.node("GZ-TH")))
				.string("id");
			assertThat(error(c, c.sendText(other, "我不在这个会话里"))).isEqualTo("not-a-member");
			assertThat(error(c, c.markRead(conversation, 999))).isEqualTo("seq-out-of-range");
			assertThat(error(c, c.request(JSON.createObjectNode().put("type", "teleport")))).isEqualTo("unknown-frame-type");
			assertThat(error(c, c.request(JSON.createObjectNode().put("type", "send").put("conversationId", conversation))))
				.isEqualTo("validation-failed");
			assertThat(error(c, c.request(JSON.createObjectNode().put("type", "read").put("conversationId", "nope").put("seq", 1))))
				.isEqualTo("invalid-value");
			assertThat(error(c, c.send(conversation, "k", "SHOUT", JSON.createObjectNode().put("text", "x"), false)))
				.isEqualTo("invalid-value");
			// still alive, and nothing was stored
			assertThat(c.sendText(conversation, "还在").join().path("seq").asLong()).isEqualTo(1);
		}
	}

	@Test
	void malformed_binary_oversized_and_invalid_utf8_frames_get_error_frames() throws Exception {
		try (RawWebSocket raw = new RawWebSocket(gateway.port(), gateway.path(), customer.token())) {
			assertThat(raw.handshakeStatus).isEqualTo(101);
			assertThat(raw.readUntil("hello").text()).contains("\"participant\":\"customer:");
			raw.sendText("{not json");
			assertThat(code(raw.readUntil("error"))).isEqualTo("malformed-frame");
			raw.sendText("[1,2]");
			assertThat(code(raw.readUntil("error"))).isEqualTo("malformed-frame");
			raw.send(1, new byte[] { '{', '"', (byte) 0xC3, (byte) 0x28, '"', '}' });
			assertThat(code(raw.readUntil("error"))).isEqualTo("invalid-utf8");
			raw.send(2, new byte[] { 1, 2, 3 });
			assertThat(code(raw.readUntil("error"))).isEqualTo("unsupported-frame");
			raw.sendText("{\"type\":\"ping\",\"id\":\"" + "x".repeat(70_000) + "\"}");
			assertThat(code(raw.readUntil("error"))).isEqualTo("frame-too-large");
			raw.sendText("{\"type\":\"ping\",\"id\":\"p1\"}");
			assertThat(raw.readUntil("pong").text()).contains("\"id\":\"p1\"");
		}
	}

	@Test
	void a_frame_beyond_the_hard_limit_closes_the_connection() throws Exception {
		try (RawWebSocket raw = new RawWebSocket(gateway.port(), gateway.path(), customer.token())) {
			raw.readUntil("hello");
			// the server refuses on reading the declared length, before any of the payload
			raw.declareFrame(1, 1_100_000);
			RawWebSocket.Frame close = raw.readUntil("never");
			assertThat(close.opcode()).isEqualTo(8);
			assertThat(close.closeCode()).isEqualTo(1009);
		}
	}

	@Test
	void a_flood_is_refused_frame_by_frame_and_abuse_closes_the_connection() throws Exception {
		try (RawWebSocket raw = new RawWebSocket(gateway.port(), gateway.path(), customer.token())) {
			raw.readUntil("hello");
			for (int i = 0; i < 400; i++) {
				raw.sendText("{\"type\":\"react\",\"id\":\"r" + i + "\",\"conversationId\":\"" + conversation
						+ "\",\"seq\":1,\"emoji\":\"👍\"}");
			}
			boolean limited = false;
			RawWebSocket.Frame f;
			while ((f = raw.read()).opcode() != 8) {
				limited |= f.text().contains("\"code\":\"rate-limited\"");
			}
			assertThat(limited).isTrue();
			assertThat(f.closeCode()).isEqualTo(4003);
		}
	}

	@Test
	void handshakes_without_a_valid_token_are_refused() throws Exception {
		try (RawWebSocket none = new RawWebSocket(gateway.port(), gateway.path(), null)) {
			assertThat(none.handshakeStatus).isEqualTo(401);
		}
		try (RawWebSocket forged = new RawWebSocket(gateway.port(), gateway.path(), "eyJhbGciOiJIUzI1NiJ9.e30.x")) {
			assertThat(forged.handshakeStatus).isEqualTo(401);
		}
		try (RawWebSocket wrongPath = new RawWebSocket(gateway.port(), "/other", customer.token())) {
			assertThat(wrongPath.handshakeStatus).isEqualTo(404);
		}
		String key = demo.apiKey("backend", "customers:read");
		try (RawWebSocket apiKey = new RawWebSocket(gateway.port(), gateway.path(), key)) {
			assertThat(apiKey.handshakeStatus).isEqualTo(403);
		}
	}

	@Test
	void ending_the_session_closes_its_live_connections() throws Exception {
		Api leaving = demo.customer("SH-NJR");
		try (RawWebSocket raw = new RawWebSocket(gateway.port(), gateway.path(), leaving.token())) {
			raw.readUntil("hello");
			leaving.post("/api/v1/auth/logout", Map.of()).expect(204);
			RawWebSocket.Frame close = raw.readUntil("never");
			assertThat(close.closeCode()).isEqualTo(4002);
		}
		try (RawWebSocket again = new RawWebSocket(gateway.port(), gateway.path(), leaving.token())) {
			assertThat(again.handshakeStatus).isEqualTo(401);
		}
	}

	@Test
	void a_client_whose_cursor_is_ahead_of_the_server_starts_again_from_the_summary() {
		customer.header("Idempotency-Key", "cur-1").post("/api/v1/conversations/" + conversation + "/messages",
				Map.of("kind", "TEXT", "body", Map.of("text", "第一条"))).expect(201);
		Recorder hears = new Recorder();
		try (StorecastClient c = StorecastClient.builder(URI.create("ws://127.0.0.1:" + gateway.port() + gateway.path()),
				clerk::token).listener(hears).follow(conversation, 99).connect()) {
			assertThat(c.cursors()).containsEntry(conversation, 1L);
			customer.header("Idempotency-Key", "cur-2").post("/api/v1/conversations/" + conversation + "/messages",
					Map.of("kind", "TEXT", "body", Map.of("text", "第二条"))).expect(201);
			await().atMost(Duration.ofSeconds(5)).until(() -> hears.seqs(conversation).equals(java.util.List.of(2L)));
		}
	}

	@Test
	void the_javascript_sdk_is_served_to_anyone() {
		Api.Response sdk = demo.anonymous.get("/sdk/storecast.js").expect(200);
		assertThat(sdk.header("Content-Type")).contains("javascript");
		assertThat(sdk.raw().body()).contains("export class StorecastClient");
	}

	@Test
	void presence_and_typing_reach_those_who_follow_and_the_members() throws Exception {
		Recorder customerHears = new Recorder();
		Recorder clerkHears = new Recorder();
		String clerkId = "staff:" + clerk.get("/api/v1/me").json().path("staff").path("id").asString();
		try (StorecastClient c = connect(customer, customerHears)) {
			JsonNode offline = c.request(JSON.createObjectNode().put("type", "presence").put("follow", true)
				.set("participants", JSON.createArrayNode().add(clerkId))).join();
			assertThat(offline.path("online").path(clerkId).asBoolean()).isFalse();
			try (StorecastClient s = connect(clerk, clerkHears)) {
				await().atMost(Duration.ofSeconds(5)).until(() -> customerHears.events.stream()
					.anyMatch(e -> e.path("type").asString().equals("presence") && e.path("online").asBoolean()));
				s.request(JSON.createObjectNode().put("type", "typing").put("conversationId", conversation));
				await().atMost(Duration.ofSeconds(5)).until(() -> customerHears.events.stream()
					.anyMatch(e -> e.path("type").asString().equals("typing")
							&& e.path("participant").asString().equals(clerkId)));
				// a typing signal for a conversation one is not in is refused, not relayed
				String other = demo.customer("GZ-TH").post("/api/v1/conversations/direct", Map.of("storeId", demo.node("GZ-TH")))
					.string("id");
				try (RawWebSocket raw = new RawWebSocket(gateway.port(), gateway.path(), clerk.token())) {
					raw.readUntil("hello");
					raw.sendText("{\"type\":\"typing\",\"conversationId\":\"" + other + "\"}");
					assertThat(code(raw.readUntil("error"))).isEqualTo("not-a-member");
				}
			}
			await().atMost(Duration.ofSeconds(5)).until(() -> customerHears.events.stream()
				.anyMatch(e -> e.path("type").asString().equals("presence") && !e.path("online").asBoolean()));
		}
	}

	@Test
	void reactions_acknowledgements_and_recalls_work_over_the_socket() {
		Recorder customerHears = new Recorder();
		Recorder clerkHears = new Recorder();
		try (StorecastClient c = connect(customer, customerHears); StorecastClient s = connect(clerk, clerkHears)) {
			long notice = s.send(conversation, "n-1", "TEXT", JSON.createObjectNode().put("text", "请确认收货地址"), true).join()
				.path("seq").asLong();
			c.request(JSON.createObjectNode().put("type", "acknowledge").put("conversationId", conversation).put("seq", notice)).join();
			await().atMost(Duration.ofSeconds(5)).until(() -> clerkHears.events.stream()
				.anyMatch(e -> e.path("type").asString().equals("acknowledged") && e.path("seq").asLong() == notice));
			JsonNode counts = c.request(JSON.createObjectNode().put("type", "react").put("conversationId", conversation)
				.put("seq", notice).put("emoji", "👌")).join();
			assertThat(counts.path("counts").path("👌").asInt()).isEqualTo(1);
			await().atMost(Duration.ofSeconds(5)).until(() -> clerkHears.events.stream()
				.anyMatch(e -> e.path("type").asString().equals("reaction") && e.path("emoji").asString().equals("👌")));
			JsonNode recall = s.request(JSON.createObjectNode().put("type", "recall").put("conversationId", conversation)
				.put("seq", notice).put("clientMsgId", "n-1-recall")).join();
			long recallSeq = recall.path("seq").asLong();
			await().atMost(Duration.ofSeconds(5)).until(() -> customerHears.messages.stream()
				.anyMatch(m -> m.path("seq").asLong() == recallSeq && m.path("kind").asString().equals("RECALL")
						&& m.path("body").path("recalledSeq").asLong() == notice));
			assertThat(error(c, c.request(JSON.createObjectNode().put("type", "recall").put("conversationId", conversation)
				.put("seq", notice).put("clientMsgId", "x")))).isEqualTo("already-recalled");
		}
	}

	private static String code(RawWebSocket.Frame frame) {
		return JSON.readTree(frame.text()).path("code").asString();
	}

	private static String error(StorecastClient c, java.util.concurrent.CompletableFuture<JsonNode> answer) {
		try {
			answer.join();
			throw new AssertionError("expected an error frame");
		}
		catch (java.util.concurrent.CompletionException e) {
			return ((StorecastException) e.getCause()).code();
		}
	}
}
