package io.storecast.messaging.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

class SearchTermsUnitTest {

	final SearchTerms terms = new SearchTerms();

	@Test
	void chinese_sentences_become_words() {
		assertThat(words(terms.forIndex("今年新款月饼礼盒多少钱"))).contains("月饼", "礼盒").doesNotContain("今年新款月饼礼盒多少钱");
		assertThat(words(terms.forIndex("桂花酿礼盒可以定制贺卡吗"))).contains("礼盒", "贺卡").doesNotContain("月饼");
		// index mode also stores the words inside longer ones
		assertThat(words(terms.forIndex("南京路店申请调拨10件"))).contains("南京路", "南京", "10");
		assertThat(terms.forQuery("月饼礼盒")).isEqualTo("月饼 礼盒");
	}

	@Test
	void traditional_full_width_and_case_fold_to_one_form() {
		assertThat(terms.forQuery("禮盒")).isEqualTo("礼盒");
		assertThat(words(terms.forIndex("月餅禮盒"))).contains("月饼", "礼盒");
		assertThat(terms.forQuery("ＨＥＬＬＯ World")).isEqualTo("hello world");
		assertThat(terms.forQuery("iPhone")).isEqualTo("iphone");
	}

	@Test
	void punctuation_is_no_word() {
		assertThat(terms.forQuery("！？。，...")).isEmpty();
		assertThat(terms.forQuery("   ")).isEmpty();
		assertThat(words(terms.forIndex("加我***聊!"))).doesNotContain("***", "!");
		assertThat(terms.forIndex("")).isEmpty();
	}

	@Test
	void each_clause_is_segmented_once_and_a_message_has_the_words_of_all_its_clauses() {
		String first = terms.forIndex("张三您好!南京路店中秋月饼礼盒满200减30,退订点 https://s.example.com/l/Ab3");
		assertThat(words(first)).contains("张三", "月饼", "礼盒", "200", "30", "example");
		// 张三您好, the offer, 退订点 and the link's host
		assertThat(terms.cachedIndexClauses()).isEqualTo(4);
		// a second recipient's message differs in the nickname and the link's path: one new clause
		String second = terms.forIndex("李四您好！南京路店中秋月饼礼盒满200减30，退订点 https://s.example.com/l/Zq9");
		assertThat(terms.cachedIndexClauses()).isEqualTo(5);
		assertThat(words(second)).contains("李四", "月饼", "礼盒", "example").doesNotContain("张三");
		// the cached clause gives the same words as segmenting it afresh
		assertThat(words(new SearchTerms().forIndex("南京路店中秋月饼礼盒满200减30"))).containsExactlyElementsOf(
				words(first).subList(words(first).indexOf("南京路"), words(first).indexOf("退")));
	}

	@Test
	void a_link_gives_the_words_of_its_host_only() {
		List<String> words = words(terms.forIndex("领券 HTTPS://Shop.Example.com:8443/l/Ab3Xy?sig=Qw7_z9#top 到店使用"));
		assertThat(words).contains("领", "券", "shop", "example", "com", "使用")
			.doesNotContain("https", "8443", "l", "ab", "xy", "sig", "qw", "z", "top");
		// the host's words are what segmenting the host alone gives, as before links were cut out
		assertThat(words).containsSubsequence(words(new SearchTerms().forIndex("shop.example.com")));
		// a link glued to Chinese ends at the first character no link has
		assertThat(words(terms.forIndex("点这里https://s.example.com/a领取"))).contains("点", "这里", "example", "领取")
			.doesNotContain("https", "a");
		// a query with the link finds messages with links to the same host
		assertThat(terms.forQuery("https://shop.example.com/other")).isEqualTo(terms.forQuery("shop.example.com"));
		assertThat(terms.forQuery("http://")).isEmpty();
		assertThat(terms.forQuery("httpx://a.example.com")).contains("httpx");
	}

	@Test
	void a_link_ends_at_white_space_or_a_character_links_do_not_have() {
		assertThat(SearchTerms.linkLength("see http://x.com/a b", 4)).isEqualTo("http://x.com/a".length());
		assertThat(SearchTerms.linkLength("<https://x.com/a>", 1)).isEqualTo("https://x.com/a".length());
		assertThat(SearchTerms.linkLength("\"http://x.com/a\"", 1)).isEqualTo("http://x.com/a".length());
		assertThat(SearchTerms.linkLength("http://x.com/月饼", 0)).isEqualTo("http://x.com/".length());
		assertThat(SearchTerms.linkLength("hTtP://x", 0)).isEqualTo(8);
		assertThat(SearchTerms.linkLength("ftp://x.com", 0)).isZero();
		assertThat(SearchTerms.linkLength("http:/x.com", 0)).isZero();
		assertThat(SearchTerms.host("https://user:pw@Shop.example.com:8443/a?b#c")).isEqualTo("shop.example.com");
		assertThat(SearchTerms.host("http://127.0.0.1:8080/u/abc")).isEqualTo("127.0.0.1");
		assertThat(SearchTerms.host("http://[::1]:80/x")).isEqualTo("[::1]");
		assertThat(SearchTerms.host("https://x.com?q=1")).isEqualTo("x.com");
		assertThat(SearchTerms.host("https://")).isEmpty();
	}

	@Test
	void clauses_end_at_spaces_and_sentence_punctuation_but_not_inside_numbers_or_host_names() {
		assertThat(SearchTerms.boundary("满30,退订", 3)).isTrue();
		assertThat(SearchTerms.boundary("满30，退订", 3)).isTrue();
		assertThat(SearchTerms.boundary("您好!我", 2)).isTrue();
		assertThat(SearchTerms.boundary("a b", 1)).isTrue();
		assertThat(SearchTerms.boundary("1,000", 1)).isFalse();
		assertThat(SearchTerms.boundary("9:30", 1)).isFalse();
		assertThat(SearchTerms.boundary("s.example.com", 1)).isFalse();
		assertThat(SearchTerms.boundary(",1", 0)).isTrue();
		assertThat(SearchTerms.boundary("1,", 1)).isTrue();
		assertThat(words(terms.forIndex("共1,000件,9.5折"))).contains("9.5");
	}

	private static List<String> words(String terms) {
		return List.of(terms.split(" "));
	}
}
