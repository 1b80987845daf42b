package io.storecast.campaigns;

import static io.storecast.campaigns.SurveysIntegrationTest.card;
import static io.storecast.campaigns.SurveysIntegrationTest.labels;
import static io.storecast.campaigns.SurveysIntegrationTest.press;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.storecast.support.Api;
import io.storecast.support.StorecastIntegrationTest;
import tools.jackson.databind.JsonNode;

/**
 * Surveys sent by a campaign ({@code offer.surveyId}): each recipient gets the first question's card
 * in their language where the survey has it, answers in the chat and is rewarded; results by the
 * store that spoke, and as CSV. A closed survey takes no more answers and no campaign or trigger may
 * name it; bad campaigns naming surveys are refused and change nothing.
 */
@StorecastIntegrationTest
class SurveyCampaignsIntegrationTest extends TriggerTestSupport {

	static Map<String, Object> bilingual(String zh, String en, String kind, String... options) {
		List<Map<String, String>> texts = new java.util.ArrayList<>();
		for (int i = 0; i < options.length; i += 2) {
			texts.add(Map.of("zh-CN", options[i], "en", options[i + 1]));
		}
		return Map.of("text", Map.of("zh-CN", zh, "en", en), "kind", kind, "options", texts);
	}

	static final List<Map<String, Object>> TWO = List.of(
			bilingual("耳饰的做工您满意吗?", "Are you happy with the craftsmanship?", "SINGLE", "满意", "Happy", "一般", "So-so",
					"不满意", "Unhappy"),
			bilingual("您还喜欢哪些品类?", "What else do you like?", "MULTIPLE", "项链", "Necklaces", "手链", "Bracelets", "戒指",
					"Rings"));

	String survey(Object... extra) {
		Map<String, Object> body = new HashMap<>(Map.of("title", "新品问卷", "questions", TWO));
		for (int i = 0; i < extra.length; i += 2) {
			body.put((String) extra[i], extra[i + 1]);
		}
		return demo.staff("hq.marketer").post("/api/v1/surveys", body).expect(201).string("id");
	}

	Map<String, Object> campaign(List<String> stores, List<String> customers, Map<String, Object> offer,
			Object... overrides) {
		Map<String, Object> c = new HashMap<>(Map.of("name", "新品问卷活动", "purpose", "MARKETING", "startsAt",
				Instant.now().minusSeconds(60).toString(), "endsAt", Instant.now().plus(Duration.ofDays(7)).toString(),
				"offer", offer, "stores", stores, "route", List.of(Map.of("channel", "IN_APP")), "templates",
				Map.of("IN_APP", Map.of("zh-CN", "{nickname}您好,{store}想听听您的意见", "en", "Hi {nickname}, {store} would like your opinion")),
				"audience", Map.of("kind", "CUSTOMERS", "customerIds", customers)));
		for (int i = 0; i < overrides.length; i += 2) {
			c.put((String) overrides[i], overrides[i + 1]);
		}
		return c;
	}

	static boolean said(TriggerTesting.Customer customer, TriggerTesting.Store store, String start) {
		return customer.messages(store).stream().anyMatch(m -> m.path("body").path("text").asString("").startsWith(start));
	}

	/**
	 * What the customer sees answering the two questions in the chat: the first card's title and
	 * buttons, the option pressed; the second's title, the option pressed, then the card's text and
	 * buttons (the last one submits).
	 */
	record Walk(String title1, List<String> labels1, String press1, String title2, String press2, String chosen,
			List<String> labelsAfter) {
	}

	static void walk(TriggerTesting.Customer customer, TriggerTesting.Store store, Walk w) {
		JsonNode first = card(customer, store, 1);
		assertThat(first.path("payload").path("title").asString()).isEqualTo(w.title1());
		assertThat(labels(first)).containsExactlyElementsOf(w.labels1());
		press(customer, first, w.press1());
		JsonNode second = card(customer, store, 2);
		assertThat(second.path("payload").path("title").asString()).isEqualTo(w.title2());
		press(customer, second, w.press2());
		JsonNode chosen = card(customer, store, 3);
		assertThat(chosen.path("payload").path("text").asString()).startsWith(w.chosen());
		assertThat(labels(chosen)).containsExactlyElementsOf(w.labelsAfter());
		press(customer, chosen, w.labelsAfter().getLast());
	}

	long campaigns() {
		return jdbc.sql("SELECT count(*) FROM campaigns_campaigns").query(Long.class).single();
	}

	@Test
	void a_campaign_asks_each_recipient_in_their_language_and_rewards_them_with_results_by_store_and_as_csv() {
		TriggerTesting.Store east = TriggerTesting.Store.create(demo, "SVA");
		TriggerTesting.Store west = TriggerTesting.Store.create(demo, "SVB");
		TriggerTesting.Customer zh = atNoon(east, "小芳");
		TriggerTesting.Customer en = atNoon(west, "Amy");
		demo.owner.patch("/api/v1/customers/" + en.id(), Map.of("locale", "en")).expect(200);
		Api marketer = demo.staff("hq.marketer");
		String template = SurveysIntegrationTest.couponTemplate(demo);
		String survey = survey("reward", Map.of("couponTemplateId", template));

		String id = marketer.post("/api/v1/campaigns", campaign(List.of(east.id(), west.id()), List.of(zh.id(), en.id()),
				Map.of("text", "新品问卷", "surveyId", survey))).expect(201).string("id");
		marketer.post("/api/v1/campaigns/" + id + "/send", Map.of()).expect(202);

		// zh-CN: the first question's card, the rendered template its text
		JsonNode first = card(zh, east, 1);
		assertThat(first.path("payload").path("text").asString()).isEqualTo("小芳您好,耳饰体验店" + east.code().substring(east.code().length() - 4)
				+ "想听听您的意见");
		walk(zh, east, new Walk("1/2 耳饰的做工您满意吗?", List.of("满意", "一般", "不满意"), "一般", "2/2 您还喜欢哪些品类?(可多选)", "戒指",
				"已选:戒指", List.of("项链", "手链", "提交")));
		await().atMost(Duration.ofSeconds(30)).until(() -> said(zh, east, "感谢您完成问卷「新品问卷」!送您一张优惠券「问卷答谢券」,券码 "));

		// en: the same in English, from the store that speaks to them
		assertThat(card(en, west, 1).path("payload").path("text").asString()).startsWith("Hi Amy, 耳饰体验店");
		walk(en, west, new Walk("1/2 Are you happy with the craftsmanship?", List.of("Happy", "So-so", "Unhappy"), "Happy",
				"2/2 What else do you like? (choose any)", "Necklaces", "Chosen: Necklaces.", List.of("Bracelets", "Rings", "Submit")));
		await().atMost(Duration.ofSeconds(30))
			.until(() -> said(en, west, "Thank you for completing the survey \"新品问卷\"! Here is a coupon \"问卷答谢券\": "));

		// results: every store, and per store of the invitation
		JsonNode results = marketer.get("/api/v1/surveys/" + survey + "/results?by=STORE").expect(200).json();
		assertThat(results.path("invited").asInt()).isEqualTo(2);
		assertThat(results.path("completed").asInt()).isEqualTo(2);
		assertThat(results.path("rewardsGranted").asInt()).isEqualTo(2);
		assertThat(results.path("by").asString()).isEqualTo("STORE");
		assertThat(results.path("stores").size()).isEqualTo(2);
		for (JsonNode store : results.path("stores")) {
			assertThat(store.path("invited").asInt()).isEqualTo(1);
			assertThat(store.path("completionRate").asDouble()).isEqualTo(1.0);
			boolean isEast = store.path("storeId").asString().equals(east.id());
			assertThat(store.path("storeCode").asString()).isEqualTo(isEast ? east.code() : west.code());
			// east chose 一般 (option 1), west Happy (option 0)
			assertThat(store.path("questions").get(0).path("options").get(isEast ? 1 : 0).path("count").asInt()).isEqualTo(1);
			assertThat(store.path("questions").get(0).path("options").get(isEast ? 0 : 1).path("count").asInt()).isEqualTo(0);
		}
		JsonNode noStores = marketer.get("/api/v1/surveys/" + survey + "/results").expect(200).json().path("stores");
		assertThat(noStores.isNull() || noStores.isMissingNode()).isTrue();

		Api.Response csv = marketer.get("/api/v1/surveys/" + survey + "/results?by=STORE&format=csv").expect(200);
		assertThat(csv.header("Content-Type")).startsWith("text/csv");
		assertThat(csv.header("Content-Disposition")).contains("results-by-store.csv");
		List<String> lines = csv.raw().body().lines().toList();
		assertThat(lines.getFirst()).startsWith("\uFEFFstore,label,invited,started,completed,completionRate,rewardsGranted,"
				+ "Q1 耳饰的做工您满意吗?,Q1.1 满意,Q1.2 一般,Q1.3 不满意,Q2 您还喜欢哪些品类?,Q2.1 项链");
		assertThat(lines).hasSize(4);
		assertThat(lines.get(3)).isEqualTo("total,合计 Total,2,2,2,1.0,2,2,1,1,0,2,1,0,1");
		assertThat(marketer.header("Accept", "text/csv").get("/api/v1/surveys/" + survey + "/results").expect(200)
			.raw().body().lines().toList()).hasSize(2);
		marketer.get("/api/v1/surveys/" + survey + "/results?by=COLOUR").expectProblem(400, "invalid-value");
		marketer.get("/api/v1/surveys/" + survey + "/results?format=xml").expectProblem(400, "validation-failed");
	}

	@Test
	void an_order_delivered_trigger_asks_its_en_customer_in_english() {
		TriggerTesting.Store store = TriggerTesting.Store.create(demo, "SVE");
		TriggerTesting.Customer en = atNoon(store, "Bob");
		demo.owner.patch("/api/v1/customers/" + en.id(), Map.of("locale", "en")).expect(200);
		Api marketer = demo.staff("hq.marketer");
		String survey = survey();
		String trigger = marketer.post("/api/v1/campaign-triggers", TriggersIntegrationTest.trigger("ORDER_DELIVERED",
				List.of(store.id()), "订单{order}已送达,说说您的感受?", "params", Map.of("surveyId", survey), "templates",
				Map.of("IN_APP", Map.of("zh-CN", "订单{order}已送达,说说您的感受?", "en", "Order {order} has arrived: how was it?"))))
			.expect(201).string("id");
		try {
			String order = paidEarrings(en, store, Instant.now().minus(Duration.ofHours(2)));
			backend.post("/api/v1/orders/" + order + "/events", io.storecast.orders.OrderTesting.status("DELIVERED", Instant.now()))
				.expect(201);
			assertThat(card(en, store, 1).path("payload").path("text").asString()).isEqualTo("Order " + order + " has arrived: how was it?");
			walk(en, store, new Walk("1/2 Are you happy with the craftsmanship?", List.of("Happy", "So-so", "Unhappy"), "Unhappy",
					"2/2 What else do you like? (choose any)", "Rings", "Chosen: Rings.", List.of("Necklaces", "Bracelets", "Submit")));
			await().atMost(Duration.ofSeconds(30))
				.until(() -> said(en, store, "Thank you for completing the survey \"新品问卷\"!"));
			JsonNode results = marketer.get("/api/v1/surveys/" + survey + "/results?by=STORE").expect(200).json();
			assertThat(results.path("stores").get(0).path("storeId").asString()).isEqualTo(store.id());
			assertThat(results.path("stores").get(0).path("completed").asInt()).isEqualTo(1);
		}
		finally {
			marketer.post("/api/v1/campaign-triggers/" + trigger + "/disable", Map.of()).expect(200);
		}
	}

	@Test
	void a_closed_survey_takes_no_more_answers_and_no_campaign_or_trigger_may_name_it() {
		TriggerTesting.Store store = TriggerTesting.Store.create(demo, "SVC");
		TriggerTesting.Customer chat = atNoon(store, "小王");
		TriggerTesting.Customer app = atNoon(store, "小张");
		Api marketer = demo.staff("hq.marketer");
		String survey = survey("reward", Map.of("code", "THANKS-2026"));
		String id = marketer.post("/api/v1/campaigns", campaign(List.of(store.id()), List.of(chat.id(), app.id()),
				Map.of("text", "问卷", "surveyId", survey))).expect(201).string("id");
		marketer.post("/api/v1/campaigns/" + id + "/send", Map.of()).expect(202);
		JsonNode first = card(chat, store, 1);
		card(app, store, 1);
		String draft = marketer.post("/api/v1/campaigns", campaign(List.of(store.id()), List.of(chat.id()),
				Map.of("text", "问卷", "surveyId", survey))).expect(201).string("id");

		// only who may change it closes it; closing twice changes nothing
		demo.staff("sh-njr.clerk1").post("/api/v1/surveys/" + survey + "/close", Map.of()).expectProblem(403, "forbidden");
		marketer.post("/api/v1/surveys/" + UUID.randomUUID() + "/close", Map.of()).expectProblem(404, "not-found");
		String closedAt = marketer.post("/api/v1/surveys/" + survey + "/close", Map.of()).expect(200).string("closedAt");
		assertThat(closedAt).isNotBlank();
		assertThat(marketer.post("/api/v1/surveys/" + survey + "/close", Map.of()).expect(200).string("closedAt"))
			.isEqualTo(closedAt);

		// the chat says it is closed; the app is refused; nothing is stored
		press(chat, first, "满意");
		await().atMost(Duration.ofSeconds(30)).until(() -> said(chat, store, "问卷「新品问卷」已结束"));
		app.api().post("/api/v1/surveys/" + survey + "/responses", Map.of("answers", List.of(
				Map.of("question", 0, "options", List.of(0)), Map.of("question", 1, "options", List.of(1)))))
			.expectProblem(409, "survey-closed");
		JsonNode results = marketer.get("/api/v1/surveys/" + survey + "/results").expect(200).json();
		assertThat(results.path("closedAt").asString()).isEqualTo(closedAt);
		assertThat(results.path("invited").asInt()).isEqualTo(2);
		assertThat(results.path("started").asInt()).isZero();

		// nothing may name it any more: a draft saved before is not sent
		marketer.post("/api/v1/campaigns/" + draft + "/send", Map.of()).expectProblem(409, "survey-closed");
		assertThat(marketer.get("/api/v1/campaigns/" + draft).expect(200).string("status")).isEqualTo("DRAFT");
		long before = campaigns();
		assertThat(marketer.post("/api/v1/campaigns", campaign(List.of(store.id()), List.of(chat.id()),
				Map.of("text", "问卷", "surveyId", survey))).expectProblem(400, "survey-closed").errorFields())
			.containsExactly("offer.surveyId");
		assertThat(marketer.post("/api/v1/campaign-triggers", TriggersIntegrationTest.trigger("ORDER_DELIVERED",
				List.of(store.id()), "问卷", "params", Map.of("surveyId", survey)))
			.expectProblem(400, "survey-closed").errorFields()).containsExactly("params.surveyId");
		assertThat(campaigns()).isEqualTo(before);
	}

	@Test
	void bad_campaigns_naming_a_survey_get_a_clear_problem_and_nothing_is_saved() {
		TriggerTesting.Store store = TriggerTesting.Store.create(demo, "SVD");
		TriggerTesting.Customer customer = TriggerTesting.Customer.of(demo, backend, store, "小李");
		Api marketer = demo.staff("hq.marketer");
		String survey = survey();
		String template = SurveysIntegrationTest.couponTemplate(demo);
		// a store manager's survey is out of the other region's reach
		String njr = demo.staff("sh-njr.manager").post("/api/v1/surveys", Map.of("title", "南京路问卷", "questions", TWO))
			.expect(201).string("id");
		List<String> stores = List.of(store.id());
		List<String> customers = List.of(customer.id());
		long before = campaigns();
		record Case(String code, String field, Map<String, Object> body) {
		}
		List<Case> cases = List.of(
				new Case("unknown-survey", "offer.surveyId",
						campaign(stores, customers, Map.of("text", "问卷", "surveyId", UUID.randomUUID().toString()))),
				new Case("validation-failed", "offer.surveyId", campaign(stores, customers,
						Map.of("text", "问卷", "surveyId", survey, "couponTemplateId", template, "couponMode", "CLAIM"))),
				new Case("template-too-long", "templates.IN_APP.zh-CN", campaign(stores, customers,
						Map.of("text", "问卷", "surveyId", survey), "templates", Map.of("IN_APP", Map.of("zh-CN", "问".repeat(1001))))),
				new Case("template-too-long", "templates.IN_APP.en", campaign(stores, customers,
						Map.of("text", "问卷", "surveyId", survey), "templates",
						Map.of("IN_APP", Map.of("zh-CN", "问卷", "en", "{nickname}" + "x".repeat(980))))));
		for (Case c : cases) {
			assertThat(marketer.post("/api/v1/campaigns", c.body()).expectProblem(400, c.code()).errorFields())
				.as("%s", c.body())
				.containsExactly(c.field());
		}
		assertThat(demo.staff("south.manager").post("/api/v1/campaigns", campaign(List.of(demo.node("SOUTH")), customers,
				Map.of("text", "问卷", "surveyId", njr))).expectProblem(400, "unknown-survey").errorFields())
			.containsExactly("offer.surveyId");
		assertThat(campaigns()).isEqualTo(before);

		// the same text fits a campaign without a card; a granted coupon goes with a survey
		marketer.post("/api/v1/campaigns", campaign(stores, customers, Map.of("text", "问卷"), "templates",
				Map.of("IN_APP", Map.of("zh-CN", "问".repeat(1001))))).expect(201);
		marketer.post("/api/v1/campaigns", campaign(stores, customers, Map.of("text", "问卷", "surveyId", survey,
				"couponTemplateId", template), "templates", Map.of("IN_APP", Map.of("zh-CN", "送您{coupon}")))).expect(201);
		// an ORDER_DELIVERED trigger may carry a survey; a BIRTHDAY one may not
		String delivered = marketer.post("/api/v1/campaign-triggers", TriggersIntegrationTest.trigger("ORDER_DELIVERED",
				stores, "订单{order}已送达,说说您的感受?", "params", Map.of("surveyId", survey))).expect(201).string("id");
		marketer.post("/api/v1/campaign-triggers/" + delivered + "/disable", Map.of()).expect(200);
		marketer.post("/api/v1/campaign-triggers", TriggersIntegrationTest.trigger("BIRTHDAY", stores, "生日", "params",
				Map.of("daysBefore", 3, "surveyId", survey))).expectProblem(400, "validation-failed");
	}
}
