package io.storecast.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.context.event.EventListener;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.TestPropertySource;

import io.storecast.support.Api;
import io.storecast.support.DemoFixture;
import io.storecast.support.StorecastIntegrationTest;

/** Action-card buttons come back as events, once per member; a recall after its window is refused. */
@StorecastIntegrationTest
@TestPropertySource(properties = "storecast.messaging.recall-window=1s")
@Import(CardActionsAndRecallWindowIntegrationTest.Clicks.class)
// a context of its own that no other class shares: closed after the class rather than left running
// (its pollers, gateway and embedded PostgreSQL) beside the shared one until the JVM exits
@DirtiesContext
class CardActionsAndRecallWindowIntegrationTest {

	@LocalServerPort
	int port;

	@org.springframework.beans.factory.annotation.Autowired
	Clicks clicks;

	DemoFixture demo;

	@BeforeEach
	void setUp() {
		demo = new DemoFixture(port);
	}

	@Test
	void a_button_press_is_published_once_per_member() {
		Api manager = demo.staff("sh-njr.manager");
		Api other = demo.staff("hz-xh.manager");
		String otherId = "staff:" + other.get("/api/v1/me").json().path("staff").path("id").asString();
		String direct = manager.post("/api/v1/conversations/direct", Map.of("staff", otherId)).expect(200).string("id");
		long seq = manager.header("Idempotency-Key", "transfer-1").post("/api/v1/conversations/" + direct + "/messages",
				Map.of("kind", "CARD", "body", Map.of("card", "action", "payload", Map.of("title", "调货申请", "text",
						"南京路店申请从西湖店调拨10件", "buttons", List.of(Map.of("id", "approve", "label", "同意"),
								Map.of("id", "reject", "label", "拒绝"))))))
			.expect(201).json().path("message").path("seq").asLong();

		other.post("/api/v1/conversations/" + direct + "/messages/" + seq + "/actions/teleport", Map.of())
			.expectProblem(400, "unknown-action");
		other.post("/api/v1/conversations/" + direct + "/messages/" + seq + "/actions/approve", Map.of()).expect(204);
		other.post("/api/v1/conversations/" + direct + "/messages/" + seq + "/actions/reject", Map.of())
			.expectProblem(409, "already-answered");
		demo.staff("gz-th.clerk1").post("/api/v1/conversations/" + direct + "/messages/" + seq + "/actions/approve", Map.of())
			.expectProblem(403, "not-a-member");
		long text = manager.header("Idempotency-Key", "plain").post("/api/v1/conversations/" + direct + "/messages",
				Map.of("kind", "TEXT", "body", Map.of("text", "hi"))).expect(201).json().path("message").path("seq").asLong();
		other.post("/api/v1/conversations/" + direct + "/messages/" + text + "/actions/approve", Map.of())
			.expectProblem(400, "not-an-action-card");

		await().atMost(Duration.ofSeconds(5)).until(() -> clicks.seen.size() == 1);
		CardActionClicked click = clicks.seen.getFirst();
		assertThat(click.actionId()).isEqualTo("approve");
		assertThat(click.by().toString()).isEqualTo(otherId);
		assertThat(click.seq()).isEqualTo(seq);
		assertThat(click.payload().path("title").asString()).isEqualTo("调货申请");
	}

	@Test
	void a_sender_cannot_recall_after_the_window() {
		Api customer = demo.customer("SH-NJR");
		String id = customer.post("/api/v1/conversations/direct", Map.of("storeId", demo.node("SH-NJR"))).expect(200).string("id");
		long seq = customer.header("Idempotency-Key", "late-1").post("/api/v1/conversations/" + id + "/messages",
				Map.of("kind", "TEXT", "body", Map.of("text", "说错了"))).expect(201).json().path("message").path("seq").asLong();
		await().pollDelay(Duration.ofMillis(1200)).atMost(Duration.ofSeconds(3)).until(() -> true);
		customer.header("Idempotency-Key", "late-2").post("/api/v1/conversations/" + id + "/messages/" + seq + "/recall", Map.of())
			.expectProblem(403, "recall-window-passed");
		assertThat(customer.get("/api/v1/conversations/" + id + "/messages?limit=1").json().get(0).path("recalled").asBoolean())
			.isFalse();
	}

	/** Collects the button presses, as a module that sent the card would receive them. */
	@TestConfiguration
	static class Clicks {

		final List<CardActionClicked> seen = new CopyOnWriteArrayList<>();

		@EventListener
		void on(CardActionClicked click) {
			seen.add(click);
		}
	}
}
