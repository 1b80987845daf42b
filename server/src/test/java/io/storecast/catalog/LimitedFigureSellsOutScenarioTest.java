package io.storecast.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;

import io.storecast.support.Api;
import io.storecast.support.DemoFixture;
import io.storecast.support.StorecastIntegrationTest;
import tools.jackson.databind.JsonNode;

/**
 * S4 — a limited figure sells out (seed 002): its stock at one store falls under the threshold, the
 * store manager and the region manager get one alert card, a transfer from a neighbouring store is
 * requested from the card and approved in the chat, and both stores' stock changes at once.
 */
@StorecastIntegrationTest
class LimitedFigureSellsOutScenarioTest extends StockTestSupport {

	/** S4: a limited figure sells out at one store; a transfer is asked from the alert card and approved in the chat. */
	@Test
	void a_transfer_is_requested_from_the_alert_card_and_approved_in_the_chat() {
		String sku = "FIG-LTD-001-A";
		long before = level("SH-NJR", sku);
		adjust(demo.staff("sh-njr.clerk1"), "SH-NJR", sku, "SALE", -(before - 4), "fig-sale").expect(201);
		Api njr = demo.staff("sh-njr.manager");
		Api region = demo.staff("east.manager");
		Api gqj = demo.staff("sz-gqj.manager");
		await().atMost(Duration.ofSeconds(10)).until(() -> alertCards(njr, "SH-NJR", sku).size() == 1);
		JsonNode alert = alertCards(njr, "SH-NJR", sku).getFirst();
		// the richest store of the same region is offered first
		JsonNode offer = alert.path("body").path("payload").path("buttons").get(0);
		assertThat(offer.path("id").asString()).isEqualTo("transfer-" + demo.node("SZ-GQJ"));
		long sourceBefore = level("SZ-GQJ", sku);

		// the region manager asks from the card; a second press by the store manager asks nothing more
		click(region, alert, offer.path("id").asString());
		click(njr, alert, offer.path("id").asString());
		await().atMost(Duration.ofSeconds(10)).until(() -> cards(gqj, "SZ-GQJ", "调货申请", sku).size() == 1);
		JsonNode approval = cards(gqj, "SZ-GQJ", "调货申请", sku).getFirst();
		String transferId = approval.path("body").path("payload").path("buttons").get(0).path("id").asString()
			.substring("approve-".length());
		assertThat(demo.owner.get("/api/v1/catalog/transfers?status=REQUESTED").expect(200).json().path("items").toString())
			.containsOnlyOnce(transferId);

		// the requester cannot approve their own request: refused in the chat, nothing moves
		click(region, approval, "approve-" + transferId);
		await().atMost(Duration.ofSeconds(10))
			.until(() -> texts(gqj, "SZ-GQJ").stream().anyMatch(t -> t.contains("east.manager 无法批准调货")));
		assertThat(demo.owner.get("/api/v1/catalog/transfers/" + transferId).expect(200).string("status")).isEqualTo("REQUESTED");

		// the source store's manager approves: both levels change in one go, both rooms hear of it
		click(gqj, approval, "approve-" + transferId);
		await().atMost(Duration.ofSeconds(10))
			.until(() -> demo.owner.get("/api/v1/catalog/transfers/" + transferId).expect(200).string("status").equals("APPROVED"));
		long moved = demo.owner.get("/api/v1/catalog/transfers/" + transferId).expect(200).json().path("quantity").asLong();
		assertThat(moved).isEqualTo(6); // back to twice the threshold: 2 × 5 - 4
		assertThat(level("SH-NJR", sku)).isEqualTo(4 + moved);
		assertThat(level("SZ-GQJ", sku)).isEqualTo(sourceBefore - moved);
		assertThat(ledgerSum("SH-NJR", sku)).isEqualTo(level("SH-NJR", sku));
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
			assertThat(texts(njr, "SH-NJR")).anyMatch(t -> t.startsWith("调货已批准"));
			assertThat(texts(gqj, "SZ-GQJ")).anyMatch(t -> t.startsWith("调货已批准"));
		});
	}
}
