package io.storecast.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

import io.storecast.support.Api;
import io.storecast.support.DemoFixture;
import io.storecast.support.StorecastIntegrationTest;
import tools.jackson.databind.JsonNode;

/** Searching a conversation's history: Chinese words inside sentences, traditional characters, case, recalls. */
@StorecastIntegrationTest
class MessageSearchIntegrationTest {

	@LocalServerPort
	int port;

	DemoFixture demo;

	@BeforeEach
	void setUp() {
		demo = new DemoFixture(port);
	}

	@Test
	void chinese_words_are_found_inside_sentences() {
		Api customer = demo.customer("HZ-XH");
		String id = customer.post("/api/v1/conversations/direct", Map.of("storeId", demo.node("HZ-XH"))).expect(200).string("id");
		long mooncakes = send(customer, id, "s-1", "今年新款月饼礼盒多少钱");
		long osmanthus = send(customer, id, "s-2", "桂花酿礼盒可以定制贺卡吗");
		Api clerk = demo.staff("hz-xh.clerk1");
		long english = send(clerk, id, "s-3", "Hello WORLD, 南京路店今天有货");

		assertThat(seqs(search(customer, id, "月饼"))).containsExactly(mooncakes);
		// newest first
		assertThat(seqs(search(customer, id, "礼盒"))).containsExactly(osmanthus, mooncakes);
		assertThat(seqs(search(clerk, id, "禮盒"))).containsExactly(osmanthus, mooncakes);
		// every word must be there
		assertThat(seqs(search(customer, id, "月饼礼盒"))).containsExactly(mooncakes);
		assertThat(seqs(search(customer, id, "月饼 贺卡"))).isEmpty();
		assertThat(seqs(search(customer, id, "贺卡"))).containsExactly(osmanthus);
		// English ignores case; a word inside a longer one (南京 in 南京路) is found too
		assertThat(seqs(search(customer, id, "hello"))).containsExactly(english);
		assertThat(seqs(search(customer, id, "wOrLd"))).containsExactly(english);
		assertThat(seqs(search(customer, id, "南京"))).containsExactly(english);
		assertThat(seqs(search(customer, id, "钢琴"))).isEmpty();

		// paging back: limit, then before the last seq found
		JsonNode first = customer.get(path(id, "礼盒") + "&limit=1").expect(200).json();
		assertThat(seqs(first)).containsExactly(osmanthus);
		assertThat(seqs(customer.get(path(id, "礼盒") + "&limit=1&before=" + osmanthus).expect(200).json()))
			.containsExactly(mooncakes);

		// the answer carries whole messages
		JsonNode hit = search(customer, id, "贺卡").get(0);
		assertThat(hit.path("body").path("text").asString()).isEqualTo("桂花酿礼盒可以定制贺卡吗");
		assertThat(hit.path("sender").asString()).startsWith("customer:");
		assertThat(hit.has("searchVector")).isFalse();
	}

	@Test
	void cards_and_masked_words_and_recalls() {
		Api customer = demo.customer("SZ-WXC");
		String id = customer.post("/api/v1/conversations/direct", Map.of("storeId", demo.node("SZ-WXC"))).expect(200).string("id");
		Api clerk = demo.staff("sz-wxc.clerk1");
		long card = clerk.header("Idempotency-Key", "card-1").post("/api/v1/conversations/" + id + "/messages",
				Map.of("kind", "CARD", "body", Map.of("card", "promotion", "payload",
						Map.of("title", "中秋礼盒节", "text", "全场满200减30", "link", "https://shop.example/mid-autumn"))))
			.expect(201).json().path("message").path("seq").asLong();
		assertThat(seqs(search(customer, id, "礼盒"))).containsExactly(card);
		assertThat(seqs(search(customer, id, "中秋"))).containsExactly(card);
		// the link is not a searchable field
		assertThat(seqs(search(customer, id, "example"))).isEmpty();
		// a link in a text is found by its host, not by its path's tokens
		long linked = send(customer, id, "m-0", "新品预告 https://shop.example.com/l/Xq7Token?sig=Zz9 点击查看");
		assertThat(seqs(search(customer, id, "example"))).containsExactly(linked);
		assertThat(seqs(search(customer, id, "https://shop.example.com/other"))).containsExactly(linked);
		assertThat(seqs(search(customer, id, "xq7token"))).isEmpty();
		assertThat(seqs(search(customer, id, "sig"))).isEmpty();

		// a masked word is not stored, so it cannot be found either
		send(customer, id, "m-1", "加我微信号聊价格");
		assertThat(seqs(search(customer, id, "微信号"))).isEmpty();
		assertThat(seqs(search(customer, id, "价格"))).hasSize(1);

		// a recalled message drops out of search
		long wrong = send(customer, id, "m-2", "发错了的月饼订单号");
		assertThat(seqs(search(customer, id, "订单号"))).containsExactly(wrong);
		customer.header("Idempotency-Key", "m-3").post("/api/v1/conversations/" + id + "/messages/" + wrong + "/recall", Map.of())
			.expect(200);
		assertThat(seqs(search(customer, id, "订单号"))).isEmpty();
		assertThat(seqs(search(customer, id, "月饼"))).isEmpty();
	}

	@Test
	void only_members_search_and_bad_queries_are_refused() {
		Api customer = demo.customer("GZ-TH");
		String id = customer.post("/api/v1/conversations/direct", Map.of("storeId", demo.node("GZ-TH"))).expect(200).string("id");
		send(customer, id, "q-1", "月饼还有吗");

		demo.staff("sh-njr.clerk1").get(path(id, "月饼")).expectProblem(403, "not-a-member");
		demo.customer("GZ-TH").get(path(id, "月饼")).expectProblem(403, "not-a-member");
		customer.get(path(java.util.UUID.randomUUID().toString(), "月饼")).expectProblem(404, "not-found");

		assertThat(customer.get(path(id, "")).expectProblem(400, "validation-failed").errorFields()).containsExactly("q");
		assertThat(customer.get(path(id, "   ")).expectProblem(400, "validation-failed").errorFields()).containsExactly("q");
		assertThat(customer.get("/api/v1/conversations/" + id + "/search").expectProblem(400, "validation-failed")
			.errorFields()).containsExactly("q");
		assertThat(customer.get(path(id, "月".repeat(201))).expectProblem(400, "validation-failed").errorFields())
			.containsExactly("q");
		customer.get(path(id, "月".repeat(200))).expect(200);
		customer.get(path(id, "月饼") + "&limit=0").expectProblem(400, "invalid-limit");
		customer.get(path(id, "月饼") + "&limit=201").expectProblem(400, "invalid-limit");
		customer.get(path(id, "月饼") + "&before=0").expectProblem(400, "seq-out-of-range");
		customer.get(path(id, "月饼") + "&before=abc").expectProblem(400, "invalid-value");

		// a query with no words in it finds nothing, and is no error
		assertThat(customer.get(path(id, "！？。…")).expect(200).json().isEmpty()).isTrue();
		assertThat(customer.get(path(id, "***")).expect(200).json().isEmpty()).isTrue();
	}

	private static long send(Api api, String conversation, String clientMsgId, String text) {
		return api.header("Idempotency-Key", clientMsgId)
			.post("/api/v1/conversations/" + conversation + "/messages", Map.of("kind", "TEXT", "body", Map.of("text", text)))
			.expect(201)
			.json()
			.path("message")
			.path("seq")
			.asLong();
	}

	private static JsonNode search(Api api, String conversation, String q) {
		return api.get(path(conversation, q)).expect(200).json();
	}

	private static String path(String conversation, String q) {
		return "/api/v1/conversations/" + conversation + "/search?q=" + URLEncoder.encode(q, StandardCharsets.UTF_8);
	}

	private static List<Long> seqs(JsonNode messages) {
		return messages.valueStream().map(m -> m.path("seq").asLong()).toList();
	}
}
