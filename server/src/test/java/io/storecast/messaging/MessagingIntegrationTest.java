package io.storecast.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

import io.storecast.support.Api;
import io.storecast.support.DemoFixture;
import io.storecast.support.StorecastIntegrationTest;
import tools.jackson.databind.JsonNode;

/** Conversations and messages through the REST mirror: who may say what where, and the sequence. */
@StorecastIntegrationTest
class MessagingIntegrationTest {

	@LocalServerPort
	int port;

	@org.springframework.beans.factory.annotation.Autowired
	MerchantMessaging merchant;

	@org.springframework.beans.factory.annotation.Autowired
	org.springframework.transaction.support.TransactionTemplate tx;

	DemoFixture demo;

	@BeforeEach
	void setUp() {
		demo = new DemoFixture(port);
	}

	@Test
	void a_customer_conversation_opened_at_once_by_many_inside_their_own_transactions_is_one() throws Exception {
		Api customer = demo.customer("HZ-XH");
		io.storecast.identity.CustomerId id = io.storecast.identity.CustomerId
			.valueOf(customer.get("/api/v1/me").expect(200).json().path("customer").path("id").asString());
		io.storecast.identity.OrgNodeId store = new io.storecast.identity.OrgNodeId(UUID.fromString(demo.node("HZ-XH")));
		// listeners open it inside a transaction of their own while the customer opens it over REST:
		// the race must neither fail a caller nor abort its transaction
		java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
		List<Future<ConversationId>> opened = new ArrayList<>();
		try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
			for (int i = 0; i < 16; i++) {
				opened.add(pool.submit(() -> {
					start.await();
					return tx.execute(s -> {
						ConversationId c = merchant.customerConversation(store, id);
						// the transaction is still usable after the race
						return merchant.customerConversation(store, id).equals(c) ? c : null;
					});
				}));
			}
			start.countDown();
			String viaRest = customer.post("/api/v1/conversations/direct", Map.of("storeId", demo.node("HZ-XH")))
				.expect(200).string("id");
			Set<String> ids = new HashSet<>();
			for (Future<ConversationId> f : opened) {
				ids.add(String.valueOf(f.get()));
			}
			assertThat(ids).containsExactly(viaRest);
		}
	}

	@Test
	void a_customer_talks_with_a_store_and_its_staff_answer() {
		Api customer = demo.customer("HZ-XH");
		JsonNode conversation = customer.post("/api/v1/conversations/direct", Map.of("storeId", demo.node("HZ-XH")))
			.expect(200).json();
		String id = conversation.path("id").asString();
		// opening again finds the same conversation
		assertThat(customer.post("/api/v1/conversations/direct", Map.of("storeId", demo.node("HZ-XH"))).expect(200)
			.string("id")).isEqualTo(id);
		JsonNode members = customer.get("/api/v1/conversations/" + id + "/members").expect(200).json();
		assertThat(members.valueStream().map(m -> m.path("participant").asString()).filter(p -> p.startsWith("staff:")))
			.hasSize(3); // the store manager and two clerks

		JsonNode first = send(customer, id, "c-1", "你好,月饼礼盒还有吗?").expect(201).json();
		assertThat(first.path("message").path("seq").asLong()).isEqualTo(1);
		// a retry with the same client message id stores nothing new
		JsonNode retry = send(customer, id, "c-1", "你好,月饼礼盒还有吗?").expect(200).json();
		assertThat(retry.path("duplicate").asBoolean()).isTrue();
		assertThat(retry.path("message").path("seq").asLong()).isEqualTo(1);

		Api clerk = demo.staff("hz-xh.clerk1");
		assertThat(clerk.get("/api/v1/conversations/" + id).expect(200).json().path("unread").asLong()).isEqualTo(1);
		send(clerk, id, "s-1", "有的,今天就能发货").expect(201);
		assertThat(clerk.get("/api/v1/conversations/" + id).expect(200).json().path("unread").asLong()).isZero();
		JsonNode history = customer.get("/api/v1/conversations/" + id + "/messages?after=0").expect(200).json();
		assertThat(history.valueStream().map(m -> m.path("body").path("text").asString()))
			.containsExactly("你好,月饼礼盒还有吗?", "有的,今天就能发货");
		assertThat(customer.get("/api/v1/conversations/" + id).json().path("unread").asLong()).isEqualTo(1);
		customer.post("/api/v1/conversations/" + id + "/read", Map.of("seq", 2)).expect(204);
		assertThat(customer.get("/api/v1/conversations/" + id).json().path("unread").asLong()).isZero();
		// the read cursor never moves back
		customer.post("/api/v1/conversations/" + id + "/read", Map.of("seq", 1)).expect(204);
		assertThat(customer.get("/api/v1/conversations/" + id).json().path("readSeq").asLong()).isEqualTo(2);

		// outsiders see nothing and change nothing
		demo.staff("gz-th.clerk1").get("/api/v1/conversations/" + id).expectProblem(403, "not-a-member");
		demo.customer("GZ-TH").get("/api/v1/conversations/" + id + "/messages").expectProblem(403, "not-a-member");
		send(demo.staff("gz-th.clerk1"), id, "x-1", "spam").expectProblem(403, "not-a-member");
		assertThat(customer.get("/api/v1/conversations/" + id).json().path("lastSeq").asLong()).isEqualTo(2);
	}

	@Test
	void concurrent_senders_in_one_group_get_a_gapless_sequence() throws Exception {
		Api manager = demo.staff("sh-njr.manager");
		List<String> staffNames = List.of("sh-njr.manager", "sh-njr.clerk1", "sh-njr.clerk2");
		List<Api> senders = new ArrayList<>();
		List<String> participants = new ArrayList<>();
		for (String name : staffNames) {
			Api api = demo.staff(name);
			senders.add(api);
			participants.add("staff:" + api.get("/api/v1/me").json().path("staff").path("id").asString());
		}
		String id = manager.post("/api/v1/conversations", Map.of("kind", "GROUP", "orgNodeId", demo.node("SH-NJR"),
				"title", "南京路店员群", "members", participants)).expect(201).string("id");
		int perSender = 40;
		List<Long> seqs = Collections.synchronizedList(new ArrayList<>());
		try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
			List<Future<?>> futures = new ArrayList<>();
			for (int s = 0; s < senders.size(); s++) {
				Api api = senders.get(s);
				int sender = s;
				for (int i = 0; i < perSender; i++) {
					int n = i;
					futures.add(pool.submit(() -> seqs.add(send(api, id, "m-" + sender + "-" + n, "第" + n + "条").expect(201)
						.json().path("message").path("seq").asLong())));
				}
			}
			for (Future<?> f : futures) {
				f.get();
			}
		}
		int total = senders.size() * perSender;
		assertThat(new HashSet<>(seqs)).hasSize(total);
		assertThat(Collections.min(seqs)).isEqualTo(1);
		assertThat(Collections.max(seqs)).isEqualTo(total);
		List<Long> stored = new ArrayList<>();
		long after = 0;
		while (true) {
			JsonNode page = manager.get("/api/v1/conversations/" + id + "/messages?after=" + after + "&limit=50").expect(200).json();
			if (page.isEmpty()) {
				break;
			}
			page.forEach(m -> stored.add(m.path("seq").asLong()));
			after = stored.getLast();
		}
		assertThat(stored).hasSize(total).isSorted();
		assertThat(stored.getLast()).isEqualTo(total);
	}

	@Test
	void groups_have_owners_admins_mutes_announcements_and_acknowledgements() {
		Api manager = demo.staff("gz-th.manager");
		Api clerk = demo.staff("gz-th.clerk1");
		String clerkId = "staff:" + clerk.get("/api/v1/me").json().path("staff").path("id").asString();
		Api customer = demo.customer("GZ-TH");
		String customerId = "customer:" + customer.get("/api/v1/me").json().path("customer").path("id").asString();
		String id = manager.post("/api/v1/conversations", Map.of("kind", "GROUP", "orgNodeId", demo.node("GZ-TH"),
				"title", "天河店顾客群", "members", List.of(clerkId, customerId))).expect(201).string("id");

		clerk.post("/api/v1/conversations", Map.of("kind", "GROUP", "orgNodeId", demo.node("GZ-TH"), "title", "x"))
			.expectProblem(403, "forbidden");
		customer.post("/api/v1/conversations/" + id + "/members", Map.of("participants", List.of(clerkId)))
			.expectProblem(403, "forbidden");

		// mentions: members only; @all for admins only
		send(customer, id, "c-1", Map.of("text", "@店员 在吗", "mentions", List.of(clerkId))).expect(201);
		send(customer, id, "c-2", Map.of("text", "大家好", "mentionAll", true)).expectProblem(403, "forbidden");
		send(customer, id, "c-3", Map.of("text", "hi", "mentions", List.of("staff:" + UUID.randomUUID())))
			.expectProblem(400, "not-a-member");

		// a notice that needs acknowledgement
		long notice = manager.post("/api/v1/conversations/" + id + "/messages", Map.of("kind", "TEXT", "body",
				Map.of("text", "周六店庆,请确认收到", "mentionAll", true), "requiresAck", true))
			.expectProblem(400, "missing-idempotency-key").status();
		assertThat(notice).isEqualTo(400);
		long seq = manager.header("Idempotency-Key", "notice-1").post("/api/v1/conversations/" + id + "/messages",
				Map.of("kind", "TEXT", "body", Map.of("text", "周六店庆,请确认收到", "mentionAll", true), "requiresAck", true))
			.expect(201).json().path("message").path("seq").asLong();
		clerk.post("/api/v1/conversations/" + id + "/messages/" + seq + "/ack", Map.of()).expect(204);
		clerk.post("/api/v1/conversations/" + id + "/messages/" + seq + "/ack", Map.of()).expect(204);
		JsonNode acks = manager.get("/api/v1/conversations/" + id + "/messages/" + seq + "/acks").expect(200).json();
		assertThat(acks.path("acknowledged").valueStream().map(JsonNode::asString)).containsExactly(clerkId);
		assertThat(acks.path("pending").valueStream().map(JsonNode::asString)).containsExactly(customerId);
		customer.get("/api/v1/conversations/" + id + "/messages/" + seq + "/acks").expectProblem(403, "forbidden");
		customer.post("/api/v1/conversations/" + id + "/messages/1/ack", Map.of()).expectProblem(400, "ack-not-required");

		// mute all: members are silenced, admins are not
		manager.patch("/api/v1/conversations/" + id, Map.of("muteAll", true)).expect(200);
		send(customer, id, "c-4", "还能说话吗").expectProblem(403, "muted");
		send(manager, id, "m-2", "暂停发言").expect(201);
		manager.patch("/api/v1/conversations/" + id, Map.of("muteAll", false)).expect(200);
		manager.patch("/api/v1/conversations/" + id + "/members/" + customerId,
				Map.of("mutedUntil", java.time.Instant.now().plusSeconds(600).toString())).expect(204);
		send(customer, id, "c-5", "我被禁言了吗").expectProblem(403, "muted");
		manager.patch("/api/v1/conversations/" + id + "/members/" + customerId, Map.of("unmute", true)).expect(204);
		send(customer, id, "c-6", "可以说话了").expect(201);

		// the pinned announcement is on the conversation and in the sequence
		manager.header("Idempotency-Key", "ann-1").patch("/api/v1/conversations/" + id,
				Map.of("announcement", "本群只聊礼品,禁止广告")).expect(200);
		assertThat(customer.get("/api/v1/conversations/" + id).json().path("announcement").asString()).isEqualTo("本群只聊礼品,禁止广告");
		JsonNode last = customer.get("/api/v1/conversations/" + id + "/messages?limit=1").expect(200).json().get(0);
		assertThat(last.path("kind").asString()).isEqualTo("SYSTEM");
		assertThat(last.path("body").path("event").asString()).isEqualTo("announcement");
	}

	@Test
	void recalls_reactions_cards_and_the_word_filter() {
		Api customer = demo.customer("SZ-WXC");
		String id = customer.post("/api/v1/conversations/direct", Map.of("storeId", demo.node("SZ-WXC"))).expect(200).string("id");
		long seq = send(customer, id, "r-1", "发错了").expect(201).json().path("message").path("seq").asLong();
		JsonNode recall = customer.header("Idempotency-Key", "r-2").post("/api/v1/conversations/" + id + "/messages/" + seq + "/recall", Map.of())
			.expect(200).json();
		assertThat(recall.path("message").path("kind").asString()).isEqualTo("RECALL");
		assertThat(recall.path("message").path("body").path("recalledSeq").asLong()).isEqualTo(seq);
		JsonNode recalled = customer.get("/api/v1/conversations/" + id + "/messages?after=" + (seq - 1) + "&limit=1").json().get(0);
		assertThat(recalled.path("recalled").asBoolean()).isTrue();
		assertThat(recalled.path("body").isEmpty()).isTrue();
		customer.header("Idempotency-Key", "r-3").post("/api/v1/conversations/" + id + "/messages/" + seq + "/recall", Map.of())
			.expectProblem(409, "already-recalled");
		// a clerk may not recall the customer's message in a direct conversation
		long other = send(customer, id, "r-4", "留着").expect(201).json().path("message").path("seq").asLong();
		demo.staff("sz-wxc.clerk1").header("Idempotency-Key", "x").post("/api/v1/conversations/" + id + "/messages/" + other + "/recall", Map.of())
			.expectProblem(403, "forbidden");

		Api clerk = demo.staff("sz-wxc.clerk1");
		assertThat(clerk.put("/api/v1/conversations/" + id + "/messages/" + other + "/reactions/👍", Map.of()).expect(200).json()
			.path("👍").asInt()).isEqualTo(1);
		clerk.put("/api/v1/conversations/" + id + "/messages/" + other + "/reactions/👍", Map.of()).expect(200);
		assertThat(customer.put("/api/v1/conversations/" + id + "/messages/" + other + "/reactions/👍", Map.of()).expect(200).json()
			.path("👍").asInt()).isEqualTo(2);
		clerk.put("/api/v1/conversations/" + id + "/messages/" + other + "/reactions/abc", Map.of()).expectProblem(400, "invalid-emoji");
		assertThat(clerk.delete("/api/v1/conversations/" + id + "/messages/" + other + "/reactions/👍").expect(200).json()
			.path("👍").asInt()).isEqualTo(1);

		// cards are validated by their type
		send(clerk, id, "card-1", "product", Map.of("productId", "P-100", "name", "桂花酿礼盒", "priceFen", 19900)).expect(201);
		send(clerk, id, "card-2", "product", Map.of("productId", "P-100", "name", "桂花酿礼盒", "priceFen", -1))
			.expectProblem(400, "invalid-card");
		send(clerk, id, "card-3", "hologram", Map.of("x", 1)).expectProblem(400, "invalid-card");

		// sensitive words: refused, or masked with the sender told
		var refused = send(customer, id, "w-1", "这里可以 赌 博 吗").expectProblem(400, "sensitive-content");
		assertThat(refused.string("detail")).contains("赌博");
		JsonNode masked = send(customer, id, "w-2", "加我微信号聊").expect(201).json();
		assertThat(masked.path("maskedWords").valueStream().map(JsonNode::asString)).containsExactly("微信号");
		assertThat(masked.path("message").path("body").path("text").asString()).isEqualTo("加我***聊");
	}

	@Test
	void bad_input_is_refused_and_changes_nothing() {
		Api customer = demo.customer("SZ-GQJ");
		String id = customer.post("/api/v1/conversations/direct", Map.of("storeId", demo.node("SZ-GQJ"))).expect(200).string("id");
		long before = customer.get("/api/v1/conversations/" + id).json().path("lastSeq").asLong();
		send(customer, id, "b-1", "长".repeat(4001)).expectProblem(400, "text-too-long");
		send(customer, id, "b-2", "  ").expectProblem(400, "invalid-message");
		send(customer, id, "bad id with spaces", "x").expectProblem(400, "invalid-client-msg-id");
		customer.header("Idempotency-Key", "b-3").post("/api/v1/conversations/" + id + "/messages",
				Map.of("kind", "SYSTEM", "body", Map.of("text", "x"))).expectProblem(400, "invalid-message-kind");
		customer.header("Idempotency-Key", "b-4").post("/api/v1/conversations/" + id + "/messages",
				Map.of("kind", "TEXT", "body", Map.of("text", "x", "colour", "red"))).expectProblem(400, "invalid-message");
		customer.header("Idempotency-Key", "b-5").post("/api/v1/conversations/" + id + "/messages",
				Map.of("kind", "SHOUT", "body", Map.of("text", "x"))).expectProblem(400, "invalid-value");
		customer.get("/api/v1/conversations/" + id + "/messages?after=999").expectProblem(400, "seq-out-of-range");
		customer.post("/api/v1/conversations/" + id + "/read", Map.of("seq", 999)).expectProblem(400, "seq-out-of-range");
		customer.post("/api/v1/sync", Map.of("cursors", Map.of(id, 999))).expectProblem(400, "seq-out-of-range");
		customer.get("/api/v1/conversations/" + UUID.randomUUID()).expectProblem(404, "not-found");
		demo.anonymous.as(demo.apiKey("k", "customers:read")).get("/api/v1/conversations").expectProblem(403, "forbidden");
		assertThat(customer.get("/api/v1/conversations/" + id).json().path("lastSeq").asLong()).isEqualTo(before);
	}

	@Test
	void sync_returns_what_was_missed_in_order() {
		Api customer = demo.customer("SH-NJR");
		String id = customer.post("/api/v1/conversations/direct", Map.of("storeId", demo.node("SH-NJR"))).expect(200).string("id");
		Api clerk = demo.staff("sh-njr.clerk2");
		for (int i = 1; i <= 5; i++) {
			send(clerk, id, "sync-" + i, "消息" + i).expect(201);
		}
		JsonNode sync = customer.post("/api/v1/sync", Map.of("cursors", Map.of(id, 2))).expect(200).json();
		assertThat(sync.path("messages").valueStream().map(m -> m.path("seq").asLong())).containsExactly(3L, 4L, 5L);
		assertThat(sync.path("more").asBoolean()).isFalse();
		assertThat(sync.path("conversations").valueStream().map(c -> c.path("id").asString())).contains(id);
	}

	private static Api.Response send(Api api, String conversation, String clientMsgId, String text) {
		return send(api, conversation, clientMsgId, Map.of("text", text));
	}

	private static Api.Response send(Api api, String conversation, String clientMsgId, Map<String, ?> body) {
		return api.header("Idempotency-Key", clientMsgId)
			.post("/api/v1/conversations/" + conversation + "/messages", Map.of("kind", "TEXT", "body", body));
	}

	private static Api.Response send(Api api, String conversation, String clientMsgId, String card, Map<String, ?> payload) {
		return api.header("Idempotency-Key", clientMsgId).post("/api/v1/conversations/" + conversation + "/messages",
				Map.of("kind", "CARD", "body", Map.of("card", card, "payload", payload)));
	}
}
