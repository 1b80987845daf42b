package io.storecast.delivery.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;

import io.storecast.audience.Channel;
import io.storecast.audience.Purpose;
import io.storecast.delivery.Delivery;
import io.storecast.delivery.DeliveryId;
import io.storecast.delivery.DeliveryRequest;
import io.storecast.identity.CustomerId;
import io.storecast.identity.OrgNodeId;
import io.storecast.messaging.ConversationId;
import io.storecast.messaging.MerchantMessaging;
import io.storecast.messaging.MessageDraft;
import io.storecast.messaging.MessageKind;
import io.storecast.orders.OrderTesting;
import io.storecast.support.DemoFixture;
import io.storecast.support.StorecastIntegrationTest;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * Bulk in-app messages handed off as new ({@link Delivery#enqueueNew}, a campaign's chunk) are stored
 * as batches, a row per 64, and get their delivery rows only when posted: DELIVERED at once, READ if
 * the customer's read receipt came first, or, for one that fails, a FAILED delivery with its attempt.
 * Until then {@code GET /deliveries/{id}} and the stats show them QUEUED. A batch whose node died
 * mid-way is leased again: what was written down is left out, and what was posted is not posted twice.
 * Bulk messages are held (a trickle of 0) until each test lets them go.
 */
@StorecastIntegrationTest
class DeliveryBatchesIntegrationTest {

	private static final String SOURCE = "batches-test";

	@LocalServerPort
	int port;

	@Autowired
	JdbcClient jdbc;

	@Autowired
	Delivery delivery;

	@Autowired
	DeliveryWorkers workers;

	@Autowired
	MerchantMessaging messaging;

	DemoFixture demo;

	@BeforeEach
	void setUp() {
		demo = new DemoFixture(port);
		workers.bulkHoldSettings(new DeliverySettings.BulkHoldSettings(true, 0.0));
		delivery.holdBulk(Instant.now().plus(Duration.ofHours(1)));
	}

	@AfterEach
	void tearDown() {
		delivery.holdBulk(Instant.EPOCH);
		workers.bulkHoldSettings(null);
		jdbc.sql("DELETE FROM delivery_batches WHERE source = ?").param(SOURCE).update();
		OutboxTesting.forget(jdbc, SOURCE);
	}

	@Test
	void new_bulk_in_app_messages_wait_as_one_batch_row_and_are_written_down_delivered_when_posted() {
		String store = demo.node("SH-NJR");
		List<OrderTesting.Customer> customers = List.of(OrderTesting.Customer.of(demo, "SH-NJR"),
				OrderTesting.Customer.of(demo, "SH-NJR"), OrderTesting.Customer.of(demo, "SH-NJR"));
		List<DeliveryRequest> requests = customers.stream()
			.map(c -> request("k-" + c.id(), c.id(), store, "中秋礼盒满200减30", null))
			.toList();
		List<DeliveryId> ids = delivery.enqueueNew(requests, List.of());

		assertThat(batches()).isEqualTo(1);
		assertThat(jdbc.sql("SELECT count(*) FROM delivery_messages WHERE source = ?").param(SOURCE).query(Long.class).single())
			.isZero();
		JsonNode waiting = view(ids.get(1));
		assertThat(waiting.path("status").asString()).isEqualTo("QUEUED");
		assertThat(waiting.path("key").asString()).isEqualTo("k-" + customers.get(1).id());
		assertThat(waiting.path("customerId").asString()).isEqualTo(customers.get(1).id());
		assertThat(waiting.path("bulk").asBoolean()).isTrue();
		assertThat(waiting.path("attempts").size()).isZero();
		assertThat(demo.owner.get("/api/v1/deliveries/stats?source=" + SOURCE).expect(200).json().path("byStatus")
			.path("QUEUED").asLong()).isEqualTo(3);

		delivery.holdBulk(Instant.EPOCH);
		await().atMost(Duration.ofSeconds(10)).until(() -> ids.stream().allMatch(id -> status(id).equals("DELIVERED")));
		assertThat(batches()).isZero();
		for (int i = 0; i < ids.size(); i++) {
			JsonNode view = view(ids.get(i));
			assertThat(view.path("key").asString()).isEqualTo("k-" + customers.get(i).id());
			assertThat(view.path("attempts").valueStream().map(a -> a.path("channel").asString() + ":"
					+ a.path("status").asString())).containsExactly("IN_APP:DELIVERED");
			JsonNode attempt = view.path("attempts").get(0);
			assertThat(attempt.path("providerId").asString()).contains("/");
			assertThat(attempt.path("sentAt").isNull()).isFalse();
		}
		// an in-app message without a fallback gets its read check, as one that was not in a batch
		assertThat(jdbc.sql("""
				SELECT count(*) FROM delivery_attempts a JOIN delivery_messages m ON m.id = a.delivery_id
				WHERE m.source = ? AND a.read_check_at IS NOT NULL AND a.bulk AND m.bulk""")
			.param(SOURCE).query(Long.class).single()).isEqualTo(3);
		assertThat(demo.owner.get("/api/v1/deliveries/stats?source=" + SOURCE).expect(200).json().path("byStatus")
			.path("DELIVERED").asLong()).isEqualTo(3);

		// the customer reads it: READ, as any in-app message
		String[] where = view(ids.getFirst()).path("attempts").get(0).path("providerId").asString().split("/");
		customers.getFirst().api().post("/api/v1/conversations/" + where[0] + "/read", Map.of("seq", Long.parseLong(where[1])))
			.expect(204);
		await().atMost(Duration.ofSeconds(10)).until(() -> status(ids.getFirst()).equals("READ"));
	}

	@Test
	void a_read_receipt_that_comes_before_the_batch_message_is_written_down_makes_it_read_at_the_receipts_time() {
		OrderTesting.Customer customer = OrderTesting.Customer.of(demo, "SH-NJR");
		String store = demo.node("SH-NJR");
		DeliveryId id = delivery.enqueueNew(List.of(request("early-read", customer.id(), store, "先读后记", null)), List.of())
			.getFirst();
		// posted by a worker that has not written it down yet (its key is the message's), and read at once
		ConversationId conversation = messaging.customerConversation(new OrgNodeId(UUID.fromString(store)),
				CustomerId.valueOf(customer.id()));
		long seq = messaging.post(conversation, id.value() + ":0", new MessageDraft(MessageKind.TEXT,
				JsonNodeFactory.instance.objectNode().put("text", "先读后记"), false)).message().seq();
		customer.api().post("/api/v1/conversations/" + conversation.value() + "/read", Map.of("seq", seq)).expect(204);
		await().atMost(Duration.ofSeconds(10)).until(() -> jdbc.sql("SELECT count(*) FROM delivery_early_reads WHERE delivery_id = ?")
			.param(id.value()).query(Long.class).single() == 1);
		Instant readAt = jdbc.sql("SELECT read_at FROM delivery_early_reads WHERE delivery_id = ?").param(id.value())
			.query(Timestamp.class).single().toInstant();

		delivery.holdBulk(Instant.EPOCH);
		await().atMost(Duration.ofSeconds(10)).until(() -> status(id).equals("READ"));
		JsonNode attempt = view(id).path("attempts").get(0);
		assertThat(attempt.path("status").asString()).isEqualTo("READ");
		// posted again under its key: the message the customer read, not a second one
		assertThat(attempt.path("providerId").asString()).isEqualTo(conversation.value() + "/" + seq);
		assertThat(jdbc.sql("SELECT read_at, read_check_at IS NULL AND fallback_at IS NULL FROM delivery_attempts WHERE delivery_id = ?")
			.param(id.value())
			.query((rs, n) -> rs.getTimestamp(1).toInstant().equals(readAt) && rs.getBoolean(2))
			.single()).isTrue();
		assertThat(jdbc.sql("SELECT count(*) FROM delivery_early_reads WHERE delivery_id = ?").param(id.value())
			.query(Long.class).single()).isZero();
	}

	@Test
	void a_read_receipt_kept_while_its_message_was_being_written_down_is_applied_by_the_housekeeping() {
		OrderTesting.Customer customer = OrderTesting.Customer.of(demo, "SH-NJR");
		String store = demo.node("SH-NJR");
		DeliveryId id = delivery.enqueueNew(List.of(request("late-read", customer.id(), store, "同时读", null)), List.of())
			.getFirst();
		delivery.holdBulk(Instant.EPOCH);
		await().atMost(Duration.ofSeconds(10)).until(() -> status(id).equals("DELIVERED"));
		// the receipt was kept while the recorder wrote the message down, neither seeing the other's rows
		Instant readAt = Instant.now().minusSeconds(3).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
		jdbc.sql("INSERT INTO delivery_early_reads (delivery_id, step, read_at) VALUES (?, 0, ?)")
			.params(id.value(), Timestamp.from(readAt))
			.update();
		// the housekeeping (every 5 s) applies it, at the receipt's time
		await().atMost(Duration.ofSeconds(20)).until(() -> status(id).equals("READ"));
		assertThat(jdbc.sql("SELECT read_at FROM delivery_attempts WHERE delivery_id = ?").param(id.value())
			.query(Timestamp.class).single().toInstant()).isEqualTo(readAt);
		assertThat(jdbc.sql("SELECT count(*) FROM delivery_early_reads WHERE delivery_id = ?").param(id.value())
			.query(Long.class).single()).isZero();
	}

	@Test
	void a_held_lane_whose_trickle_is_below_a_batch_still_sends_whole_batches_at_its_pace() {
		workers.bulkHoldSettings(new DeliverySettings.BulkHoldSettings(true, 5.0));
		delivery.holdBulk(Instant.now().plus(Duration.ofHours(1)));
		OrderTesting.Customer customer = OrderTesting.Customer.of(demo, "SH-NJR");
		String store = demo.node("SH-NJR");
		DeliveryId id = delivery.enqueueNew(List.of(request("trickle", customer.id(), store, "慢慢来", null)), List.of())
			.getFirst();
		await().atMost(Duration.ofSeconds(10)).until(() -> status(id).equals("DELIVERED"));
		assertThat(workers.bulkHeldUntil()).isAfter(Instant.now());
	}

	@Test
	void a_batch_whose_node_died_is_leased_again_leaving_out_what_was_written_and_posting_nothing_twice() {
		OrderTesting.Customer ann = OrderTesting.Customer.of(demo, "SH-NJR");
		OrderTesting.Customer bo = OrderTesting.Customer.of(demo, "SH-NJR");
		String store = demo.node("SH-NJR");
		List<DeliveryId> ids = delivery.enqueueNew(List.of(request("died-ann", ann.id(), store, "重启后继续", null),
				request("died-bo", bo.id(), store, "重启后继续", null)), List.of());
		// a node leased the batch, posted Ann's message and wrote it down, posted Bo's, and died
		ConversationId annConversation = messaging.customerConversation(new OrgNodeId(UUID.fromString(store)),
				CustomerId.valueOf(ann.id()));
		ConversationId boConversation = messaging.customerConversation(new OrgNodeId(UUID.fromString(store)),
				CustomerId.valueOf(bo.id()));
		for (ConversationId c : List.of(annConversation, boConversation)) {
			String key = (c.equals(annConversation) ? ids.get(0) : ids.get(1)).value() + ":0";
			messaging.post(c, key, new MessageDraft(MessageKind.TEXT, JsonNodeFactory.instance.objectNode().put("text", "重启后继续"),
					false));
		}
		jdbc.sql("""
				INSERT INTO delivery_messages (id, source, request_key, customer_id, store_id, purpose, route, content, status,
				  step, created_at, updated_at, bulk)
				VALUES (?, ?, 'died-ann', ?, ?, 'MARKETING', '[{"channel":"IN_APP"}]', '{"text":"重启后继续"}', 'DELIVERED', 0,
				  now(), now(), true)""")
			.params(ids.get(0).value(), SOURCE, UUID.fromString(ann.id()), UUID.fromString(store))
			.update();
		jdbc.sql("UPDATE delivery_batches SET status = 'SENDING', lease_until = now() - interval '1 second' WHERE source = ?")
			.param(SOURCE)
			.update();

		delivery.holdBulk(Instant.EPOCH);
		// the housekeeping (every 5 s) queues it again
		await().atMost(Duration.ofSeconds(20)).until(() -> status(ids.get(1)).equals("DELIVERED"));
		await().atMost(Duration.ofSeconds(10)).until(() -> batches() == 0);
		assertThat(view(ids.get(0)).path("attempts").size()).as("Ann's, written before, is left as it was").isZero();
		for (ConversationId c : List.of(annConversation, boConversation)) {
			assertThat(jdbc.sql("SELECT count(*) FROM messaging_messages WHERE conversation_id = ? AND body->>'text' = '重启后继续'")
				.param(c.value()).query(Long.class).single()).isEqualTo(1);
		}
	}

	@Test
	void a_batch_message_the_channel_refuses_is_written_down_failed_with_its_attempt_and_the_others_go() {
		OrderTesting.Customer ann = OrderTesting.Customer.of(demo, "SH-NJR");
		OrderTesting.Customer bo = OrderTesting.Customer.of(demo, "SH-NJR");
		String store = demo.node("SH-NJR");
		List<DeliveryId> ids = delivery.enqueueNew(List.of(
				request("refused-ann", ann.id(), store, "卡片", Map.of("type", "no-such-card")),
				request("posted-bo", bo.id(), store, "满200减30", null)), List.of());

		delivery.holdBulk(Instant.EPOCH);
		await().atMost(Duration.ofSeconds(10)).until(() -> status(ids.get(0)).equals("FAILED") && status(ids.get(1)).equals("DELIVERED"));
		JsonNode failed = view(ids.get(0));
		assertThat(failed.path("attempts").valueStream().map(a -> a.path("channel").asString() + ":" + a.path("status").asString()))
			.containsExactly("IN_APP:FAILED");
		assertThat(failed.path("attempts").get(0).path("errorCode").asString()).isNotBlank();
		assertThat(batches()).isZero();
	}

	@Test
	void messages_that_are_not_bulk_in_app_and_due_now_are_queued_as_before() {
		OrderTesting.Customer customer = OrderTesting.Customer.of(demo, "SH-NJR");
		String store = demo.node("SH-NJR");
		DeliveryRequest later = new DeliveryRequest(SOURCE, "later", CustomerId.valueOf(customer.id()),
				new OrgNodeId(UUID.fromString(store)), Purpose.MARKETING, List.of(new DeliveryRequest.Step(Channel.IN_APP, null)),
				new DeliveryRequest.Content("明天见", null, null, Map.of()), Instant.now().plus(Duration.ofDays(1)), true);
		DeliveryRequest notBulk = new DeliveryRequest(SOURCE, "notice", CustomerId.valueOf(customer.id()),
				new OrgNodeId(UUID.fromString(store)), Purpose.TRANSACTIONAL,
				List.of(new DeliveryRequest.Step(Channel.IN_APP, null)), new DeliveryRequest.Content("订单已发货", null, null, Map.of()),
				null, false);
		List<DeliveryId> ids = delivery.enqueueNew(List.of(later, notBulk), List.of());
		assertThat(batches()).isZero();
		assertThat(view(ids.get(0)).path("attempts").valueStream().map(a -> a.path("status").asString())).containsExactly("QUEUED");
		await().atMost(Duration.ofSeconds(10)).until(() -> status(ids.get(1)).equals("DELIVERED"));
		// a key used before keeps its first delivery, as enqueueAll
		assertThat(delivery.enqueueNew(List.of(notBulk), List.of())).containsExactly(ids.get(1));
	}

	private long batches() {
		return jdbc.sql("SELECT count(*) FROM delivery_batches WHERE source = ?").param(SOURCE).query(Long.class).single();
	}

	private String status(DeliveryId id) {
		return view(id).path("status").asString();
	}

	private JsonNode view(DeliveryId id) {
		return demo.owner.get("/api/v1/deliveries/" + id.value()).expect(200).json();
	}

	private static DeliveryRequest request(String key, String customerId, String storeId, String text,
			Map<String, Object> card) {
		return new DeliveryRequest(SOURCE, key, CustomerId.valueOf(customerId), new OrgNodeId(UUID.fromString(storeId)),
				Purpose.MARKETING, List.of(new DeliveryRequest.Step(Channel.IN_APP, null)),
				new DeliveryRequest.Content(text, null, card, Map.of()), null, true);
	}
}
