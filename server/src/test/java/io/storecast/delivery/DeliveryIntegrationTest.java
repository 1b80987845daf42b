package io.storecast.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;

import com.sun.net.httpserver.HttpServer;

import io.storecast.identity.CustomerId;
import io.storecast.identity.OrgNodeId;
import io.storecast.messaging.MerchantMessaging;
import io.storecast.messaging.MessageDraft;
import io.storecast.messaging.MessageKind;
import io.storecast.orders.OrderTesting;
import io.storecast.support.Api;
import io.storecast.support.DemoFixture;
import io.storecast.support.StorecastIntegrationTest;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Delivery end to end over REST: in-app messages land in the customer's conversation once (however
 * often asked), webhooks are signed and retried on 5xx and timeouts and stop at once on 4xx, what
 * finally fails is in the dead letters, an unread in-app message falls back to the next channel
 * and a read one does not, an attempt whose node died mid-send is sent again without a duplicate,
 * and bad or unauthorised requests store nothing.
 */
@StorecastIntegrationTest
class DeliveryIntegrationTest {

	@LocalServerPort
	int port;

	@Autowired
	JdbcClient jdbc;

	@Autowired
	MerchantMessaging messaging;

	@Autowired
	JsonMapper json;

	DemoFixture demo;

	HttpServer hook;

	final ConcurrentLinkedQueue<Hit> hits = new ConcurrentLinkedQueue<>();

	/** What the test endpoint answers, by delivery text: 200 unless the text says otherwise. */
	record Hit(String path, String body, String timestamp, String signature, String idempotencyKey, String text) {
	}

	final CountDownLatch release = new CountDownLatch(1);

	@BeforeEach
	void setUp() throws IOException {
		demo = new DemoFixture(port);
		hook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
		hook.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
		hook.createContext("/", exchange -> {
			String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
			String text = json.readTree(body).path("text").asString();
			hits.add(new Hit(exchange.getRequestURI().getPath(), body,
					exchange.getRequestHeaders().getFirst("X-Storecast-Timestamp"),
					exchange.getRequestHeaders().getFirst("X-Storecast-Signature"),
					exchange.getRequestHeaders().getFirst("Idempotency-Key"), text));
			int status = 200;
			if (text.startsWith("fail500")) {
				status = 500;
			}
			else if (text.startsWith("fail400")) {
				status = 400;
			}
			else if (text.startsWith("hang")) {
				try {
					release.await();
				}
				catch (InterruptedException e) {
					Thread.currentThread().interrupt();
				}
			}
			exchange.sendResponseHeaders(status, -1);
			exchange.close();
		});
		hook.start();
	}

	@AfterEach
	void tearDown() {
		release.countDown();
		hook.stop(0);
	}

	private String endpoint() {
		return "http://127.0.0.1:" + hook.getAddress().getPort() + "/hooks/storecast";
	}

	private String setEndpoint(int timeoutMillis) {
		return demo.owner.put("/api/v1/deliveries/webhook-endpoint",
				Map.of("url", endpoint(), "timeoutMillis", timeoutMillis, "rotateSecret", true))
			.expect(200)
			.string("secret");
	}

	static Map<String, Object> request(String key, String customerId, String storeId, List<Map<String, Object>> route,
			String text) {
		return Map.of("source", "test", "key", key, "customerId", customerId, "storeId", storeId, "purpose",
				"TRANSACTIONAL", "route", route, "content", Map.of("text", text));
	}

	/** The request, marked bulk. */
	static Map<String, Object> bulk(Map<String, Object> request) {
		Map<String, Object> bulk = new java.util.HashMap<>(request);
		bulk.put("bulk", true);
		return bulk;
	}

	/** Each attempt's lane, in the order they were made. */
	private List<Boolean> bulkAttempts(String deliveryId) {
		return jdbc.sql("SELECT bulk FROM delivery_attempts WHERE delivery_id = ? ORDER BY id")
			.param(UUID.fromString(deliveryId))
			.query(Boolean.class)
			.list();
	}

	static Map<String, Object> step(String channel) {
		return Map.of("channel", channel);
	}

	private List<String> enqueue(Object... requests) {
		JsonNode ids = demo.owner.post("/api/v1/deliveries", Map.of("requests", List.of(requests))).expect(202).json().path("ids");
		List<String> out = new ArrayList<>();
		ids.forEach(id -> out.add(id.asString()));
		return out;
	}

	private JsonNode view(String id) {
		return demo.owner.get("/api/v1/deliveries/" + id).expect(200).json();
	}

	private String status(String id) {
		return view(id).path("status").asString();
	}

	private static String key() {
		return "k-" + UUID.randomUUID();
	}

	private List<JsonNode> texts(OrderTesting.Customer customer, String storeId, String text) {
		String conversation = customer.api().post("/api/v1/conversations/direct", Map.of("storeId", storeId))
			.expect(200)
			.string("id");
		return customer.api()
			.get("/api/v1/conversations/" + conversation + "/messages?limit=200")
			.expect(200)
			.json()
			.valueStream()
			.filter(m -> text.equals(m.path("body").path("text").asString()))
			.toList();
	}

	@Test
	void an_in_app_message_lands_once_in_the_customers_conversation_however_often_it_is_asked_for() {
		OrderTesting.Customer customer = OrderTesting.Customer.of(demo, "SH-NJR");
		String store = demo.node("SH-NJR");
		String key = key();
		String text = "您的订单已发货 " + key;
		Map<String, Object> r = request(key, customer.id(), store, List.of(step("IN_APP")), text);
		String id = enqueue(r).getFirst();
		assertThat(enqueue(r)).containsExactly(id);

		await().atMost(Duration.ofSeconds(10)).until(() -> status(id).equals("DELIVERED"));
		assertThat(enqueue(r)).containsExactly(id);
		JsonNode view = view(id);
		assertThat(view.path("attempts").size()).isEqualTo(1);
		JsonNode attempt = view.path("attempts").get(0);
		assertThat(attempt.path("channel").asString()).isEqualTo("IN_APP");
		assertThat(attempt.path("status").asString()).isEqualTo("DELIVERED");
		assertThat(attempt.path("providerId").asString()).contains("/");
		assertThat(texts(customer, store, text)).hasSize(1);
	}

	@Test
	void an_in_app_message_without_a_fallback_becomes_read_when_the_customer_reads_it_and_an_unread_one_stays_delivered() {
		String store = demo.node("HZ-XH");
		OrderTesting.Customer reader = OrderTesting.Customer.of(demo, "HZ-XH");
		OrderTesting.Customer away = OrderTesting.Customer.of(demo, "HZ-XH");
		String text = "到店自提提醒 " + key();
		List<String> ids = enqueue(request(key(), reader.id(), store, List.of(step("IN_APP")), text),
				request(key(), away.id(), store, List.of(step("IN_APP")), text));
		await().atMost(Duration.ofSeconds(10)).until(() -> status(ids.get(0)).equals("DELIVERED") && status(ids.get(1)).equals("DELIVERED"));
		JsonNode message = texts(reader, store, text).getFirst();
		reader.api().post("/api/v1/conversations/" + message.path("conversationId").asString() + "/read",
				Map.of("seq", message.path("seq").asLong())).expect(204);

		// the receipt marks it READ (InAppReads); the unread one keeps its read checks (after read-check-after, 1 s in
		// tests, then as long again as it has been out)
		await().atMost(Duration.ofSeconds(15)).until(() -> status(ids.get(0)).equals("READ"));
		assertThat(view(ids.get(0)).path("attempts").get(0).path("status").asString()).isEqualTo("READ");
		assertThat(status(ids.get(1))).isEqualTo("DELIVERED");
		assertThat(jdbc.sql("SELECT read_check_at IS NOT NULL FROM delivery_attempts WHERE delivery_id = ?")
			.param(UUID.fromString(ids.get(1)))
			.query(Boolean.class)
			.single()).as("the unread one is looked at again later").isTrue();
	}

	@Test
	void a_webhook_is_signed_with_the_endpoint_secret_and_carries_an_idempotency_key() throws Exception {
		String secret = setEndpoint(5000);
		assertThat(secret).startsWith("whsec_");
		assertThat(demo.owner.get("/api/v1/deliveries/webhook-endpoint").expect(200).string("secret")).endsWith("…")
			.doesNotContain(secret);
		OrderTesting.Customer customer = OrderTesting.Customer.of(demo, "HZ-XH");
		String text = "小程序推送 " + key();
		String id = enqueue(request(key(), customer.id(), demo.node("HZ-XH"), List.of(step("WEBHOOK")), text)).getFirst();

		await().atMost(Duration.ofSeconds(10)).until(() -> status(id).equals("SENT"));
		Hit hit = hits.stream().filter(h -> h.text().equals(text)).findFirst().orElseThrow();
		assertThat(hit.path()).isEqualTo("/hooks/storecast");
		assertThat(hit.idempotencyKey()).isEqualTo(id + ":0");
		JsonNode body = json.readTree(hit.body());
		assertThat(body.path("deliveryId").asString()).isEqualTo(id);
		assertThat(body.path("customerId").asString()).isEqualTo(customer.id());
		assertThat(body.path("storeName").asString()).isNotBlank();
		// as the inbound order webhook: sha256=hex(HMAC-SHA256(secret, "<timestamp>.<body>"))
		String t = hit.timestamp();
		Mac mac = Mac.getInstance("HmacSHA256");
		mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
		mac.update((t + ".").getBytes(StandardCharsets.UTF_8));
		String expected = HexFormat.of().formatHex(mac.doFinal(hit.body().getBytes(StandardCharsets.UTF_8)));
		assertThat(hit.signature()).isEqualTo("sha256=" + expected);
		assertThat(Long.parseLong(t)).isCloseTo(System.currentTimeMillis() / 1000, org.assertj.core.data.Offset.offset(60L));
		JsonNode attempt = view(id).path("attempts").get(0);
		assertThat(attempt.path("responseCode").asInt()).isEqualTo(200);
	}

	@Test
	void a_webhook_answering_500_is_retried_with_backoff_until_it_fails_into_the_dead_letters_and_400_stops_at_once() {
		setEndpoint(5000);
		OrderTesting.Customer customer = OrderTesting.Customer.of(demo, "SZ-GQJ");
		String store = demo.node("SZ-GQJ");
		String failing = "fail500 " + key();
		String rejected = "fail400 " + key();
		List<String> ids = enqueue(bulk(request(key(), customer.id(), store, List.of(step("WEBHOOK")), failing)),
				request(key(), customer.id(), store, List.of(step("WEBHOOK")), rejected));

		await().atMost(Duration.ofSeconds(30)).until(() -> status(ids.get(0)).equals("FAILED") && status(ids.get(1)).equals("FAILED"));
		JsonNode retried = view(ids.get(0));
		assertThat(retried.path("reason").asString()).isEqualTo("retries-exhausted");
		// storecast.delivery.max-attempts (6) tries, each a new attempt; all but the last RETRIED
		assertThat(retried.path("attempts").size()).isEqualTo(6);
		assertThat(retried.path("attempts").valueStream().map(a -> a.path("status").asString()))
			.containsExactly("RETRIED", "RETRIED", "RETRIED", "RETRIED", "RETRIED", "FAILED");
		assertThat(retried.path("attempts").valueStream().map(a -> a.path("errorCode").asString()).distinct())
			.containsExactly("http-500");
		assertThat(hits.stream().filter(h -> h.text().equals(failing)).count()).isEqualTo(6);
		// the same key on every try: the endpoint can tell a retry from a new message
		assertThat(hits.stream().filter(h -> h.text().equals(failing)).map(Hit::idempotencyKey).distinct()).hasSize(1);
		// a bulk message's retries stay in the bulk lane
		assertThat(bulkAttempts(ids.get(0))).containsExactly(true, true, true, true, true, true);
		assertThat(bulkAttempts(ids.get(1))).containsExactly(false);

		JsonNode refused = view(ids.get(1));
		assertThat(refused.path("reason").asString()).isEqualTo("rejected");
		assertThat(refused.path("attempts").size()).isEqualTo(1);
		assertThat(refused.path("attempts").get(0).path("responseCode").asInt()).isEqualTo(400);

		JsonNode dead = demo.owner.get("/api/v1/deliveries/dead-letters?source=test&limit=200").expect(200).json();
		List<String> deadIds = dead.path("items").valueStream().map(d -> d.path("id").asString()).toList();
		assertThat(deadIds).contains(ids.get(0), ids.get(1));
		JsonNode entry = dead.path("items").valueStream().filter(d -> d.path("id").asString().equals(ids.get(0))).findFirst().orElseThrow();
		assertThat(entry.path("lastChannel").asString()).isEqualTo("WEBHOOK");
		assertThat(entry.path("attempts").asInt()).isEqualTo(6);
	}

	@Test
	void a_hanging_endpoint_times_out_into_a_retry_and_sticks_no_thread() {
		setEndpoint(1000);
		OrderTesting.Customer customer = OrderTesting.Customer.of(demo, "GZ-TH");
		String store = demo.node("GZ-TH");
		String hanging = "hang " + key();
		String hangingId = enqueue(request(key(), customer.id(), store, List.of(step("WEBHOOK")), hanging)).getFirst();
		await().atMost(Duration.ofSeconds(15))
			.until(() -> view(hangingId).path("attempts").valueStream().anyMatch(a -> a.path("errorCode").asString().equals("timeout")));
		// meanwhile others go out
		String text = "正常推送 " + key();
		String ok = enqueue(request(key(), customer.id(), store, List.of(step("IN_APP")), text)).getFirst();
		await().atMost(Duration.ofSeconds(10)).until(() -> status(ok).equals("DELIVERED"));
		JsonNode attempt = view(hangingId).path("attempts").get(0);
		assertThat(attempt.path("status").asString()).isEqualTo("RETRIED");
	}

	@Test
	void an_unread_in_app_message_falls_back_to_the_next_channel_and_a_read_one_does_not() {
		setEndpoint(5000);
		String store = demo.node("SZ-WXC");
		OrderTesting.Customer reader = OrderTesting.Customer.of(demo, "SZ-WXC");
		OrderTesting.Customer away = OrderTesting.Customer.of(demo, "SZ-WXC");
		List<Map<String, Object>> route = List.of(Map.of("channel", "IN_APP", "fallbackAfterSeconds", 2), step("WEBHOOK"));
		String readText = "新品到店 " + key();
		String awayText = "新品到店 " + key();
		List<String> ids = enqueue(request(key(), reader.id(), store, route, readText),
				bulk(request(key(), away.id(), store, route, awayText)));
		await().atMost(Duration.ofSeconds(10)).until(() -> status(ids.get(0)).equals("DELIVERED"));
		// the reader reads it at once
		JsonNode message = texts(reader, store, readText).getFirst();
		String conversation = message.path("conversationId").asString();
		reader.api().post("/api/v1/conversations/" + conversation + "/read", Map.of("seq", message.path("seq").asLong()))
			.expect(204);

		await().atMost(Duration.ofSeconds(15)).until(() -> status(ids.get(0)).equals("READ") && status(ids.get(1)).equals("SENT"));
		JsonNode read = view(ids.get(0));
		assertThat(read.path("attempts").size()).isEqualTo(1);
		assertThat(read.path("attempts").get(0).path("status").asString()).isEqualTo("READ");
		JsonNode fellBack = view(ids.get(1));
		assertThat(fellBack.path("attempts").valueStream().map(a -> a.path("channel").asString() + ":" + a.path("status").asString()))
			.containsExactly("IN_APP:DELIVERED", "WEBHOOK:SENT");
		assertThat(hits.stream().filter(h -> h.text().equals(awayText)).count()).isEqualTo(1);
		assertThat(hits.stream().filter(h -> h.text().equals(readText)).count()).isZero();
		// a bulk message's fallback stays in the bulk lane
		assertThat(bulkAttempts(ids.get(1))).containsExactly(true, true);

		// the one that fell back is read later: its receipt is handled, and the delivery stays the fallback's
		JsonNode late = texts(away, store, awayText).getFirst();
		String lateConversation = late.path("conversationId").asString();
		away.api().post("/api/v1/conversations/" + lateConversation + "/read", Map.of("seq", late.path("seq").asLong()))
			.expect(204);
		await().atMost(Duration.ofSeconds(10)).until(() -> jdbc.sql("""
				SELECT count(*) FROM event_publication
				WHERE event_type LIKE '%.CustomerReadUpTo' AND serialized_event LIKE ? AND completion_date IS NOT NULL""")
			.param("%" + lateConversation + "%")
			.query(Long.class)
			.single() == 1);
		JsonNode after = view(ids.get(1));
		assertThat(after.path("status").asString()).isEqualTo("SENT");
		assertThat(after.path("attempts").valueStream().map(a -> a.path("channel").asString() + ":" + a.path("status").asString()))
			.containsExactly("IN_APP:DELIVERED", "WEBHOOK:SENT");
	}

	@Test
	void a_channel_without_marketing_consent_is_skipped_with_its_reason_and_the_route_goes_on() {
		setEndpoint(5000);
		OrderTesting.Customer customer = OrderTesting.Customer.of(demo, "GZ-TH");
		String store = demo.node("GZ-TH");
		String text = "会员日活动 " + key();
		Map<String, Object> onlyWebhook = new java.util.HashMap<>(request(key(), customer.id(), store, List.of(step("WEBHOOK")), text));
		onlyWebhook.put("purpose", "MARKETING");
		Map<String, Object> thenInApp = new java.util.HashMap<>(
				request(key(), customer.id(), store, List.of(step("WEBHOOK"), step("IN_APP")), text));
		thenInApp.put("purpose", "MARKETING");
		List<String> ids = enqueue(onlyWebhook, thenInApp);

		// webhooks need an explicit opt-in for marketing (in-app is implied until withdrawn)
		await().atMost(Duration.ofSeconds(10)).until(() -> status(ids.get(0)).equals("FAILED") && status(ids.get(1)).equals("DELIVERED"));
		JsonNode skipped = view(ids.get(0));
		assertThat(skipped.path("reason").asString()).isEqualTo("no-consent");
		assertThat(skipped.path("attempts").get(0).path("status").asString()).isEqualTo("SKIPPED");
		assertThat(view(ids.get(1)).path("attempts").valueStream().map(a -> a.path("channel").asString() + ":" + a.path("status").asString()))
			.containsExactly("WEBHOOK:SKIPPED", "IN_APP:DELIVERED");
		assertThat(hits.stream().filter(h -> h.text().equals(text)).count()).isZero();
	}

	@Test
	void an_attempt_whose_node_died_mid_send_is_sent_again_without_a_duplicate() {
		OrderTesting.Customer customer = OrderTesting.Customer.of(demo, "SH-NJR");
		String store = demo.node("SH-NJR");
		String text = "重启后继续 " + key();
		String key = key();
		// stored as if a node had leased it, posted it, and died before recording the result
		String id = UUID.randomUUID().toString();
		jdbc.sql("""
				INSERT INTO delivery_messages (id, source, request_key, customer_id, store_id, purpose, route, content, status,
				  step, created_at, updated_at)
				VALUES (?, 'test', ?, ?, ?, 'TRANSACTIONAL', '[{"channel":"IN_APP"}]', CAST(? AS jsonb), 'QUEUED', 0, now(), now())""")
			.params(UUID.fromString(id), key, UUID.fromString(customer.id()), UUID.fromString(store),
					json.writeValueAsString(Map.of("text", text, "data", Map.of())))
			.update();
		jdbc.sql("""
				INSERT INTO delivery_attempts (delivery_id, step, channel, number, status, due_at, lease_until, created_at,
				  updated_at)
				VALUES (?, 0, 'IN_APP', 1, 'SENDING', now(), now() - interval '1 second', now(), now())""")
			.param(UUID.fromString(id))
			.update();
		var conversation = messaging.customerConversation(new OrgNodeId(UUID.fromString(store)),
				CustomerId.valueOf(customer.id()));
		messaging.post(conversation, id + ":0",
				new MessageDraft(MessageKind.TEXT, json.createObjectNode().put("text", text), false));

		await().atMost(Duration.ofSeconds(20)).until(() -> status(id).equals("DELIVERED"));
		assertThat(texts(customer, store, text)).hasSize(1);
		assertThat(view(id).path("attempts").size()).isEqualTo(1);
	}

	@Test
	void due_in_app_attempts_go_out_together_each_once_and_a_bad_store_customer_or_card_fails_alone() {
		// (a batch of seven: three good, an unknown customer, an unknown store, a card without a type, a card that is not one)
		String store = demo.node("SH-NJR");
		List<OrderTesting.Customer> customers = List.of(OrderTesting.Customer.of(demo, "SH-NJR"),
				OrderTesting.Customer.of(demo, "SH-NJR"), OrderTesting.Customer.of(demo, "SH-NJR"));
		String text = "批量推送 " + key();
		// as a campaign hands them off: due at once, so one lease takes them all; the first customer's
		// message was posted before by a node that died before recording it
		List<String> ids = new ArrayList<>();
		List<String[]> rows = new ArrayList<>();
		customers.forEach(c -> rows.add(new String[] { c.id(), store }));
		rows.add(new String[] { UUID.randomUUID().toString(), store });
		rows.add(new String[] { customers.get(1).id(), UUID.randomUUID().toString() });
		// and one whose card no message can be made of (the request's check would have refused it), and
		// one whose stored card is not even an object (no outgoing message can be read from it)
		rows.add(new String[] { customers.get(2).id(), store });
		rows.add(new String[] { customers.get(0).id(), store });
		for (String[] row : rows) {
			String id = UUID.randomUUID().toString();
			ids.add(id);
			Map<String, Object> content = ids.size() == rows.size() - 1
					? Map.of("text", text, "data", Map.of(), "card", Map.of("title", "没有类型"))
					: ids.size() == rows.size() ? Map.of("text", text, "data", Map.of(), "card", "不是对象")
							: Map.of("text", text, "data", Map.of());
			jdbc.sql("""
					INSERT INTO delivery_messages (id, source, request_key, customer_id, store_id, purpose, route, content,
					  status, step, created_at, updated_at)
					VALUES (?, 'test', ?, ?, ?, 'TRANSACTIONAL', '[{"channel":"IN_APP"}]', CAST(? AS jsonb), 'QUEUED', 0, now(),
					  now())""")
				.params(UUID.fromString(id), key(), UUID.fromString(row[0]), UUID.fromString(row[1]),
						json.writeValueAsString(content))
				.update();
		}
		var conversation = messaging.customerConversation(new OrgNodeId(UUID.fromString(store)),
				CustomerId.valueOf(customers.getFirst().id()));
		messaging.post(conversation, ids.getFirst() + ":0",
				new MessageDraft(MessageKind.TEXT, json.createObjectNode().put("text", text), false));
		jdbc.sql("""
				INSERT INTO delivery_attempts (delivery_id, step, channel, number, status, due_at, created_at, updated_at)
				SELECT id, 0, 'IN_APP', 1, 'QUEUED', now(), now(), now() FROM unnest(CAST(? AS uuid[])) AS id""")
			.param(ids.stream().map(UUID::fromString).toArray(UUID[]::new))
			.update();

		await().atMost(Duration.ofSeconds(20))
			.until(() -> ids.stream().map(this::status).toList(),
					s -> s.equals(List.of("DELIVERED", "DELIVERED", "DELIVERED", "FAILED", "FAILED", "FAILED", "FAILED")));
		for (OrderTesting.Customer c : customers) {
			assertThat(texts(c, store, text)).hasSize(1);
		}
		assertThat(view(ids.getFirst()).path("attempts").size()).isEqualTo(1);
		for (String failed : ids.subList(3, 5)) {
			JsonNode attempts = view(failed).path("attempts");
			assertThat(attempts.size()).isEqualTo(1);
			assertThat(attempts.get(0).path("errorCode").asString()).isEqualTo("no-conversation");
		}
		for (String failed : ids.subList(5, 7)) {
			assertThat(view(failed).path("attempts").get(0).path("errorCode").asString()).isEqualTo("invalid-content");
		}
	}

	@Test
	void bad_or_unauthorised_requests_are_refused_naming_the_field_and_store_nothing() {
		OrderTesting.Customer customer = OrderTesting.Customer.of(demo, "HZ-XH");
		String store = demo.node("HZ-XH");
		long before = jdbc.sql("SELECT count(*) FROM delivery_messages").query(Long.class).single();
		Api owner = demo.owner;
		String good = "ok " + key();

		owner.post("/api/v1/deliveries", Map.of("requests", List.of())).expectProblem(400, "validation-failed");
		assertThat(owner.post("/api/v1/deliveries", Map.of("requests",
				List.of(request(key(), customer.id(), store, List.of(), good)))).expectProblem(400, "validation-failed").errorFields())
			.containsExactly("requests[0].route");
		assertThat(owner.post("/api/v1/deliveries", Map.of("requests",
				List.of(request(key(), customer.id(), store, List.of(step("SMS")), good)))).expectProblem(400, "channel-unavailable").errorFields())
			.containsExactly("requests[0].route[0].channel");
		owner.post("/api/v1/deliveries", Map.of("requests",
				List.of(request(key(), customer.id(), store, List.of(step("PIGEON")), good)))).expect(400);
		assertThat(owner.post("/api/v1/deliveries", Map.of("requests", List.of(request(key(), customer.id(), store,
				List.of(Map.of("channel", "IN_APP", "fallbackAfterSeconds", 60)), good)))).expectProblem(400, "validation-failed").errorFields())
			.containsExactly("requests[0].route[0].fallbackAfter");
		assertThat(owner.post("/api/v1/deliveries", Map.of("requests", List.of(request(key(), customer.id(), store,
				List.of(step("IN_APP"), step("IN_APP")), good)))).expectProblem(400, "validation-failed").errorFields())
			.containsExactly("requests[0].route[1].channel");
		assertThat(owner.post("/api/v1/deliveries", Map.of("requests", List.of(request(key(), customer.id(), store,
				List.of(step("IN_APP")), "长".repeat(4001))))).expectProblem(400, "text-too-long").errorFields())
			.containsExactly("requests[0].content.text");
		assertThat(owner.post("/api/v1/deliveries", Map.of("requests", List.of(request(key(), UUID.randomUUID().toString(), store,
				List.of(step("IN_APP")), good)))).expectProblem(400, "unknown-customer").errorFields())
			.containsExactly("requests[0].customerId");
		assertThat(owner.post("/api/v1/deliveries", Map.of("requests", List.of(request(key(), customer.id(), demo.node("EAST"),
				List.of(step("IN_APP")), good)))).expectProblem(400, "unknown-store").errorFields())
			.containsExactly("requests[0].storeId");
		assertThat(owner.post("/api/v1/deliveries", Map.of("requests", List.of(request("bad key!", customer.id(), store,
				List.of(step("IN_APP")), good)))).expectProblem(400, "validation-failed").errorFields())
			.containsExactly("requests[0].key");
		String dup = key();
		owner.post("/api/v1/deliveries", Map.of("requests", List.of(request(dup, customer.id(), store, List.of(step("IN_APP")), good),
				request(dup, customer.id(), store, List.of(step("IN_APP")), good)))).expectProblem(400, "duplicate-key");
		List<Object> tooMany = new ArrayList<>();
		for (int i = 0; i < 1001; i++) {
			tooMany.add(request("many-" + i, customer.id(), store, List.of(step("IN_APP")), good));
		}
		owner.post("/api/v1/deliveries", Map.of("requests", tooMany)).expectProblem(400, "too-many");
		// one bad request in a batch: none of the batch is stored
		owner.post("/api/v1/deliveries", Map.of("requests", List.of(request(key(), customer.id(), store, List.of(step("IN_APP")), good),
				request(key(), customer.id(), store, List.of(), good)))).expect(400);

		Map<String, Object> fine = request(key(), customer.id(), store, List.of(step("IN_APP")), good);
		demo.staff("hz-xh.clerk1").post("/api/v1/deliveries", Map.of("requests", List.of(fine))).expectProblem(403, "forbidden");
		customer.api().post("/api/v1/deliveries", Map.of("requests", List.of(fine))).expect(403);
		demo.anonymous.post("/api/v1/deliveries", Map.of("requests", List.of(fine))).expect(401);
		demo.staff("hz-xh.clerk1").get("/api/v1/deliveries/stats").expect(403);
		demo.staff("hz-xh.manager").put("/api/v1/deliveries/webhook-endpoint", Map.of("url", endpoint())).expect(403);
		owner.put("/api/v1/deliveries/webhook-endpoint", Map.of("url", "ftp://example.com/x")).expectProblem(400, "validation-failed");
		owner.put("/api/v1/deliveries/webhook-endpoint", Map.of("url", endpoint(), "timeoutMillis", 500))
			.expectProblem(400, "validation-failed");

		assertThat(jdbc.sql("SELECT count(*) FROM delivery_messages").query(Long.class).single()).isEqualTo(before);
		// an API key with delivery:send may
		String backend = demo.apiKey("push " + key(), "delivery:send");
		demo.anonymous.as(backend).post("/api/v1/deliveries", Map.of("requests", List.of(fine))).expect(202);
		AtomicInteger after = new AtomicInteger(jdbc.sql("SELECT count(*) FROM delivery_messages").query(Integer.class).single());
		assertThat(after.get()).isEqualTo(before + 1);
	}
}
