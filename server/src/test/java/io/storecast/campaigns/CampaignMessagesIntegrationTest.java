package io.storecast.campaigns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

import io.storecast.orders.OrderTesting;
import io.storecast.orders.OrderTesting.Customer;
import io.storecast.orders.OrdersIntegrationTest;
import io.storecast.support.Api;
import io.storecast.support.DemoFixture;
import tools.jackson.databind.JsonNode;

/**
 * What a campaign's message is to each customer. A campaign whose customers claim its coupon
 * ({@code couponMode: CLAIM}) arrives in the app as a coupon card: the rendered text above a claim
 * button, which claims the coupon for the campaign — the code arrives in the chat, and the campaign's
 * results count the claim — once, however often it is pressed. A customer's language (identity's
 * {@code locale}) picks the campaign's template in it; without one, or without a template in it, zh-CN.
 */
@OrdersIntegrationTest
class CampaignMessagesIntegrationTest {

	@LocalServerPort
	int port;

	DemoFixture demo;
	CampaignResultsIntegrationTest results;

	@BeforeEach
	void setUp() {
		demo = new DemoFixture(port);
		results = new CampaignResultsIntegrationTest();
		results.port = port;
		results.setUp();
	}

	@Test
	void a_claim_campaign_is_a_coupon_card_whose_button_claims_for_the_campaign_once() {
		Api manager = demo.staff("sh-njr.manager");
		String template = results.couponTemplate();
		Customer ann = Customer.of(demo, "SH-NJR");
		Customer bo = Customer.of(demo, "SH-NJR");
		String id = manager.post("/api/v1/campaigns", results.campaign("stores", List.of(demo.node("SH-NJR")), "offer",
				Map.of("text", "满200减30", "product", "月饼礼盒", "couponTemplateId", template, "couponMode", "CLAIM"),
				"templates", Map.of("IN_APP", Map.of("zh-CN", "{nickname}您好,{store}的{product}满200减30,点击领券")),
				"audience", Map.of("kind", "CUSTOMERS", "customerIds", List.of(ann.id(), bo.id()))))
			.expect(201)
			.string("id");
		manager.post("/api/v1/campaigns/" + id + "/send", Map.of()).expect(202);

		String conversation = ann.api().post("/api/v1/conversations/direct", Map.of("storeId", demo.node("SH-NJR")))
			.expect(200)
			.string("id");
		JsonNode card = await().atMost(Duration.ofSeconds(30)).until(() -> messages(ann, conversation).stream()
			.filter(m -> m.path("body").path("card").asString("").equals("coupon"))
			.findFirst()
			.orElse(null), m -> m != null);
		JsonNode payload = card.path("body").path("payload");
		assertThat(payload.path("templateId").asString()).isEqualTo(template);
		assertThat(payload.path("title").asString()).isEqualTo("月饼礼盒 满200减30");
		assertThat(payload.path("campaignId").asString()).isEqualTo(id);
		assertThat(payload.path("text").asString()).contains("上海南京路店的月饼礼盒满200减30,点击领券");
		long seq = card.path("seq").asLong();

		// pressing the claim button claims for the campaign: the code arrives in the chat
		ann.api().post("/api/v1/conversations/" + conversation + "/messages/" + seq + "/actions/claim", Map.of())
			.expect(204);
		ann.api().post("/api/v1/conversations/" + conversation + "/messages/" + seq + "/actions/claim", Map.of())
			.expectProblem(409, "already-answered");
		String reply = await().atMost(Duration.ofSeconds(30)).until(() -> messages(ann, conversation).stream()
			.map(m -> m.path("body").path("text").asString(""))
			.filter(t -> t.startsWith("领取成功"))
			.findFirst()
			.orElse(null), t -> t != null);
		JsonNode mine = ann.api().get("/api/v1/coupons/mine?status=ISSUED").expect(200).json();
		assertThat(mine.findValuesAsString("templateId")).containsExactly(template);
		assertThat(reply).contains(mine.findValuesAsString("code").getFirst());

		// the campaign's results count the claim: Ann claimed, Bo has not
		await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
			JsonNode totals = manager.get("/api/v1/campaigns/" + id + "/results").expect(200).json().path("totals");
			assertThat(totals.path("recipients").asLong()).isEqualTo(2);
			assertThat(totals.path("claimed").asLong()).isEqualTo(1);
		});
	}

	@Test
	void each_customer_reads_the_campaign_in_their_language_and_zh_cn_otherwise() {
		Customer zh = Customer.of(demo, "SH-NJR");
		Customer en = Customer.of(demo, "SH-NJR");
		Customer anonymousEn = Customer.of(demo, "SH-NJR");
		// the shop's CRM says which language each reads; a bad one is refused and changes nothing
		demo.owner.patch("/api/v1/customers/" + en.id(), Map.of("locale", "en")).expect(200);
		assertThat(demo.owner.get("/api/v1/customers/" + en.id()).expect(200).string("locale")).isEqualTo("en");
		demo.owner.patch("/api/v1/customers/" + zh.id(), Map.of("locale", "fr", "nickname", "不该改"))
			.expectProblem(400, "invalid-value");
		assertThat(demo.owner.get("/api/v1/customers/" + zh.id()).expect(200).json().path("locale").isNull()).isTrue();
		String external = "locale-" + UUID.randomUUID();
		demo.owner.put("/api/v1/customers/external/" + external, Map.of("locale", "en", "homeStoreId", demo.node("SH-NJR")))
			.expect(200);
		String nameless = demo.owner.get("/api/v1/customers/external/" + external).expect(200).string("id");
		demo.owner.patch("/api/v1/customers/" + anonymousEn.id(), Map.of("locale", "en")).expect(200);

		Api manager = demo.staff("sh-njr.manager");
		String id = manager.post("/api/v1/campaigns", results.campaign("stores", List.of(demo.node("SH-NJR")), "templates",
				Map.of("IN_APP", Map.of("zh-CN", "{nickname}您好,{store}的{product}满200减30", "en",
						"Hi {nickname}, {product}: 30 off 200 at {store}")),
				"audience", Map.of("kind", "CUSTOMERS", "customerIds", List.of(zh.id(), en.id(), nameless))))
			.expect(201)
			.string("id");
		manager.post("/api/v1/campaigns/" + id + "/send", Map.of()).expect(202);

		assertThat(CampaignResultsIntegrationTest.message(zh, demo.node("SH-NJR"), "满200减30")).endsWith("的月饼礼盒满200减30");
		assertThat(CampaignResultsIntegrationTest.message(en, demo.node("SH-NJR"), "30 off 200"))
			.startsWith("Hi ").endsWith(", 月饼礼盒: 30 off 200 at 上海南京路店");
		assertThat(manager.get("/api/v1/campaigns/" + id + "/recipients").expect(200).json().findValuesAsString("status"))
			.hasSize(3);

		// a trigger-free check of the fallback: a campaign with no English template speaks zh-CN to everyone
		String zhOnly = manager.post("/api/v1/campaigns", results.campaign("stores", List.of(demo.node("SH-NJR")),
				"templates", Map.of("IN_APP", Map.of("zh-CN", "{nickname}您好,只有中文的通知")), "audience",
				Map.of("kind", "CUSTOMERS", "customerIds", List.of(anonymousEn.id())))).expect(201).string("id");
		manager.post("/api/v1/campaigns/" + zhOnly + "/send", Map.of()).expect(202);
		assertThat(CampaignResultsIntegrationTest.message(anonymousEn, demo.node("SH-NJR"), "只有中文的通知")).isNotEmpty();
	}

	private static List<JsonNode> messages(Customer customer, String conversation) {
		return customer.api()
			.get("/api/v1/conversations/" + conversation + "/messages?limit=200")
			.expect(200)
			.json()
			.valueStream()
			.toList();
	}
}
