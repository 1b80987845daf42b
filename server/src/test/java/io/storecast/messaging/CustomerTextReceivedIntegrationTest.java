package io.storecast.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationListener;
import org.springframework.context.PayloadApplicationEvent;
import org.springframework.context.event.ApplicationEventMulticaster;

import io.storecast.support.Api;
import io.storecast.support.DemoFixture;
import io.storecast.support.StorecastIntegrationTest;

/**
 * {@link CustomerTextReceived}: published once a customer's text in their direct conversation with a
 * store is stored (masked as stored, with its seq and the store), and for nothing else: not for
 * staff, not for a retry, not for cards, not in groups.
 */
@StorecastIntegrationTest
class CustomerTextReceivedIntegrationTest {

	@LocalServerPort
	int port;

	@Autowired
	ApplicationEventMulticaster multicaster;

	DemoFixture demo;
	final List<CustomerTextReceived> heard = new CopyOnWriteArrayList<>();
	final ApplicationListener<PayloadApplicationEvent<CustomerTextReceived>> recorder = e -> heard.add(e.getPayload());

	@BeforeEach
	void listen() {
		demo = new DemoFixture(port);
		multicaster.addApplicationListener(recorder);
	}

	@AfterEach
	void stop() {
		multicaster.removeApplicationListener(recorder);
	}

	@Test
	void a_customers_text_to_a_store_is_published_once_after_it_is_stored() {
		Api customer = demo.customer("SZ-GQJ");
		String conversation = customer.post("/api/v1/conversations/direct", Map.of("storeId", demo.node("SZ-GQJ")))
			.expect(200)
			.string("id");
		long seq = send(customer, conversation, "k-1", Map.of("text", "加我微信号聊"));
		send(customer, conversation, "k-1", Map.of("text", "加我微信号聊"));
		Api clerk = demo.staff("sz-gqj.clerk1");
		send(clerk, conversation, "k-2", Map.of("text", "您好"));
		customer.header("Idempotency-Key", "k-3")
			.post("/api/v1/conversations/" + conversation + "/messages",
					Map.of("kind", "CARD", "body", Map.of("card", "product", "payload", Map.of("productId", "MC-1"))))
			.status();
		await().atMost(Duration.ofSeconds(5)).until(() -> !heard.isEmpty());
		await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(4))
			.until(() -> heard.stream().filter(e -> e.conversationId().toString().equals(conversation)).count() == 1);
		CustomerTextReceived event = heard.stream()
			.filter(e -> e.conversationId().toString().equals(conversation))
			.findFirst()
			.orElseThrow();
		assertThat(event.seq()).isEqualTo(seq);
		assertThat(event.storeId().toString()).isEqualTo(demo.node("SZ-GQJ"));
		assertThat(event.text()).as("as stored, masked").isEqualTo("加我***聊");
		assertThat(event.customerId().toString())
			.isEqualTo(customer.get("/api/v1/me").expect(200).json().path("customer").path("id").asString());
	}

	private static long send(Api who, String conversation, String key, Map<String, Object> body) {
		return who.header("Idempotency-Key", key)
			.post("/api/v1/conversations/" + conversation + "/messages", Map.of("kind", "TEXT", "body", body))
			.json()
			.path("message")
			.path("seq")
			.asLong();
	}
}
