package io.storecast.campaigns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.storecast.support.Api;
import io.storecast.support.StorecastIntegrationTest;
import tools.jackson.databind.JsonNode;

/**
 * Surveys (S5): defined over REST and refused with a clear problem (nothing saved) when anything is
 * wrong; a survey goes out 3 days after a purchase as the first question's card; the customer answers
 * by pressing the cards' buttons (a multiple choice collects options until 下一题) and is thanked with
 * a reward coupon granted once; another answers through the app; results aggregate both.
 */
@StorecastIntegrationTest
class SurveysIntegrationTest extends TriggerTestSupport {

	static Map<String, Object> question(String text, String kind, String... options) {
		return Map.of("text", Map.of("zh-CN", text), "kind", kind, "options",
				java.util.Arrays.stream(options).map(o -> Map.of("zh-CN", o)).toList());
	}

	static final List<Map<String, Object>> THREE = List.of(question("耳饰的做工您满意吗?", "SINGLE", "满意", "一般", "不满意"),
			question("您还喜欢哪些品类?", "MULTIPLE", "项链", "手链", "戒指", "胸针", "发饰", "脚链"),
			question("您会推荐给朋友吗?", "SINGLE", "会", "不会"));

	static Map<String, Object> survey(Object... overrides) {
		Map<String, Object> s = new HashMap<>(Map.of("title", "购后小调查", "questions", THREE));
		java.util.stream.IntStream.iterate(0, i -> i < overrides.length, i -> i + 2)
			.forEach(i -> s.compute((String) overrides[i], (k, v) -> overrides[i + 1]));
		return s;
	}

	String couponTemplate() {
		return couponTemplate(demo);
	}

	/** A coupon template 问卷答谢券 (10 yuan off, 100 of them) for surveys' rewards. */
	static String couponTemplate(io.storecast.support.DemoFixture demo) {
		return demo.owner.post("/api/v1/coupons/templates", Map.of("name", "问卷答谢券", "kind", "NO_THRESHOLD",
				"discountFen", 1000, "validFrom", Instant.now().minusSeconds(3600).toString(),
				"validUntil", Instant.now().plus(Duration.ofDays(30)).toString(), "stock", 100))
			.expect(201)
			.string("id");
	}

	long surveys() {
		return jdbc.sql("SELECT count(*) FROM campaigns_surveys").query(Long.class).single();
	}

	@Test
	void bad_surveys_get_a_clear_problem_and_nothing_is_saved() {
		Api marketer = demo.staff("hq.marketer");
		long before = surveys();
		Map<String, Object> one = question("好吗?", "SINGLE", "好", "不好");
		record Case(String code, String field, Map<String, Object> body) {
		}
		List<Case> cases = List.of(new Case("validation-failed", "title", survey("title", null)),
				new Case("validation-failed", "questions", survey("questions", List.of())),
				new Case("validation-failed", "questions", survey("questions", List.of(one, one, one, one, one, one))),
				new Case("validation-failed", "questions[0].options", survey("questions", List.of(question("好吗?", "SINGLE", "好")))),
				new Case("validation-failed", "questions[0].options", survey("questions",
						List.of(question("好吗?", "SINGLE", "1", "2", "3", "4", "5", "6", "7", "8", "9")))),
				new Case("duplicate-option", "questions[0].options[2]", survey("questions",
						List.of(question("好吗?", "MULTIPLE", "好", "不好", "好")))),
				new Case("validation-failed", "questions[0].kind", survey("questions",
						List.of(Map.of("text", Map.of("zh-CN", "好吗?"), "options", List.of(Map.of("zh-CN", "a"), Map.of("zh-CN", "b")))))),
				new Case("validation-failed", "questions[0].text.zh-CN", survey("questions",
						List.of(question("长".repeat(81), "SINGLE", "a", "b")))),
				new Case("validation-failed", "questions[0].options[1].zh-CN", survey("questions",
						List.of(question("好吗?", "SINGLE", "a", "选".repeat(21))))),
				new Case("unknown-coupon-template", "reward.couponTemplateId",
						survey("reward", Map.of("couponTemplateId", UUID.randomUUID().toString()))),
				new Case("validation-failed", "reward", survey("reward", Map.of("couponTemplateId", couponTemplate(), "code", "THANKS"))));
		for (Case c : cases) {
			assertThat(marketer.post("/api/v1/surveys", c.body()).expectProblem(400, c.code()).errorFields())
				.as("%s", c.body())
				.containsExactly(c.field());
		}
		demo.staff("sh-njr.clerk1").post("/api/v1/surveys", survey()).expectProblem(403, "forbidden");
		assertThat(surveys()).isEqualTo(before);

		// a store manager's survey is out of the other region's reach, and a trigger cannot name it there
		String njr = demo.staff("sh-njr.manager").post("/api/v1/surveys", survey()).expect(201).string("id");
		demo.staff("south.manager").get("/api/v1/surveys/" + njr).expectProblem(404, "not-found");
		demo.staff("south.manager").get("/api/v1/surveys/" + njr + "/results").expectProblem(404, "not-found");
		TriggerTesting.Store store = TriggerTesting.Store.create(demo, "SVB");
		assertThat(marketer.post("/api/v1/campaign-triggers", TriggersIntegrationTest.trigger("DAYS_AFTER_PURCHASE",
				List.of(store.id()), "问卷", "params", Map.of("days", 3, "surveyId", UUID.randomUUID().toString())))
			.expectProblem(400, "unknown-survey").errorFields()).containsExactly("params.surveyId");
		assertThat(marketer.post("/api/v1/campaign-triggers", TriggersIntegrationTest.trigger("BIRTHDAY",
				List.of(store.id()), "生日", "params", Map.of("daysBefore", 3, "surveyId", njr)))
			.expectProblem(400, "validation-failed").errorFields()).containsExactly("params.surveyId");
		assertThat(marketer.post("/api/v1/campaign-triggers", TriggersIntegrationTest.trigger("DAYS_AFTER_PURCHASE",
				List.of(store.id()), "问".repeat(1001), "params", Map.of("days", 3, "surveyId", njr)))
			.expectProblem(400, "template-too-long").errorFields()).containsExactly("templates.IN_APP.zh-CN");
	}

	@Test
	void s5_a_survey_three_days_after_a_purchase_answered_by_card_presses_grants_its_coupon_once() {
		TriggerTesting.Store store = TriggerTesting.Store.create(demo, "SURV");
		TriggerTesting.Customer chat = TriggerTesting.Customer.of(demo, backend, store, "小芳");
		TriggerTesting.Customer app = TriggerTesting.Customer.of(demo, backend, store, "小李");
		TriggerTesting.Customer stranger = TriggerTesting.Customer.of(demo, backend, store, "路人");
		chat.localHour(demo, 12);
		app.localHour(demo, 12);
		Api marketer = demo.staff("hq.marketer");
		String template = couponTemplate();
		String survey = marketer.post("/api/v1/surveys", survey("reward", Map.of("couponTemplateId", template)))
			.expect(201).string("id");
		String trigger = marketer.post("/api/v1/campaign-triggers", TriggersIntegrationTest.trigger("DAYS_AFTER_PURCHASE",
				List.of(store.id()), "{nickname}您好,订单{order}用得如何?", "params", Map.of("days", 3, "surveyId", survey)))
			.expect(201).string("id");
		try {
			Instant paid = Instant.now().minus(Duration.ofDays(2)).truncatedTo(ChronoUnit.SECONDS);
			String order = paidEarrings(chat, store, paid);
			paidEarrings(app, store, paid);
			await().atMost(Duration.ofSeconds(30)).until(() -> TriggerTesting.recipients(marketer, trigger).size() == 2);
			// not sent yet: the app cannot answer
			app.api().post("/api/v1/surveys/" + survey + "/responses", Map.of("answers", List.of()))
				.expectProblem(403, "not-invited");

			// the third day comes
			jdbc.sql("UPDATE campaigns_trigger_recipients SET due_at = now() WHERE trigger_id = ?")
				.param(UUID.fromString(trigger)).update();
			JsonNode first = card(chat, store, 1);
			assertThat(first.path("payload").path("title").asString()).isEqualTo("1/3 耳饰的做工您满意吗?");
			assertThat(first.path("payload").path("text").asString()).isEqualTo("小芳您好,订单" + order + "用得如何?");
			assertThat(labels(first)).containsExactly("满意", "一般", "不满意");

			// question 1: 满意; question 2 (6 options, 4 at a time): 更多选项, 脚链, then 项链, 下一题; question 3: 会
			press(chat, first, "满意");
			JsonNode second = card(chat, store, 2);
			assertThat(second.path("payload").path("title").asString()).isEqualTo("2/3 您还喜欢哪些品类?(可多选)");
			assertThat(labels(second)).containsExactly("项链", "手链", "戒指", "胸针", "更多选项");
			press(chat, second, "更多选项");
			JsonNode more = card(chat, store, 3);
			assertThat(labels(more)).containsExactly("发饰", "脚链", "更多选项");
			press(chat, more, "脚链");
			JsonNode chosen = card(chat, store, 4);
			assertThat(chosen.path("payload").path("text").asString()).startsWith("已选:脚链");
			assertThat(labels(chosen)).containsExactly("项链", "手链", "戒指", "更多选项", "下一题");
			press(chat, chosen, "项链");
			press(chat, card(chat, store, 5), "下一题");
			JsonNode third = card(chat, store, 6);
			assertThat(labels(third)).containsExactly("会", "不会");
			// an old card's button, or the same card twice, counts for nothing
			press(chat, first, "一般", 409);
			press(chat, more, "发饰", 409);
			press(chat, third, "会");
			await().atMost(Duration.ofSeconds(30)).until(() -> chat.messages(store).stream()
				.anyMatch(m -> m.path("body").path("text").asString().startsWith("感谢您完成问卷「购后小调查」!送您一张优惠券「问卷答谢券」,券码 ")));
			assertThat(cards(chat, store)).hasSize(6);

			// the app answers everything at once; bad answers change nothing
			Api a = app.api();
			String url = "/api/v1/surveys/" + survey + "/responses";
			List<Map<String, Object>> good = List.of(Map.of("question", 0, "options", List.of(1)),
					Map.of("question", 1, "options", List.of(0, 1)), Map.of("question", 2, "options", List.of(0)));
			assertThat(a.post(url, Map.of("answers", List.of(good.get(0), good.get(1)))).expectProblem(400, "missing-answer")
				.errorFields()).containsExactly("answers");
			assertThat(a.post(url, Map.of("answers", List.of(good.get(0), good.get(1), Map.of("question", 2, "options", List.of(2)))))
				.expectProblem(400, "unknown-option").errorFields()).containsExactly("answers[2].options[0]");
			assertThat(a.post(url, Map.of("answers", List.of(Map.of("question", 0, "options", List.of(0, 1)), good.get(1), good.get(2))))
				.expectProblem(400, "single-choice").errorFields()).containsExactly("answers[0].options");
			assertThat(a.post(url, Map.of("answers", List.of(good.get(0), good.get(1), Map.of("question", 3, "options", List.of(0)))))
				.expectProblem(400, "unknown-question").errorFields()).containsExactly("answers[2].question");
			stranger.api().post(url, Map.of("answers", good)).expectProblem(403, "not-invited");
			marketer.post(url, Map.of("answers", good)).expectProblem(403, "forbidden");
			a.post("/api/v1/surveys/" + UUID.randomUUID() + "/responses", Map.of("answers", good)).expectProblem(404, "not-found");
			JsonNode rewarded = a.post(url, Map.of("answers", good)).expect(201).json();
			assertThat(rewarded.path("couponCode").asString()).isNotBlank();
			a.post(url, Map.of("answers", good)).expectProblem(409, "survey-already-answered");
			chat.api().post(url, Map.of("answers", good)).expectProblem(409, "survey-already-answered");
			assertThat(a.get("/api/v1/surveys/" + survey).expect(200).json().path("questions").size()).isEqualTo(3);

			// one coupon each, whatever was pressed or posted again
			assertThat(demo.owner.get("/api/v1/coupons/templates/" + template).expect(200).json().path("counts").path("issued")
				.asInt()).isEqualTo(2);
			JsonNode results = marketer.get("/api/v1/surveys/" + survey + "/results").expect(200).json();
			assertThat(results.path("invited").asInt()).isEqualTo(2);
			assertThat(results.path("started").asInt()).isEqualTo(2);
			assertThat(results.path("completed").asInt()).isEqualTo(2);
			assertThat(results.path("completionRate").asDouble()).isEqualTo(1.0);
			assertThat(results.path("rewardsGranted").asInt()).isEqualTo(2);
			JsonNode q1 = results.path("questions").get(0);
			assertThat(q1.path("answers").asInt()).isEqualTo(2);
			assertThat(q1.path("options").get(0).path("count").asInt()).isEqualTo(1);
			assertThat(q1.path("options").get(0).path("share").asDouble()).isEqualTo(0.5);
			JsonNode q2 = results.path("questions").get(1).path("options");
			// 项链 twice (chat and app), 手链 once (app), 脚链 once (chat), 发饰 never
			assertThat(List.of(q2.get(0).path("count").asInt(), q2.get(1).path("count").asInt(), q2.get(4).path("count").asInt(),
					q2.get(5).path("count").asInt())).containsExactly(2, 1, 0, 1);
			assertThat(results.path("questions").get(2).path("options").get(0).path("share").asDouble()).isEqualTo(1.0);
		}
		finally {
			marketer.post("/api/v1/campaign-triggers/" + trigger + "/disable", Map.of()).expect(200);
		}
	}

	/** The customer's action cards in the store's conversation, oldest first. */
	static List<JsonNode> cards(TriggerTesting.Customer customer, TriggerTesting.Store store) {
		return customer.messages(store).stream()
			.filter(m -> m.path("body").path("card").asString("").equals("action"))
			.toList();
	}

	/** The n-th action card (1-based), once it is there; with its conversation and sequence number. */
	static JsonNode card(TriggerTesting.Customer customer, TriggerTesting.Store store, int n) {
		await().atMost(Duration.ofSeconds(30)).until(() -> cards(customer, store).size() >= n);
		JsonNode m = cards(customer, store).get(n - 1);
		((tools.jackson.databind.node.ObjectNode) m.path("body")).put("conversationId", m.path("conversationId").asString())
			.put("seq", m.path("seq").asLong());
		return m.path("body");
	}

	static List<String> labels(JsonNode card) {
		return card.path("payload").path("buttons").valueStream().map(b -> b.path("label").asString()).toList();
	}

	static void press(TriggerTesting.Customer customer, JsonNode card, String label) {
		press(customer, card, label, 204);
	}

	static void press(TriggerTesting.Customer customer, JsonNode card, String label, int status) {
		String action = card.path("payload").path("buttons").valueStream()
			.filter(b -> b.path("label").asString().equals(label))
			.findFirst()
			.orElseThrow(() -> new AssertionError("no button " + label + " on " + card))
			.path("id").asString();
		customer.api().post("/api/v1/conversations/" + card.path("conversationId").asString() + "/messages/"
				+ card.path("seq").asLong() + "/actions/" + action, Map.of()).expect(status);
	}
}
