package io.storecast.audience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.simple.JdbcClient;

import io.storecast.audience.AudienceTesting.Customer;
import io.storecast.identity.CustomerId;
import io.storecast.support.Api;
import io.storecast.support.DemoFixture;
import io.storecast.support.StorecastIntegrationTest;
import tools.jackson.databind.JsonNode;

/**
 * Consent: unsubscribing by a chat reply (simplified and traditional Chinese, TD, T, unsubscribe)
 * withdraws in-app marketing at once and is confirmed once; SMS replies through the public API; the
 * signed one-click link (GET changes nothing, POST withdraws); resubscribing is explicit; and the
 * history is append-only.
 */
@StorecastIntegrationTest
class ConsentIntegrationTest {

	static final Instant IN_WINDOW = Instant.parse("2031-06-03T03:00:00Z");

	@LocalServerPort
	int port;

	@Autowired
	Consents consents;

	@Autowired
	ContactPolicy policy;

	@Autowired
	JdbcClient jdbc;

	DemoFixture demo;

	@BeforeEach
	void setUp() {
		demo = new DemoFixture(port);
	}

	@Test
	void a_chat_reply_of_an_unsubscribe_word_withdraws_in_app_marketing_at_once_and_is_confirmed_once() {
		Customer customer = customer("SH-NJR");
		CustomerId id = CustomerId.valueOf(customer.id());
		String conversation = conversation(customer, "SH-NJR");
		assertThat(policy.decide(id, Channel.IN_APP, Purpose.MARKETING, IN_WINDOW, "before").outcome())
			.isEqualTo(Decision.Outcome.SEND_NOW);

		say(customer.api(), conversation, "退订");
		await().atMost(Duration.ofSeconds(10))
			.until(() -> !consents.consentOf(id, Channel.IN_APP, Purpose.MARKETING).granted());
		assertThat(policy.decide(id, Channel.IN_APP, Purpose.MARKETING, IN_WINDOW, "after").reason())
			.isEqualTo("consent-withdrawn");
		assertThat(policy.decide(id, Channel.IN_APP, Purpose.TRANSACTIONAL, IN_WINDOW, "order").outcome())
			.isEqualTo(Decision.Outcome.SEND_NOW);
		await().atMost(Duration.ofSeconds(10)).until(() -> confirmations(customer, conversation) == 1);

		// saying it again changes nothing and is not confirmed again
		say(customer.api(), conversation, "退订");
		say(customer.api(), conversation, "TD");
		await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(6)).until(() -> confirmations(customer, conversation) == 1);
		List<Consents.ConsentRecord> history = consents.history(id);
		assertThat(history).hasSize(1);
		assertThat(history.getFirst().source()).isEqualTo("CHAT_REPLY");
		assertThat(history.getFirst().evidence()).isEqualTo("reply: 退订");
		assertThat(history.getFirst().actor()).isEqualTo("customer:" + id);
		assertThat(history.getFirst().granted()).isFalse();

		// resubscribing is explicit, and recorded too
		JsonNode back = customer.api().post("/api/v1/audience/me/consents",
				Map.of("channel", "IN_APP", "purpose", "MARKETING", "granted", true)).expect(201).json();
		assertThat(back.path("history").size()).isEqualTo(2);
		assertThat(back.path("history").get(1).path("source").asString()).isEqualTo("WIDGET");
		assertThat(policy.decide(id, Channel.IN_APP, Purpose.MARKETING, IN_WINDOW, "resubscribed").outcome())
			.isEqualTo(Decision.Outcome.SEND_NOW);
	}

	@Test
	void every_unsubscribe_word_counts_in_either_script_and_case_and_a_question_does_not() {
		for (String word : List.of("退訂", "TD", "t", "Unsubscribe", "ＴＤ", " 退订! ")) {
			Customer customer = customer("HZ-XH");
			say(customer.api(), conversation(customer, "HZ-XH"), word);
			CustomerId id = CustomerId.valueOf(customer.id());
			await(word).atMost(Duration.ofSeconds(10))
				.until(() -> !consents.consentOf(id, Channel.IN_APP, Purpose.MARKETING).granted());
		}
		Customer asking = customer("HZ-XH");
		String conversation = conversation(asking, "HZ-XH");
		say(asking.api(), conversation, "怎么退订?");
		say(asking.api(), conversation, "TD是什么意思");
		// a clerk writing the word is not the customer unsubscribing
		say(demo.staff("hz-xh.clerk1"), conversation, "退订");
		CustomerId id = CustomerId.valueOf(asking.id());
		await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(6))
			.until(() -> consents.consentOf(id, Channel.IN_APP, Purpose.MARKETING).granted());
		assertThat(consents.history(id)).isEmpty();
		assertThat(consents.isUnsubscribeWord("退订")).isTrue();
		assertThat(consents.isUnsubscribeWord("退订吧我想想")).isFalse();
	}

	@Test
	void an_sms_reply_withdraws_sms_marketing_for_that_number_once() {
		Customer customer = customer("SZ-GQJ");
		CustomerId id = CustomerId.valueOf(customer.id());
		String phone = "1391" + String.format("%07d", Math.abs(UUID.randomUUID().getMostSignificantBits()) % 10_000_000L);
		demo.owner.patch("/api/v1/customers/" + customer.id(), Map.of("phone", phone)).expect(200);
		demo.owner.post("/api/v1/audience/customers/" + customer.id() + "/consents",
				Map.of("channel", "SMS", "purpose", "MARKETING", "granted", true, "source", "POS")).expect(201);
		await().atMost(Duration.ofSeconds(10)).until(
				() -> policy.decide(id, Channel.SMS, Purpose.MARKETING, IN_WINDOW, "probe-" + UUID.randomUUID()).outcome()
						== Decision.Outcome.SEND_NOW);

		ReplyOutcome noise = consents.unsubscribeByReply(Channel.SMS, phone, "好的谢谢", Instant.now());
		assertThat(noise.unsubscribeWord()).isFalse();
		ReplyOutcome first = consents.unsubscribeByReply(Channel.SMS, "+86" + phone, "TD", Instant.now());
		assertThat(first.unsubscribeWord()).isTrue();
		assertThat(first.withdrawn()).containsExactly(id);
		assertThat(first.confirmation()).contains("您已退订");
		ReplyOutcome second = consents.unsubscribeByReply(Channel.SMS, phone, "退订", Instant.now());
		assertThat(second.withdrawn()).isEmpty();
		assertThat(second.confirmation()).isNull();
		assertThat(policy.decide(id, Channel.SMS, Purpose.MARKETING, IN_WINDOW, "after-td").reason())
			.isEqualTo("consent-withdrawn");
		// in-app is another channel: untouched
		assertThat(consents.consentOf(id, Channel.IN_APP, Purpose.MARKETING).granted()).isTrue();
		assertThat(consents.history(id).getLast().source()).isEqualTo("SMS_REPLY");
	}

	@Test
	void the_signed_link_shows_a_page_on_get_and_withdraws_only_on_post() {
		Customer customer = customer("GZ-TH");
		CustomerId id = CustomerId.valueOf(customer.id());
		demo.owner.post("/api/v1/audience/customers/" + customer.id() + "/consents",
				Map.of("channel", "SMS", "purpose", "MARKETING", "granted", true, "source", "STAFF")).expect(201);
		String link = consents.unsubscribeLink(id, Channel.SMS);
		assertThat(link).startsWith("/api/v1/unsubscribe/").hasSizeLessThan(70);

		Api.Response page = demo.anonymous.get(link).expect(200);
		assertThat(page.header("Content-Type")).startsWith("text/html");
		assertThat(page.raw().body()).contains("确认退订短信营销消息").contains("<form method=\"post\">");
		demo.anonymous.get(link).expect(200);
		assertThat(consents.consentOf(id, Channel.SMS, Purpose.MARKETING).granted()).as("GET must not unsubscribe").isTrue();

		// RFC 8058 one-click, no credentials
		Api.Response done = demo.anonymous.raw("POST", link, "application/x-www-form-urlencoded",
				"List-Unsubscribe=One-Click".getBytes()).expect(200);
		assertThat(done.raw().body()).contains("您已退订短信营销消息");
		assertThat(consents.consentOf(id, Channel.SMS, Purpose.MARKETING).granted()).isFalse();
		demo.anonymous.raw("POST", link, "application/x-www-form-urlencoded", new byte[0]).expect(200);
		List<Consents.ConsentRecord> history = consents.history(id);
		assertThat(history).hasSize(2);
		assertThat(history.getLast().source()).isEqualTo("LINK");
		assertThat(history.getLast().evidence()).startsWith("link from ");

		// a link altered by one character, or for another channel, is refused
		String token = link.substring(link.lastIndexOf('/') + 1);
		String forged = link.substring(0, link.length() - 1) + (link.endsWith("A") ? "B" : "A");
		demo.anonymous.get(forged).expect(404);
		demo.anonymous.raw("POST", forged, "application/x-www-form-urlencoded", new byte[0]).expect(404);
		String inApp = consents.unsubscribeLink(id, Channel.IN_APP);
		String swapped = inApp.substring(0, inApp.indexOf('.')) + token.substring(token.indexOf('.'));
		demo.anonymous.raw("POST", swapped, "application/x-www-form-urlencoded", new byte[0]).expect(404);
		assertThat(consents.consentOf(id, Channel.IN_APP, Purpose.MARKETING).granted()).isTrue();
	}

	@Test
	void the_consent_history_is_append_only_and_consent_writes_are_checked() {
		Customer customer = customer("SZ-WXC");
		demo.owner.post("/api/v1/audience/customers/" + customer.id() + "/consents",
				Map.of("channel", "WEBHOOK", "purpose", "MARKETING", "granted", true, "source", "API", "evidence", "小程序授权"))
			.expect(201);
		demo.owner.post("/api/v1/audience/customers/" + customer.id() + "/consents",
				Map.of("channel", "WEBHOOK", "purpose", "MARKETING", "granted", true, "source", "API")).expect(200);
		UUID customerId = UUID.fromString(customer.id());
		assertThatThrownBy(() -> jdbc.sql("UPDATE audience_consent_history SET granted = FALSE WHERE customer_id = ?")
			.param(customerId)
			.update()).isInstanceOf(DataAccessException.class).hasMessageContaining("append-only");
		assertThatThrownBy(() -> jdbc.sql("DELETE FROM audience_consent_history WHERE customer_id = ?")
			.param(customerId)
			.update()).isInstanceOf(DataAccessException.class).hasMessageContaining("append-only");
		assertThat(consents.history(CustomerId.valueOf(customer.id()))).hasSize(1);

		// who may write: consent:write, staff of the customer's store (clerks too), the customer for themselves
		demo.staff("sz-wxc.clerk1").post("/api/v1/audience/customers/" + customer.id() + "/consents",
				Map.of("channel", "SMS", "purpose", "MARKETING", "granted", true, "source", "PAPER_FORM")).expect(201);
		demo.staff("sh-njr.clerk1").post("/api/v1/audience/customers/" + customer.id() + "/consents",
				Map.of("channel", "SMS", "purpose", "MARKETING", "granted", false, "source", "STAFF"))
			.expectProblem(403, "forbidden");
		demo.owner.post("/api/v1/audience/customers/" + customer.id() + "/consents",
				Map.of("channel", "SMS", "purpose", "MARKETING", "granted", false, "source", "RUMOUR"))
			.expectProblem(400, "invalid-value");
		demo.owner.post("/api/v1/audience/customers/" + customer.id() + "/consents",
				Map.of("channel", "PIGEON", "purpose", "MARKETING", "granted", false, "source", "STAFF"))
			.expectProblem(400, "invalid-value");
		String readOnly = demo.apiKey("reader", "audience:read");
		demo.anonymous.as(readOnly).post("/api/v1/audience/customers/" + customer.id() + "/consents",
				Map.of("channel", "SMS", "purpose", "MARKETING", "granted", false, "source", "API"))
			.expectProblem(403, "forbidden");
		JsonNode view = demo.anonymous.as(readOnly).get("/api/v1/audience/customers/" + customer.id() + "/consents").expect(200).json();
		assertThat(view.path("consents").size()).isEqualTo(6);
		assertThat(view.path("history").size()).isEqualTo(2);
		customer.api().get("/api/v1/audience/customers/" + customer.id() + "/consents").expectProblem(403, "forbidden");
	}

	// --- helpers ----------------------------------------------------------------------------------

	private Customer customer(String store) {
		Customer customer = Customer.of(demo, store);
		await().atMost(Duration.ofSeconds(20))
			.until(() -> demo.owner.get("/api/v1/audience/customers/" + customer.id()).status() == 200);
		return customer;
	}

	private String conversation(Customer customer, String store) {
		return customer.api().post("/api/v1/conversations/direct", Map.of("storeId", demo.node(store))).expect(200).string("id");
	}

	private static void say(Api who, String conversation, String text) {
		who.header("Idempotency-Key", "t-" + UUID.randomUUID())
			.post("/api/v1/conversations/" + conversation + "/messages", Map.of("kind", "TEXT", "body", Map.of("text", text)))
			.expect(201);
	}

	private static long confirmations(Customer customer, String conversation) {
		JsonNode history = customer.api().get("/api/v1/conversations/" + conversation + "/messages?limit=200").expect(200).json();
		return history.valueStream()
			.filter(m -> m.path("sender").isNull() || m.path("sender").isMissingNode())
			.filter(m -> m.path("body").path("text").asString("").startsWith("您已退订"))
			.count();
	}
}
