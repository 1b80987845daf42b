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
 * An in-app message is READ when the customer's read receipt covers it, at the receipt's time, with no
 * read check in between; a receipt that comes while the post's result is still being recorded makes
 * that recording look again at once.
 */
@StorecastIntegrationTest
class InAppReadsIntegrationTest {

	private static final String SOURCE = "reads-test";

	@LocalServerPort
	int port;

	@Autowired
	JdbcClient jdbc;

	@Autowired
	Outbox outbox;

	@Autowired
	MerchantMessaging messaging;

	DemoFixture demo;

	@BeforeEach
	void setUp() {
		demo = new DemoFixture(port);
	}

	@AfterEach
	void tearDown() {
		OutboxTesting.forget(jdbc, SOURCE);
	}

	@Test
	void a_read_receipt_marks_the_messages_it_covers_read_at_once_and_not_the_later_ones() {
		OrderTesting.Customer customer = OrderTesting.Customer.of(demo, "SH-NJR");
		String store = demo.node("SH-NJR");
		JsonNode ids = demo.owner.post("/api/v1/deliveries", Map.of("requests", List.of(
				request("first", customer.id(), store, "到店自提提醒"), request("second", customer.id(), store, "新品到店"))))
			.expect(202).json().path("ids");
		String first = ids.get(0).asString();
		String second = ids.get(1).asString();
		await().atMost(Duration.ofSeconds(10)).until(() -> status(first).equals("DELIVERED") && status(second).equals("DELIVERED"));
		// no read check comes in this test: what marks them read is the receipt
		jdbc.sql("""
				UPDATE delivery_attempts SET read_check_at = now() + interval '1 day'
				WHERE delivery_id IN (SELECT id FROM delivery_messages WHERE source = ?)""").param(SOURCE).update();
		String[] where = providerId(first).split("/");
		long firstSeq = Long.parseLong(where[1]);
		long secondSeq = Long.parseLong(providerId(second).split("/")[1]);
		assertThat(secondSeq).isGreaterThan(firstSeq);

		Instant before = Instant.now();
		customer.api().post("/api/v1/conversations/" + where[0] + "/read", Map.of("seq", firstSeq)).expect(204);
		await().atMost(Duration.ofSeconds(10)).until(() -> status(first).equals("READ"));
		assertThat(status(second)).isEqualTo("DELIVERED");
		Instant readAt = readAt(first);
		assertThat(readAt).isAfterOrEqualTo(before.minusMillis(1)).isBeforeOrEqualTo(Instant.now());
		assertThat(view(first).path("attempts").get(0).path("status").asString()).isEqualTo("READ");

		// an older receipt moves nothing; the next one covers the second
		customer.api().post("/api/v1/conversations/" + where[0] + "/read", Map.of("seq", firstSeq)).expect(204);
		customer.api().post("/api/v1/conversations/" + where[0] + "/read", Map.of("seq", secondSeq)).expect(204);
		await().atMost(Duration.ofSeconds(10)).until(() -> status(second).equals("READ"));
		assertThat(readAt(first)).isEqualTo(readAt);
	}

	@Test
	void a_receipt_that_comes_before_the_post_is_recorded_makes_the_recording_look_at_once() {
		OrderTesting.Customer customer = OrderTesting.Customer.of(demo, "SH-NJR");
		String store = demo.node("SH-NJR");
		// leased and posted by a worker whose result is not recorded yet
		UUID id = UUID.randomUUID();
		jdbc.sql("""
				INSERT INTO delivery_messages (id, source, request_key, customer_id, store_id, purpose, route, content, status,
				  step, created_at, updated_at)
				VALUES (?, ?, 'racing', ?, ?, 'TRANSACTIONAL', '[{"channel":"IN_APP"}]', '{"text":"秒读"}', 'QUEUED', 0, now(), now())""")
			.params(id, SOURCE, UUID.fromString(customer.id()), UUID.fromString(store))
			.update();
		long attempt = jdbc.sql("""
				INSERT INTO delivery_attempts (delivery_id, step, channel, number, status, due_at, lease_until, created_at,
				  updated_at)
				VALUES (?, 0, 'IN_APP', 1, 'SENDING', now(), now() + interval '1 hour', now(), now()) RETURNING id""")
			.param(id)
			.query(Long.class)
			.single();
		ConversationId conversation = messaging.customerConversation(new OrgNodeId(UUID.fromString(store)),
				CustomerId.valueOf(customer.id()));
		long seq = messaging.post(conversation, id + ":0", new MessageDraft(MessageKind.TEXT,
				JsonNodeFactory.instance.objectNode().put("text", "秒读"), false)).message().seq();

		customer.api().post("/api/v1/conversations/" + conversation.value() + "/read", Map.of("seq", seq)).expect(204);
		await().atMost(Duration.ofSeconds(10)).until(() -> readAt(id.toString()) != null);
		assertThat(status(id.toString())).isEqualTo("QUEUED");
		Instant readAt = readAt(id.toString());

		// the worker records its post now, asking for a read check a day later: it is looked at at once instead
		Instant now = Instant.now();
		assertThat(outbox.accepted(List.of(new Outbox.Accepted(attempt, true, conversation.value() + "/" + seq, 1, null, null,
				null, now.plus(Duration.ofDays(1)))), now)).containsExactly(attempt);
		// due now, not a day later (or already looked at and cleared by the sweep)
		assertThat(jdbc.sql("SELECT coalesce(read_check_at <= ?, true) FROM delivery_attempts WHERE id = ?")
			.params(Timestamp.from(now.plusSeconds(1)), attempt).query(Boolean.class).single()).isTrue();
		await().atMost(Duration.ofSeconds(10)).until(() -> jdbc.sql("SELECT status FROM delivery_attempts WHERE id = ?")
			.param(attempt).query(String.class).single().equals("READ"));
		assertThat(readAt(id.toString())).as("the receipt's time is kept").isEqualTo(readAt);
	}

	private String status(String id) {
		return view(id).path("status").asString();
	}

	private String providerId(String id) {
		return view(id).path("attempts").get(0).path("providerId").asString();
	}

	private Instant readAt(String id) {
		Timestamp t = jdbc.sql("SELECT read_at FROM delivery_attempts WHERE delivery_id = ?").param(UUID.fromString(id))
			.query((rs, n) -> rs.getTimestamp(1)).list().getFirst();
		return t == null ? null : t.toInstant();
	}

	private JsonNode view(String id) {
		return demo.owner.get("/api/v1/deliveries/" + id).expect(200).json();
	}

	private static Map<String, Object> request(String key, String customerId, String storeId, String text) {
		return Map.of("source", SOURCE, "key", key, "customerId", customerId, "storeId", storeId, "purpose", "TRANSACTIONAL",
				"route", List.of(Map.of("channel", "IN_APP")), "content", Map.of("text", text));
	}
}
