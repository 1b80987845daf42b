package io.storecast.campaigns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import io.storecast.gateway.Gateway;
import io.storecast.sdk.StorecastClient;
import io.storecast.support.Api;
import io.storecast.support.Recorder;
import io.storecast.support.StorecastIntegrationTest;
import tools.jackson.databind.JsonNode;

/**
 * S2 — new earrings for the earring lovers (seed 001), end to end over REST and WebSocket: a
 * NEW_ARRIVAL trigger for 耳饰; a customer who bought earrings twice (rule tag 耳钉爱好者) and one who
 * followed "new earrings" from a QR code get the product card live within seconds, a customer with
 * neither gets nothing; the unread card falls back after its 30 minutes (100 ms a minute here) —
 * to the merchant's webhook in this shared test context (the SMS step's UCS-2 and 【签名】 are proven
 * by SmsDeliveryIntegrationTest on the same route); a customer for whom it is 22:xx is deferred to
 * 09:00 next morning in her zone, and one with 3 marketing messages this month is skipped for the
 * cap, each with its decision recorded; the launch heard again reaches nobody twice.
 */
@StorecastIntegrationTest
class NewEarringsScenarioTest extends TriggerTestSupport {

	@Autowired
	Gateway gateway;

	StorecastClient connect(TriggerTesting.Customer who, Recorder recorder) {
		return StorecastClient.builder(URI.create("ws://127.0.0.1:" + gateway.port() + gateway.path()), who.api()::token)
			.listener(recorder)
			.connect();
	}

	static List<JsonNode> cards(Recorder heard, String productExternalId) {
		return heard.messages.stream()
			.filter(m -> m.path("kind").asString().equals("CARD") && m.path("body").path("card").asString().equals("product")
					&& m.path("body").path("payload").path("productId").asString().equals(productExternalId))
			.toList();
	}

	@Test
	void the_earring_lovers_hear_of_new_earrings_first_within_the_contact_policy() throws Exception {
		TriggerTesting.Store store = TriggerTesting.Store.create(demo, "S2");
		TriggerTesting.Customer lover = TriggerTesting.Customer.of(demo, backend, store, "小美");
		TriggerTesting.Customer follower = TriggerTesting.Customer.of(demo, backend, store, "小雅");
		TriggerTesting.Customer other = TriggerTesting.Customer.of(demo, backend, store, "小强");
		TriggerTesting.Customer nightOwl = TriggerTesting.Customer.of(demo, backend, store, "夜猫子");
		TriggerTesting.Customer busy = TriggerTesting.Customer.of(demo, backend, store, "小忙");

		// she bought earrings twice: the rule gives her 耳钉爱好者
		paidEarrings(lover, store, Instant.now().minus(Duration.ofHours(2)).truncatedTo(ChronoUnit.SECONDS));
		paidEarrings(lover, store, Instant.now().minus(Duration.ofHours(1)).truncatedTo(ChronoUnit.SECONDS));
		await().atMost(Duration.ofSeconds(20)).until(() -> demo.owner.get("/api/v1/audience/customers/" + lover.id())
			.expect(200).json().path("profile").path("tags").valueStream().anyMatch(t -> t.asString().equals("耳钉爱好者")));
		// the others follow "new earrings" from the store's QR code (the night owl and the busy one too)
		for (TriggerTesting.Customer c : List.of(follower, nightOwl, busy)) {
			c.api().post("/api/v1/audience/me/subscriptions", Map.of("topic", "tag:新款耳钉", "source", "QR")).expect(201);
		}
		// where they are it is midday, except for the night owl (22:xx)
		for (TriggerTesting.Customer c : List.of(lover, follower, other, busy)) {
			c.localHour(demo, 12);
		}
		ZoneOffset nightZone = nightOwl.localHour(demo, 22);
		// the busy one already had 3 marketing messages this month
		for (int i = 1; i <= 3; i++) {
			JsonNode decided = demo.owner.post("/api/v1/audience/policy/decisions", Map.of("customerIds", List.of(busy.id()),
					"channel", "IN_APP", "purpose", "MARKETING", "at", Instant.now().toString(), "campaignKey", "s2-earlier-" + i))
				.expect(200).json();
			assertThat(decided.toString()).contains("within-policy");
		}
		// the lover consented to more than the app: the fallback channel
		demo.owner.post("/api/v1/audience/customers/" + lover.id() + "/consents", Map.of("channel", "WEBHOOK", "purpose",
				"MARKETING", "granted", true, "source", "POS")).expect(201);

		Api marketer = demo.staff("hq.marketer");
		String trigger = marketer.post("/api/v1/campaign-triggers", Map.of("name", "新款耳钉上新", "kind", "NEW_ARRIVAL",
				"params", Map.of("categories", List.of("耳饰"), "topics", List.of("tag:新款耳钉"), "customerTags", List.of("耳钉爱好者")),
				"stores", List.of(store.id()),
				"route", List.of(Map.of("channel", "IN_APP", "fallbackAfterMinutes", 30), Map.of("channel", "WEBHOOK")),
				"templates", Map.of("IN_APP", Map.of("zh-CN", "{nickname}您好!{store}上新:{product},耳钉爱好者先睹为快"))))
			.expect(201).string("id");

		try (TriggerTesting.Hook hook = new TriggerTesting.Hook(demo)) {
			Recorder loverHears = new Recorder();
			Recorder followerHears = new Recorder();
			Recorder otherHears = new Recorder();
			try (StorecastClient l = connect(lover, loverHears); StorecastClient f = connect(follower, followerHears);
					StorecastClient o = connect(other, otherHears)) {
				// a new earring is launched
				String product = "S2-EARRING-" + UUID.randomUUID().toString().substring(0, 8);
				Instant launched = Instant.now();
				demo.owner.put("/api/v1/catalog/products/" + product, Map.of("name", "珍珠耳钉 2027 新款", "category", "耳饰",
						"images", List.of("https://shop.example/earring.jpg"),
						"skus", List.of(Map.of("externalId", product + "-S", "priceFen", 39_900)))).expect(201);

				// both get the product card live within seconds
				await().atMost(Duration.ofSeconds(30)).until(() -> cards(loverHears, product).size() == 1
						&& cards(followerHears, product).size() == 1);
				assertThat(Duration.between(launched, Instant.now())).isLessThan(Duration.ofSeconds(10));
				JsonNode card = cards(loverHears, product).getFirst().path("body").path("payload");
				assertThat(card.path("name").asString()).isEqualTo("珍珠耳钉 2027 新款");
				assertThat(card.path("priceFen").asLong()).isEqualTo(39_900);
				assertThat(card.path("imageUrl").asString()).isEqualTo("https://shop.example/earring.jpg");
				assertThat(card.path("storeId").asString()).isEqualTo(store.id());
				assertThat(card.path("text").asString()).startsWith("小美您好!耳饰体验店").contains("珍珠耳钉 2027 新款");

				// the follower reads hers; the lover does not: after 30 "minutes" hers goes on to the webhook
				JsonNode followerCard = cards(followerHears, product).getFirst();
				follower.api().post("/api/v1/conversations/" + followerCard.path("conversationId").asString() + "/read",
						Map.of("seq", followerCard.path("seq").asLong())).expect(204);
				await().atMost(Duration.ofSeconds(20)).until(() -> hook.to(lover.id()).size() == 1);
				assertThat(hook.to(lover.id()).getFirst().path("text").asString()).contains("珍珠耳钉 2027 新款");
				assertThat(hook.to(lover.id()).getFirst().path("data").path("productExternalId").asString()).isEqualTo(product);
				JsonNode loverRecipient = TriggerTesting.recipient(marketer, trigger, lover.id());
				assertThat(loverRecipient.path("status").asString()).isEqualTo("HANDED_OFF");
				JsonNode delivery = demo.owner.get("/api/v1/deliveries/" + loverRecipient.path("deliveryId").asString())
					.expect(200).json();
				assertThat(delivery.path("source").asString()).isEqualTo("trigger:" + trigger);
				assertThat(delivery.path("attempts").valueStream().map(a -> a.path("channel").asString()))
					.containsExactly("IN_APP", "WEBHOOK");

				// the night owl waits for 09:00 in her zone; the busy one is skipped for the cap; the other never was a recipient
				JsonNode deferred = TriggerTesting.recipient(marketer, trigger, nightOwl.id());
				assertThat(deferred.path("status").asString()).isEqualTo("DEFERRED");
				assertThat(deferred.path("reason").asString()).isEqualTo("quiet-hours");
				assertThat(Instant.parse(deferred.path("deferUntil").asString())).isEqualTo(TriggerTesting.nextMorning(launched, nightZone));
				JsonNode capped = TriggerTesting.recipient(marketer, trigger, busy.id());
				assertThat(capped.path("status").asString()).isEqualTo("SKIPPED");
				assertThat(capped.path("reason").asString()).isEqualTo("frequency-cap");
				String key = "trigger:" + trigger + ":product:" + deferred.path("eventKey").asString().substring("product:".length());
				JsonNode decisions = demo.owner.get("/api/v1/audience/policy/decisions?campaignKey=" + key + "&customerId="
						+ nightOwl.id()).expect(200).json();
				assertThat(decisions.toString()).contains("DEFER").contains("quiet-hours");
				assertThat(TriggerTesting.recipients(marketer, trigger)).extracting(r -> r.path("customerId").asString())
					.containsExactlyInAnyOrder(lover.id(), follower.id(), nightOwl.id(), busy.id());
				assertThat(hook.to(follower.id())).isEmpty();
				assertThat(cards(otherHears, product)).isEmpty();
				assertThat(other.messages(store)).isEmpty();

				JsonNode stats = marketer.get("/api/v1/campaign-triggers/" + trigger).expect(200).json().path("stats");
				assertThat(stats.path("firings").asLong()).isEqualTo(1);
				assertThat(stats.path("handedOff").asLong()).isEqualTo(2);
				assertThat(stats.path("deferred").asLong()).isEqualTo(1);
				assertThat(stats.path("skippedByReason").path("frequency-cap").asLong()).isEqualTo(1);

				// the launch heard again (taken off sale and back) reaches nobody twice
				demo.owner.put("/api/v1/catalog/products/" + product, Map.of("name", "珍珠耳钉 2027 新款", "category", "耳饰",
						"active", false, "skus", List.of(Map.of("externalId", product + "-S", "priceFen", 39_900)))).expect(200);
				demo.owner.put("/api/v1/catalog/products/" + product, Map.of("name", "珍珠耳钉 2027 新款", "category", "耳饰",
						"skus", List.of(Map.of("externalId", product + "-S", "priceFen", 39_900)))).expect(200);
				await().atMost(Duration.ofSeconds(30)).until(() -> handled("ProductLaunched"));
				assertThat(marketer.get("/api/v1/campaign-triggers/" + trigger).expect(200).json().path("stats").path("recipients")
					.asLong()).isEqualTo(4);
				assertThat(cards(loverHears, product)).hasSize(1);
				assertThat(cards(followerHears, product)).hasSize(1);

				// 09:00 comes for the night owl (her time moved on; here: her zone is now at midday and her
				// deferral is due): the periodic run decides again and she gets the card too, once
				nightOwl.localHour(demo, 12);
				jdbc.sql("UPDATE campaigns_trigger_recipients SET due_at = now() WHERE customer_id = ? AND status = 'DEFERRED'")
					.param(UUID.fromString(nightOwl.id())).update();
				await().atMost(Duration.ofSeconds(30)).until(() -> nightOwl.messages(store).stream()
					.anyMatch(m -> m.path("body").path("payload").path("productId").asString().equals(product)));
				assertThat(TriggerTesting.recipient(marketer, trigger, nightOwl.id()).path("status").asString()).isEqualTo("HANDED_OFF");
			}
		}
		finally {
			marketer.post("/api/v1/campaign-triggers/" + trigger + "/disable", Map.of()).expect(200);
		}
	}
}
