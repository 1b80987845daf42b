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

	private static List<String> words(String terms) {
		return List.of(terms.split(" "));
	}
}
