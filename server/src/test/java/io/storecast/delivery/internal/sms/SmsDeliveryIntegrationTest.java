package io.storecast.delivery.internal.sms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.jsmpp.SMPPConstant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.storecast.audience.Channel;
import io.storecast.audience.Consents;
import io.storecast.audience.Purpose;
import io.storecast.identity.CustomerId;
import io.storecast.orders.OrderTesting;
import io.storecast.support.DemoFixture;
import io.storecast.support.StorecastIntegrationTest;
import tools.jackson.databind.JsonNode;

/**
 * SMS through the whole server against an in-process SMSC: the store's 【signature】 in UCS-2 and
 * the segments counted; receipts matched even when they come before the submit_sm_resp; a throttle
 * retried; an invalid number failed and counted toward suppression; an in-app message unread in time
 * followed by an SMS to a consenting customer (scenario S2), and none for one who read it; a reply
 * 退订 withdrawing SMS marketing at once, confirmed once; any other reply landing in the chat.
 */
@StorecastIntegrationTest
// a context of its own that no other class shares: closed after the class rather than left running
// (its pollers, gateway and embedded PostgreSQL) beside the shared one until the JVM exits
@DirtiesContext
class SmsDeliveryIntegrationTest {

	static final TestSmsc SMSC;

	static {
		try {
			SMSC = new TestSmsc("secret1");
		}
		catch (java.io.IOException e) {
			throw new IllegalStateException(e);
		}
	}

	@DynamicPropertySource
	static void smsc(DynamicPropertyRegistry registry) {
		registry.add("storecast.delivery.sms.smpp.host", () -> "127.0.0.1");
		registry.add("storecast.delivery.sms.smpp.port", SMSC::port);
		registry.add("storecast.delivery.sms.smpp.system-id", () -> "storecast");
		registry.add("storecast.delivery.sms.smpp.password", () -> "secret1");
		registry.add("storecast.delivery.sms.smpp.source-address", () -> "10690000");
		registry.add("storecast.delivery.sms.smpp.throttle-retry-after", () -> "200ms");
	}

	@AfterAll
	static void stop() throws Exception {
		SMSC.close();
	}

	@LocalServerPort
	int port;

	@Autowired
	JdbcClient jdbc;

	@Autowired
	Consents consents;

	DemoFixture demo;

	@BeforeEach
	void setUp() {
		demo = new DemoFixture(port);
	}

	/** A new customer of the store with their own mobile number. */
	private OrderTesting.Customer customer(String store, String phone) {
		OrderTesting.Customer c = OrderTesting.Customer.of(demo, store);
		demo.owner.patch("/api/v1/customers/" + c.id(), Map.of("phone", phone)).expect(200);
		return c;
	}

	private static String phone() {
		return "1390" + String.format("%07d", Math.floorMod(UUID.randomUUID().getLeastSignificantBits(), 10_000_000L));
	}

	private List<TestSmsc.Submit> submitsTo(String phone) {
		return SMSC.submits.stream().filter(s -> s.destination().equals("86" + phone)).toList();
	}

	private static String text(TestSmsc.Submit s) {
		return new String(s.payload(), s.dataCoding() == 0x08 ? StandardCharsets.UTF_16BE : StandardCharsets.ISO_8859_1);
	}

	private String enqueue(String customerId, String storeCode, String purpose, List<Map<String, Object>> route,
			String text) {
		Map<String, Object> request = new HashMap<>();
		request.put("source", "sms-test");
		request.put("key", "k-" + UUID.randomUUID());
		request.put("customerId", customerId);
		request.put("storeId", demo.node(storeCode));
		request.put("purpose", purpose);
		request.put("route", route);
		request.put("content", Map.of("text", text));
		return demo.owner.post("/api/v1/deliveries", Map.of("requests", List.of(request)))
			.expect(202)
			.json()
			.path("ids")
			.get(0)
			.asString();
	}

	private JsonNode view(String id) {
		return demo.owner.get("/api/v1/deliveries/" + id).expect(200).json();
	}

	private String status(String id) {
		return view(id).path("status").asString();
	}

	private static List<Map<String, Object>> sms() {
		return List.of(Map.of("channel", "SMS"));
	}

	@Test
	void an_sms_carries_the_store_signature_in_ucs2_counts_its_segments_and_is_delivered_by_its_receipt() throws Exception {
		String phone = phone();
		OrderTesting.Customer customer = customer("SH-NJR", phone);
		String body = "您的订单已发货，顺丰单号 SF1234567890，预计明天送达。" + "感谢您对本店的支持，如有问题请回复本短信。".repeat(2);
		String id = enqueue(customer.id(), "SH-NJR", "TRANSACTIONAL", sms(), body);

		await().atMost(Duration.ofSeconds(15)).until(() -> submitsTo(phone).size() == 2);
		List<TestSmsc.Submit> parts = submitsTo(phone);
		assertThat(parts).allSatisfy(p -> assertThat(p.dataCoding()).isEqualTo((byte) 0x08));
		String whole = text(parts.get(0)) + text(parts.get(1));
		String storeName = demo.owner.get("/api/v1/org/nodes/" + demo.node("SH-NJR")).expect(200).string("name");
		assertThat(whole).isEqualTo("【" + storeName + "】" + body);
		await().atMost(Duration.ofSeconds(10)).until(() -> status(id).equals("SENT"));
		JsonNode attempt = view(id).path("attempts").get(0);
		assertThat(attempt.path("segments").asInt()).isEqualTo(2);
		String providerId = attempt.path("providerId").asString();
		assertThat(providerId).isEqualTo(parts.get(0).messageId());

		for (TestSmsc.Submit part : parts) {
			assertThat(SMSC.sendReceipt(part.messageId(), "DELIVRD", "000")).isZero();
		}
		await().atMost(Duration.ofSeconds(10)).until(() -> status(id).equals("DELIVERED"));
		assertThat(view(id).path("attempts").get(0).path("status").asString()).isEqualTo("DELIVERED");
	}

	@Test
	void a_receipt_that_comes_before_the_submit_response_is_matched_all_the_same() {
		SMSC.receiptBeforeResponse(true);
		try {
			List<String> ids = new ArrayList<>();
			for (int i = 0; i < 5; i++) {
				OrderTesting.Customer customer = customer("HZ-XH", phone());
				ids.add(enqueue(customer.id(), "HZ-XH", "TRANSACTIONAL", sms(), "取货提醒 " + i));
			}
			await().atMost(Duration.ofSeconds(20)).until(() -> ids.stream().allMatch(id -> status(id).equals("DELIVERED")));
		}
		finally {
			SMSC.receiptBeforeResponse(false);
		}
		assertThat(jdbc.sql("SELECT count(*) FROM delivery_early_receipts").query(Long.class).single()).isZero();
	}

	@Test
	void a_throttled_submit_is_tried_again_and_an_invalid_number_fails_at_once_and_counts_toward_suppression() {
		String throttledPhone = phone();
		OrderTesting.Customer throttled = customer("SZ-GQJ", throttledPhone);
		SMSC.refuseNext(1, SMPPConstant.STAT_ESME_RTHROTTLED);
		String first = enqueue(throttled.id(), "SZ-GQJ", "TRANSACTIONAL", sms(), "限流后重试");
		await().atMost(Duration.ofSeconds(20)).until(() -> status(first).equals("SENT"));
		assertThat(view(first).path("attempts").valueStream().map(a -> a.path("status").asString() + ":" + a.path("errorCode").asString()))
			.containsExactly("RETRIED:throttled", "SENT:");

		String badPhone = phone();
		OrderTesting.Customer bad = customer("SZ-GQJ", badPhone);
		SMSC.refuseNext(1, SMPPConstant.STAT_ESME_RINVDSTADR);
		String second = enqueue(bad.id(), "SZ-GQJ", "TRANSACTIONAL", sms(), "空号");
		await().atMost(Duration.ofSeconds(20)).until(() -> status(second).equals("FAILED"));
		assertThat(view(second).path("attempts").size()).isEqualTo(1);
		JsonNode suppression = demo.owner.get("/api/v1/audience/suppressions/+86" + badPhone).expect(200).json();
		assertThat(suppression.path("failures").asInt()).isEqualTo(1);
	}

	@Test
	void an_unread_in_app_message_is_followed_by_an_sms_to_a_consenting_customer_and_a_read_one_is_not() {
		String awayPhone = phone();
		String readerPhone = phone();
		OrderTesting.Customer away = customer("SZ-WXC", awayPhone);
		OrderTesting.Customer reader = customer("SZ-WXC", readerPhone);
		for (OrderTesting.Customer c : List.of(away, reader)) {
			demo.owner.post("/api/v1/audience/customers/" + c.id() + "/consents",
					Map.of("channel", "SMS", "purpose", "MARKETING", "granted", true, "source", "POS")).expect(201);
		}
		List<Map<String, Object>> route = List.of(Map.of("channel", "IN_APP", "fallbackAfterSeconds", 2),
				Map.of("channel", "SMS"));
		String awayId = enqueue(away.id(), "SZ-WXC", "MARKETING", route, "新款耳钉到店，凭券立减30元");
		String readerId = enqueue(reader.id(), "SZ-WXC", "MARKETING", route, "新款耳钉到店，凭券立减30元");
		await().atMost(Duration.ofSeconds(10)).until(() -> status(readerId).equals("DELIVERED"));
		String conversation = reader.api().post("/api/v1/conversations/direct", Map.of("storeId", demo.node("SZ-WXC")))
			.expect(200)
			.string("id");
		long seq = reader.api().get("/api/v1/conversations/" + conversation + "/messages?limit=50").expect(200).json()
			.valueStream().mapToLong(m -> m.path("seq").asLong()).max().orElseThrow();
		reader.api().post("/api/v1/conversations/" + conversation + "/read", Map.of("seq", seq)).expect(204);

		await().atMost(Duration.ofSeconds(20)).until(() -> submitsTo(awayPhone).size() == 1 && status(readerId).equals("READ"));
		assertThat(text(submitsTo(awayPhone).getFirst())).endsWith("新款耳钉到店，凭券立减30元");
		assertThat(view(awayId).path("attempts").valueStream().map(a -> a.path("channel").asString()))
			.containsExactly("IN_APP", "SMS");
		assertThat(submitsTo(readerPhone)).isEmpty();
	}

	@Test
	void a_reply_of_td_withdraws_sms_marketing_at_once_and_is_confirmed_once_and_other_replies_reach_the_chat()
			throws Exception {
		String phone = phone();
		OrderTesting.Customer customer = customer("GZ-TH", phone);
		CustomerId id = CustomerId.valueOf(customer.id());
		demo.owner.post("/api/v1/audience/customers/" + customer.id() + "/consents",
				Map.of("channel", "SMS", "purpose", "MARKETING", "granted", true, "source", "POS")).expect(201);
		String first = enqueue(customer.id(), "GZ-TH", "MARKETING", sms(), "周末会员日，全场9折");
		await().atMost(Duration.ofSeconds(10)).until(() -> status(first).equals("SENT"));

		byte[] reply = "有没有18K金的款式？".getBytes(StandardCharsets.UTF_16BE);
		assertThat(SMSC.sendMo("86" + phone, "10690000", (byte) 0x08, (byte) 0x00, reply)).isZero();
		String conversation = customer.api().post("/api/v1/conversations/direct", Map.of("storeId", demo.node("GZ-TH")))
			.expect(200)
			.string("id");
		await().atMost(Duration.ofSeconds(10)).until(() -> customer.api()
			.get("/api/v1/conversations/" + conversation + "/messages?limit=50")
			.expect(200)
			.json()
			.valueStream()
			.anyMatch(m -> m.path("body").path("text").asString().equals("有没有18K金的款式？")
					&& m.path("sender").asString().equals("customer:" + customer.id())));

		assertThat(SMSC.sendMo("86" + phone, "10690000", (byte) 0x08, (byte) 0x00, "退订".getBytes(StandardCharsets.UTF_16BE)))
			.isZero();
		await().atMost(Duration.ofSeconds(10)).until(() -> !consents.consentOf(id, Channel.SMS, Purpose.MARKETING).granted());
		await().atMost(Duration.ofSeconds(10)).until(() -> submitsTo(phone).size() == 2);
		assertThat(text(submitsTo(phone).get(1))).contains("退订");
		// a second 退订 changes nothing and is not confirmed again
		assertThat(SMSC.sendMo("86" + phone, "10690000", (byte) 0x00, (byte) 0x00, "TD".getBytes(StandardCharsets.ISO_8859_1)))
			.isZero();
		await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> submitsTo(phone).size() == 2);
		assertThat(consents.history(id).getLast().source()).isEqualTo("SMS_REPLY");
		// and the next marketing SMS is not sent
		String after = enqueue(customer.id(), "GZ-TH", "MARKETING", sms(), "再次营销");
		await().atMost(Duration.ofSeconds(10)).until(() -> status(after).equals("FAILED"));
		assertThat(view(after).path("reason").asString()).isEqualTo("consent-withdrawn");
		assertThat(submitsTo(phone)).hasSize(2);
	}
}
