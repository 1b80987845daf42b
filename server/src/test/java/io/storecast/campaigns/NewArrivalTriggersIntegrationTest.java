package io.storecast.campaigns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.SchedulerClient;
import com.github.kagkarlsson.scheduler.task.TaskInstance;

import io.storecast.support.Api;
import io.storecast.support.StorecastIntegrationTest;
import tools.jackson.databind.JsonNode;

/**
 * NEW_ARRIVAL beyond the upsert that puts a product on sale: a product whose launch time lies ahead is
 * announced when that time comes (not before, once, at the moved time when it moves), a CSV import
 * announces nothing; a trigger with {@code restocks} announces a product back in stock at a store to
 * that store's followers, once a day, and a trigger without it ignores restocks.
 */
@StorecastIntegrationTest
class NewArrivalTriggersIntegrationTest extends TriggerTestSupport {

	@Autowired
	SchedulerClient scheduler;

	String category = "新品" + UUID.randomUUID().toString().substring(0, 6);

	/** A NEW_ARRIVAL trigger for the test's category at the stores, in-app; extra params (e.g. restocks). */
	String arrivalTrigger(Api marketer, List<String> stores, Map<String, Object> extra) {
		Map<String, Object> params = new java.util.HashMap<>(Map.of("categories", List.of(category)));
		params.putAll(extra);
		return marketer.post("/api/v1/campaign-triggers", TriggersIntegrationTest.trigger("NEW_ARRIVAL", stores,
				"{nickname}您好!{store}上新:{product}", "params", params)).expect(201).string("id");
	}

	/** A customer of the store who follows the test's category, at midday where she is. */
	TriggerTesting.Customer follower(TriggerTesting.Store store, String nickname) {
		TriggerTesting.Customer c = TriggerTesting.Customer.of(demo, backend, store, nickname);
		c.api().post("/api/v1/audience/me/subscriptions", Map.of("topic", "category:" + category, "source", "QR")).expect(201);
		c.localHour(demo, 12);
		return c;
	}

	static Map<String, Object> product(String externalId, String name, String category, Object... more) {
		Map<String, Object> p = new java.util.HashMap<>(Map.of("name", name, "category", category, "skus",
				List.of(Map.of("externalId", externalId + "-S", "priceFen", 25_900))));
		for (int i = 0; i < more.length; i += 2) {
			p.put((String) more[i], more[i + 1]);
		}
		return p;
	}

	/** The product cards of the product in the customer's conversation with the store. */
	static List<JsonNode> cards(TriggerTesting.Customer who, TriggerTesting.Store store, String productExternalId) {
		return who.messages(store).stream()
			.filter(m -> m.path("body").path("payload").path("productId").asString().equals(productExternalId))
			.toList();
	}

	long launchesPublished(String productId) {
		return jdbc.sql("SELECT count(*) FROM event_publication WHERE event_type LIKE '%.ProductLaunched' AND serialized_event LIKE ?")
			.param("%" + productId + "%")
			.query(Long.class)
			.single();
	}

	List<Instant> launchTasks(String productId) {
		return jdbc.sql("SELECT execution_time FROM scheduled_tasks WHERE task_name = 'catalog-launch' AND task_instance = ?")
			.param(productId)
			.query((rs, n) -> rs.getTimestamp(1).toInstant())
			.list();
	}

	@Test
	void a_product_launched_later_is_announced_when_its_time_comes_once_and_a_csv_import_announces_nothing() {
		TriggerTesting.Store store = TriggerTesting.Store.create(demo, "LATER");
		TriggerTesting.Customer fan = follower(store, "小期");
		Api marketer = demo.staff("hq.marketer");
		String trigger = arrivalTrigger(marketer, List.of(store.id()), Map.of());
		try {
			String external = "LATER-" + UUID.randomUUID().toString().substring(0, 8);
			Instant first = Instant.now().plusSeconds(3).truncatedTo(ChronoUnit.SECONDS);
			String productId = demo.owner.put("/api/v1/catalog/products/" + external,
					product(external, "限定耳钉", category, "launchAt", first.toString())).expect(201).string("id");
			assertThat(launchTasks(productId)).containsExactly(first);

			// the launch moves later: the task moves with it, and the first time passes without a word
			Instant launch = Instant.now().plusSeconds(8).truncatedTo(ChronoUnit.SECONDS);
			demo.owner.put("/api/v1/catalog/products/" + external,
					product(external, "限定耳钉", category, "launchAt", launch.toString())).expect(200);
			assertThat(launchTasks(productId)).containsExactly(launch);
			await().during(Duration.between(Instant.now(), launch.minusMillis(500))).atMost(Duration.ofSeconds(15))
				.until(() -> TriggerTesting.recipients(marketer, trigger).isEmpty() && launchesPublished(productId) == 0);

			// its time comes (the scheduler looks every 10 s): the follower hears of it from her store
			await().atMost(Duration.ofSeconds(30)).until(() -> cards(fan, store, external).size() == 1);
			JsonNode card = cards(fan, store, external).getFirst().path("body").path("payload");
			assertThat(card.path("name").asString()).isEqualTo("限定耳钉");
			assertThat(card.path("storeId").asString()).isEqualTo(store.id());
			assertThat(card.path("text").asString()).startsWith("小期您好!").endsWith("上新:限定耳钉");
			assertThat(TriggerTesting.recipient(marketer, trigger, fan.id()).path("eventKey").asString())
				.isEqualTo("product:" + productId);
			assertThat(launchTasks(productId)).isEmpty();

			// the task run again (a retry, a restart) announces nothing more
			scheduler.schedule(new TaskInstance<Void>("catalog-launch", productId), Instant.now());
			((Scheduler) scheduler).triggerCheckForDueExecutions();
			await().atMost(Duration.ofSeconds(15)).until(() -> launchTasks(productId).isEmpty());
			await().atMost(Duration.ofSeconds(30)).until(() -> handled("ProductLaunched"));
			assertThat(launchesPublished(productId)).isEqualTo(1);
			assertThat(cards(fan, store, external)).hasSize(1);

			// a CSV import is not a launch: a launch time ahead schedules nothing, and its time announces nothing
			String imported = "CSV-LATER-" + UUID.randomUUID().toString().substring(0, 8);
			Instant csvLaunch = Instant.now().plusSeconds(2).truncatedTo(ChronoUnit.SECONDS);
			String csv = "product_id,name,sku_id,price_fen,category,launch_at\n" + imported + ",导入耳钉," + imported + "-S,19900,"
					+ category + "," + csvLaunch + "\n";
			String job = demo.owner.raw("POST", "/api/v1/catalog/imports?type=products", "text/csv",
					csv.getBytes(StandardCharsets.UTF_8)).expect(202).string("id");
			await().atMost(Duration.ofSeconds(30)).until(() -> demo.owner.get("/api/v1/catalog/imports/" + job).expect(200)
				.string("status").equals("DONE"));
			String importedId = demo.owner.get("/api/v1/catalog/products/" + imported).expect(200).string("id");
			assertThat(launchTasks(importedId)).isEmpty();
			await().atMost(Duration.ofSeconds(30)).until(() -> Instant.now().isAfter(csvLaunch.plusSeconds(1)));
			assertThat(launchesPublished(importedId)).isZero();
			assertThat(cards(fan, store, imported)).isEmpty();
		}
		finally {
			marketer.post("/api/v1/campaign-triggers/" + trigger + "/disable", Map.of()).expect(200);
		}
	}

	@Test
	void a_restock_is_announced_to_that_stores_followers_once_a_day_by_triggers_that_ask_for_it() {
		TriggerTesting.Store here = TriggerTesting.Store.create(demo, "RSTK");
		TriggerTesting.Store there = TriggerTesting.Store.create(demo, "RSTK");
		TriggerTesting.Customer local = follower(here, "小近");
		TriggerTesting.Customer away = follower(there, "小远");
		// the product is on sale before any trigger of this test exists (its launch is nobody's news here)
		String external = "RSTK-" + UUID.randomUUID().toString().substring(0, 8);
		String productId = demo.owner.put("/api/v1/catalog/products/" + external,
				product(external, "补货耳钉", category, "images", List.of("https://shop.example/back.jpg"))).expect(201).string("id");
		await().atMost(Duration.ofSeconds(30)).until(() -> handled("ProductLaunched"));

		Api marketer = demo.staff("hq.marketer");
		String restocks = arrivalTrigger(marketer, List.of(here.id(), there.id()), Map.of("restocks", true));
		String launchesOnly = arrivalTrigger(marketer, List.of(here.id(), there.id()), Map.of());
		try {
			assertThat(marketer.get("/api/v1/campaign-triggers/" + restocks).expect(200).json().path("params").path("restocks")
				.asBoolean()).isTrue();
			// out of stock here (0) → 5: the followers of this store hear of it, from this store
			adjust(here, external, "RECEIPT", 5);
			await().atMost(Duration.ofSeconds(30)).until(() -> cards(local, here, external).size() == 1);
			JsonNode card = cards(local, here, external).getFirst().path("body").path("payload");
			assertThat(card.path("storeId").asString()).isEqualTo(here.id());
			assertThat(card.path("imageUrl").asString()).isEqualTo("https://shop.example/back.jpg");
			assertThat(card.path("text").asString()).contains("补货耳钉");
			LocalDate today = LocalDate.ofInstant(Instant.now(), ZoneId.of("Asia/Shanghai"));
			JsonNode r = TriggerTesting.recipient(marketer, restocks, local.id());
			assertThat(r.path("eventKey").asString()).isEqualTo("restock:" + productId + ":" + here.id() + ":" + today);
			assertThat(r.path("status").asString()).isEqualTo("HANDED_OFF");

			// sold out and back the same day: said once; the other store's follower and the trigger without restocks hear nothing
			adjust(here, external, "SALE", -5);
			adjust(here, external, "RECEIPT", 3);
			await().atMost(Duration.ofSeconds(30)).until(() -> handled("ProductRestocked"));
			assertThat(TriggerTesting.recipients(marketer, restocks)).extracting(x -> x.path("customerId").asString())
				.containsExactly(local.id());
			assertThat(cards(local, here, external)).hasSize(1);
			assertThat(TriggerTesting.recipients(marketer, launchesOnly)).isEmpty();
			assertThat(away.messages(there)).isEmpty();
			JsonNode stats = marketer.get("/api/v1/campaign-triggers/" + restocks).expect(200).json().path("stats");
			assertThat(stats.path("firings").asLong()).isEqualTo(1);
			assertThat(stats.path("restocks").asLong()).isEqualTo(1);
			assertThat(stats.path("handedOff").asLong()).isEqualTo(1);

			// a receipt on stock already there is no restock
			adjust(there, external, "RECEIPT", 2);
			adjust(there, external, "RECEIPT", 2);
			await().atMost(Duration.ofSeconds(30)).until(() -> cards(away, there, external).size() == 1);
			await().atMost(Duration.ofSeconds(30)).until(() -> handled("ProductRestocked"));
			assertThat(TriggerTesting.recipients(marketer, restocks)).hasSize(2);
		}
		finally {
			marketer.post("/api/v1/campaign-triggers/" + restocks + "/disable", Map.of()).expect(200);
			marketer.post("/api/v1/campaign-triggers/" + launchesOnly + "/disable", Map.of()).expect(200);
		}
	}

	void adjust(TriggerTesting.Store store, String product, String reason, long delta) {
		demo.owner.header("Idempotency-Key", UUID.randomUUID().toString())
			.post("/api/v1/catalog/stock/adjustments", Map.of("storeId", store.id(), "sku", product + "-S", "reason", reason,
					"delta", delta))
			.expect(201);
	}
}
