package io.storecast.campaigns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.transaction.support.TransactionTemplate;

import io.storecast.coupons.CouponExpiringSoon;
import io.storecast.coupons.CouponTemplateId;
import io.storecast.identity.CustomerId;
import io.storecast.orders.OrderTesting;
import io.storecast.support.Api;
import io.storecast.support.StorecastIntegrationTest;
import tools.jackson.databind.JsonNode;

/**
 * Campaign triggers over REST: defined within one's part of the organisation and refused with a
 * clear problem (nothing saved) when anything is wrong; an order shipped in the middle of the night
 * is told at once (transactional); a survey N days after a purchase waits for its day and is not sent
 * for an order cancelled meanwhile; a birthday greeting goes once a year; a coupon reminder goes to
 * its holder; a disabled trigger fires on nothing.
 */
@StorecastIntegrationTest
class TriggersIntegrationTest extends TriggerTestSupport {

	@Autowired
	ApplicationEventPublisher events;

	@Autowired
	TransactionTemplate tx;

	/** A valid trigger body of the kind for the stores, in-app only; overrides replace (null: remove) fields. */
	static Map<String, Object> trigger(String kind, List<String> stores, String template, Object... overrides) {
		Map<String, Object> t = new HashMap<>(Map.of("name", "trigger " + kind, "kind", kind, "stores", stores, "route",
				List.of(Map.of("channel", "IN_APP")), "templates", Map.of("IN_APP", Map.of("zh-CN", template))));
		// pairs of field and value; a null value removes the field
		java.util.stream.IntStream.iterate(0, i -> i < overrides.length, i -> i + 2)
			.forEach(i -> t.compute((String) overrides[i], (k, v) -> overrides[i + 1]));
		return t;
	}

	long triggers() {
		return jdbc.sql("SELECT count(*) FROM campaigns_triggers").query(Long.class).single();
	}

	@Test
	void bad_input_gets_a_clear_problem_and_nothing_is_saved() {
		Api marketer = demo.staff("hq.marketer");
		List<String> east = List.of(demo.node("EAST"));
		long before = triggers();
		String arrival = "{nickname}您好,{store}上新{product}";
		record Case(int status, String code, String field, Map<String, Object> body) {
		}
		List<Case> cases = List.of(
				new Case(400, "validation-failed", "name", trigger("NEW_ARRIVAL", east, arrival, "name", null)),
				new Case(400, "validation-failed", "kind", trigger("NEW_ARRIVAL", east, arrival, "kind", null)),
				new Case(400, "validation-failed", "purpose", trigger("ORDER_SHIPPED", east, "{order}已发货", "purpose", "MARKETING")),
				new Case(400, "validation-failed", "params.daysBefore", trigger("BIRTHDAY", east, "生日快乐", "params", Map.of())),
				new Case(400, "validation-failed", "params.daysBefore",
						trigger("BIRTHDAY", east, "生日快乐", "params", Map.of("daysBefore", 61))),
				new Case(400, "validation-failed", "params.days",
						trigger("DAYS_AFTER_PURCHASE", east, "问卷", "params", Map.of("days", 0))),
				new Case(400, "validation-failed", "params.days",
						trigger("NEW_ARRIVAL", east, arrival, "params", Map.of("days", 3))),
				new Case(400, "validation-failed", "params.restocks",
						trigger("BIRTHDAY", east, "生日快乐", "params", Map.of("daysBefore", 3, "restocks", true))),
				new Case(400, "invalid-topic", "params.topics[1]",
						trigger("NEW_ARRIVAL", east, arrival, "params", Map.of("topics", List.of("tag:新款耳钉", "colour:red")))),
				new Case(400, "unknown-tag", "params.customerTags[0]",
						trigger("NEW_ARRIVAL", east, arrival, "params", Map.of("customerTags", List.of("不存在的标签")))),
				new Case(400, "unknown-template-variable", "templates.IN_APP.zh-CN",
						trigger("NEW_ARRIVAL", east, "订单{order}")),
				new Case(400, "unknown-template-variable", "templates.IN_APP.zh-CN", trigger("BIRTHDAY", east, "{product}",
						"params", Map.of("daysBefore", 3))),
				new Case(400, "template-too-long", "templates.IN_APP.zh-CN", trigger("NEW_ARRIVAL", east, "新".repeat(1001))),
				new Case(400, "missing-template", "templates.SMS.zh-CN", trigger("ORDER_SHIPPED", east, "{order}已发货", "route",
						List.of(Map.of("channel", "IN_APP", "fallbackAfterMinutes", 5), Map.of("channel", "SMS")))),
				new Case(400, "validation-failed", "route[0].fallbackAfterMinutes", trigger("ORDER_SHIPPED", east, "{order}",
						"route", List.of(Map.of("channel", "IN_APP", "fallbackAfterMinutes", 5)))),
				new Case(400, "unknown-store", "stores[0]", trigger("ORDER_SHIPPED", List.of(UUID.randomUUID().toString()),
						"{order}")));
		for (Case c : cases) {
			assertThat(marketer.post("/api/v1/campaign-triggers", c.body()).expectProblem(c.status(), c.code()).errorFields())
				.as("%s", c.body())
				.containsExactly(c.field());
		}
		marketer.post("/api/v1/campaign-triggers", trigger("WHENEVER", east, "x")).expectProblem(400, "invalid-value");
		marketer.post("/api/v1/campaign-triggers", Map.of("name", "x", "colour", "red")).expectProblem(400, "unknown-field");
		// a clerk may not; a store manager may not reach beyond the store
		demo.staff("sh-njr.clerk1").post("/api/v1/campaign-triggers", trigger("ORDER_SHIPPED", List.of(demo.node("SH-NJR")),
				"{order}")).expectProblem(403, "forbidden");
		demo.staff("hz-xh.manager").post("/api/v1/campaign-triggers", trigger("ORDER_SHIPPED", List.of(demo.node("SH-NJR")),
				"{order}")).expectProblem(403, "forbidden");
		assertThat(triggers()).isEqualTo(before);

		// a valid one, then changes refused without changing it
		String id = marketer.post("/api/v1/campaign-triggers", trigger("ORDER_SHIPPED", east, "{order}已由{carrier}发出"))
			.expect(201).string("id");
		marketer.put("/api/v1/campaign-triggers/" + id, trigger("ORDER_DELIVERED", east, "{order}已送达"))
			.expectProblem(400, "validation-failed");
		marketer.put("/api/v1/campaign-triggers/" + id, trigger("ORDER_SHIPPED", east, "{coupon}"))
			.expectProblem(400, "unknown-template-variable");
		JsonNode kept = marketer.get("/api/v1/campaign-triggers/" + id).expect(200).json();
		assertThat(kept.path("templates").path("IN_APP").path("zh-CN").asString()).isEqualTo("{order}已由{carrier}发出");
		assertThat(kept.path("purpose").asString()).isEqualTo("TRANSACTIONAL");
		// who sees it: the head office and the East region, not the South's manager (404), nor changes it
		assertThat(demo.staff("east.manager").get("/api/v1/campaign-triggers/" + id).status()).isEqualTo(200);
		demo.staff("south.manager").get("/api/v1/campaign-triggers/" + id).expectProblem(404, "not-found");
		demo.staff("south.manager").post("/api/v1/campaign-triggers/" + id + "/disable", Map.of()).expectProblem(404, "not-found");
		// a store manager of the region sees nothing above the store
		demo.staff("hz-xh.manager").post("/api/v1/campaign-triggers/" + id + "/disable", Map.of()).expectProblem(404, "not-found");
		assertThat(demo.staff("south.manager").get("/api/v1/campaign-triggers?limit=200").expect(200).json().path("items")
			.valueStream().map(t -> t.path("id").asString())).doesNotContain(id);
		marketer.get("/api/v1/campaign-triggers?after=nonsense").expectProblem(400, "invalid-cursor");
		marketer.get("/api/v1/campaign-triggers/" + UUID.randomUUID()).expectProblem(404, "not-found");
		marketer.post("/api/v1/campaign-triggers/" + id + "/disable", Map.of()).expect(200);
	}

	@Test
	void an_order_shipped_at_night_is_told_at_once_and_a_disabled_trigger_fires_on_nothing() {
		TriggerTesting.Store store = TriggerTesting.Store.create(demo, "SHIP");
		TriggerTesting.Customer customer = TriggerTesting.Customer.of(demo, backend, store, "夜里下单");
		customer.localHour(demo, 3);
		Api marketer = demo.staff("hq.marketer");
		String trigger = marketer.post("/api/v1/campaign-triggers", trigger("ORDER_SHIPPED", List.of(store.id()),
				"{nickname},您的订单{order}已由{carrier}发出,运单号{tracking}")).expect(201).string("id");
		try {
			String number = paidEarrings(customer, store, Instant.now().minusSeconds(3600));
			backend.post("/api/v1/orders/" + number + "/events", OrderTesting.status("SHIPPED", Instant.now().minusSeconds(5),
					"carrier", "顺丰速运", "trackingNumber", "SF1234567890")).expect(201);
			String expected = "夜里下单,您的订单" + number + "已由顺丰速运发出,运单号SF1234567890";
			await().atMost(Duration.ofSeconds(30)).until(() -> customer.messages(store).stream()
				.anyMatch(m -> m.path("body").path("text").asString().equals(expected)));
			JsonNode r = TriggerTesting.recipient(marketer, trigger, customer.id());
			assertThat(r.path("status").asString()).isEqualTo("HANDED_OFF");
			assertThat(r.path("eventKey").asString()).startsWith("order:");
			JsonNode delivery = demo.owner.get("/api/v1/deliveries/" + r.path("deliveryId").asString()).expect(200).json();
			assertThat(delivery.path("purpose").asString()).isEqualTo("TRANSACTIONAL");

			// disabled: the next shipment is told nothing
			marketer.post("/api/v1/campaign-triggers/" + trigger + "/disable", Map.of()).expect(200);
			String second = paidEarrings(customer, store, Instant.now().minusSeconds(3600));
			backend.post("/api/v1/orders/" + second + "/events", OrderTesting.status("SHIPPED", Instant.now().minusSeconds(5),
					"carrier", "顺丰速运", "trackingNumber", "SF0000000002")).expect(201);
			await().atMost(Duration.ofSeconds(30)).until(() -> handled("OrderShipped"));
			assertThat(TriggerTesting.recipients(marketer, trigger)).hasSize(1);
			// enabled again: on again
			assertThat(marketer.post("/api/v1/campaign-triggers/" + trigger + "/enable", Map.of()).expect(200).json()
				.path("enabled").asBoolean()).isTrue();
		}
		finally {
			marketer.post("/api/v1/campaign-triggers/" + trigger + "/disable", Map.of()).expect(200);
		}
	}

	@Test
	void a_survey_waits_for_its_day_and_skips_an_order_cancelled_meanwhile() {
		TriggerTesting.Store store = TriggerTesting.Store.create(demo, "SURV");
		TriggerTesting.Customer kept = TriggerTesting.Customer.of(demo, backend, store, "满意");
		TriggerTesting.Customer cancelled = TriggerTesting.Customer.of(demo, backend, store, "退单");
		kept.localHour(demo, 12);
		cancelled.localHour(demo, 12);
		Api marketer = demo.staff("hq.marketer");
		String trigger = marketer.post("/api/v1/campaign-triggers", trigger("DAYS_AFTER_PURCHASE", List.of(store.id()),
				"{nickname}您好,订单{order}用得如何?请花一分钟填写问卷", "params", Map.of("days", 3))).expect(201).string("id");
		try {
			Instant paid = Instant.now().minus(Duration.ofDays(2)).truncatedTo(ChronoUnit.SECONDS);
			String keptOrder = paidEarrings(kept, store, paid);
			String cancelledOrder = paidEarrings(cancelled, store, paid);
			await().atMost(Duration.ofSeconds(30)).until(() -> TriggerTesting.recipients(marketer, trigger).size() == 2);
			JsonNode planned = TriggerTesting.recipient(marketer, trigger, kept.id());
			assertThat(planned.path("status").asString()).isEqualTo("PLANNED");
			assertThat(Instant.parse(planned.path("dueAt").asString())).isEqualTo(paid.plus(Duration.ofDays(3)));
			backend.post("/api/v1/orders/" + cancelledOrder + "/events", OrderTesting.status("CANCELLED", Instant.now().minusSeconds(5)))
				.expect(201);

			// the third day comes
			jdbc.sql("UPDATE campaigns_trigger_recipients SET due_at = now() WHERE trigger_id = ?")
				.param(UUID.fromString(trigger)).update();
			await().atMost(Duration.ofSeconds(30)).until(() -> TriggerTesting.recipients(marketer, trigger).stream()
				.noneMatch(r -> r.path("status").asString().equals("PLANNED")));
			assertThat(TriggerTesting.recipient(marketer, trigger, kept.id()).path("status").asString()).isEqualTo("HANDED_OFF");
			JsonNode skipped = TriggerTesting.recipient(marketer, trigger, cancelled.id());
			assertThat(skipped.path("status").asString()).isEqualTo("SKIPPED");
			assertThat(skipped.path("reason").asString()).isEqualTo("order-cancelled");
			await().atMost(Duration.ofSeconds(30)).until(() -> kept.messages(store).stream()
				.anyMatch(m -> m.path("body").path("text").asString().equals("满意您好,订单" + keptOrder + "用得如何?请花一分钟填写问卷")));
		}
		finally {
			marketer.post("/api/v1/campaign-triggers/" + trigger + "/disable", Map.of()).expect(200);
		}
	}

	@Test
	void a_birthday_greeting_goes_once_in_the_customers_own_zone_and_a_coupon_reminder_to_its_holder() {
		TriggerTesting.Store store = TriggerTesting.Store.create(demo, "BDAY");
		TriggerTesting.Customer soon = TriggerTesting.Customer.of(demo, backend, store, "寿星");
		TriggerTesting.Customer later = TriggerTesting.Customer.of(demo, backend, store, "还早");
		ZoneOffset zone = soon.localHour(demo, 12);
		later.localHour(demo, 12);
		LocalDate today = LocalDate.ofInstant(Instant.now(), zone);
		demo.owner.patch("/api/v1/customers/" + soon.id(), Map.of("birthday", today.plusDays(3).withYear(1992).toString()))
			.expect(200);
		demo.owner.patch("/api/v1/customers/" + later.id(), Map.of("birthday", today.plusDays(4).withYear(1992).toString()))
			.expect(200);
		Api marketer = demo.staff("hq.marketer");
		String trigger = marketer.post("/api/v1/campaign-triggers", trigger("BIRTHDAY", List.of(store.id()),
				"{nickname},{store}祝您生日快乐!", "params", Map.of("daysBefore", 3))).expect(201).string("id");
		String reminder = marketer.post("/api/v1/campaign-triggers", trigger("COUPON_EXPIRING", List.of(store.id()),
				"{nickname},您的优惠券{coupon}明天到期")).expect(201).string("id");
		try {
			await().atMost(Duration.ofSeconds(15)).until(() -> soon.messages(store).stream()
				.anyMatch(m -> m.path("body").path("text").asString().startsWith("寿星,耳饰体验店")));
			JsonNode r = TriggerTesting.recipient(marketer, trigger, soon.id());
			assertThat(r.path("eventKey").asString()).isEqualTo("birthday:" + today.plusDays(3).getYear());
			// more runs find her again and add nothing; the one whose day is further off is not a recipient
			long runs = jdbc.sql("SELECT count(*) FROM scheduled_tasks WHERE task_name = 'campaigns-triggers'").query(Long.class)
				.single();
			assertThat(runs).isEqualTo(1);
			await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
				.until(() -> TriggerTesting.recipients(marketer, trigger).size() == 1);

			// coupons announce a coupon about to expire: its holder is reminded from her home store
			UUID coupon = UUID.randomUUID();
			tx.executeWithoutResult(s -> events.publishEvent(new CouponExpiringSoon(coupon, "ABCD-EFGH-JKLM-NPQR",
					new CouponTemplateId(UUID.randomUUID()), "满200减30", CustomerId.valueOf(later.id()),
					Instant.now().plus(Duration.ofHours(20)))));
			await().atMost(Duration.ofSeconds(30)).until(() -> later.messages(store).stream()
				.anyMatch(m -> m.path("body").path("text").asString().equals("还早,您的优惠券ABCD-EFGH-JKLM-NPQR明天到期")));
			assertThat(TriggerTesting.recipient(marketer, reminder, later.id()).path("eventKey").asString())
				.isEqualTo("coupon:" + coupon);
		}
		finally {
			marketer.post("/api/v1/campaign-triggers/" + trigger + "/disable", Map.of()).expect(200);
			marketer.post("/api/v1/campaign-triggers/" + reminder + "/disable", Map.of()).expect(200);
		}
	}
}
