package io.storecast.messaging.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import io.storecast.messaging.internal.ContentFilter.Verdict;

class SensitiveWordFilterUnitTest {

	final SensitiveWordFilter filter = filter(List.of("赌博", "代开发票", "casino"), List.of("微信", "fuck", "傻瓜"));

	static SensitiveWordFilter filter(List<String> reject, List<String> mask) {
		return new SensitiveWordFilter(new MessagingSettings(reject, mask, 2000, 4000, Duration.ofMinutes(2), 20, 100));
	}

	@Test
	void settings_bind_from_configuration_with_defaults() {
		Binder binder = new Binder(new MapConfigurationPropertySource(Map.of("storecast.messaging.reject-words[0]", "赌博",
				"storecast.messaging.mask-words", "微信,QQ")));
		MessagingSettings settings = binder.bindOrCreate("storecast.messaging", MessagingSettings.class);
		assertThat(settings.rejectWords()).containsExactly("赌博");
		assertThat(settings.maskWords()).containsExactly("微信", "QQ");
		assertThat(settings.recallWindow()).isEqualTo(Duration.ofMinutes(2));
		assertThat(settings.maxTextLength()).isEqualTo(4000);

		MessagingSettings defaults = new Binder().bindOrCreate("storecast.messaging", MessagingSettings.class);
		assertThat(defaults.rejectWords()).isEmpty();
		assertThat(defaults.maskWords()).isEmpty();
		assertThat(defaults.defaultMemberLimit()).isEqualTo(2000);
		assertThat(defaults.maxReactionsPerMessage()).isEqualTo(20);
		assertThat(defaults.syncBatchSize()).isEqualTo(100);
	}

	@Test
	void clean_text_is_accepted_unchanged() {
		Verdict verdict = filter.check("今天的优惠券还能用吗? Is the store open?");
		assertThat(verdict.accepted()).isTrue();
		assertThat(verdict.text()).isEqualTo("今天的优惠券还能用吗? Is the store open?");
		assertThat(verdict.masked()).isEmpty();
	}

	@Test
	void reject_words_refuse_the_text_in_order_of_appearance() {
		Verdict verdict = filter.check("Online casino! 专业代开发票, 网上赌博, casino again, 加微信");
		assertThat(verdict.accepted()).isFalse();
		assertThat(verdict.rejected()).containsExactly("casino", "代开发票", "赌博");
	}

	@Test
	void mask_words_are_replaced_one_star_per_character() {
		Verdict verdict = filter.check("加我微信, what the fuck, 你这个傻瓜, 微信!");
		assertThat(verdict.accepted()).isTrue();
		assertThat(verdict.text()).isEqualTo("加我**, what the ****, 你这个**, **!");
		assertThat(verdict.masked()).containsExactly("微信", "fuck", "傻瓜");
	}

	@Test
	void separators_inside_a_word_do_not_hide_it_and_are_masked_with_it() {
		assertThat(filter.check("赌 博").rejected()).containsExactly("赌博");
		assertThat(filter.check("c.a.s-i_n|o").rejected()).containsExactly("casino");
		assertThat(filter.check("赌\u200B博").rejected()).containsExactly("赌博");
		assertThat(filter.check("赌\uFEFF博").rejected()).containsExactly("赌博");
		assertThat(filter.check("f * u * c * k off").text()).isEqualTo("*".repeat(13) + " off");
		assertThat(filter.check("加 微\u200D信 好吗").text()).isEqualTo("加 *** 好吗");
	}

	@Test
	void separators_around_a_word_are_kept() {
		assertThat(filter.check(" -微信- ").text()).isEqualTo(" -**- ");
		assertThat(filter.check("fuck fuck").text()).isEqualTo("**** ****");
	}

	@Test
	void case_full_width_and_traditional_forms_are_seen_through() {
		assertThat(filter.check("CaSiNo").rejected()).containsExactly("casino");
		assertThat(filter.check("ｃａｓｉｎｏ").rejected()).containsExactly("casino");
		assertThat(filter.check("賭 博").rejected()).containsExactly("赌博");
		assertThat(filter.check("代開發票").rejected()).containsExactly("代开发票");
		assertThat(filter.check("ＦＵＣＫ\u3000ｙｏｕ").text()).isEqualTo("****\u3000ｙｏｕ");
		assertThat(filter.check("微\u3000信").text()).isEqualTo("***");
	}

	@Test
	void words_are_reported_as_configured_whatever_form_they_were_configured_in() {
		SensitiveWordFilter traditional = filter(List.of("賭博"), List.of("ＱＱ號"));
		assertThat(traditional.check("赌博").rejected()).containsExactly("賭博");
		Verdict verdict = traditional.check("加qq号");
		assertThat(verdict.text()).isEqualTo("加***");
		assertThat(verdict.masked()).containsExactly("ＱＱ號");
	}

	@Test
	void a_word_on_both_lists_rejects() {
		SensitiveWordFilter both = filter(List.of("spam"), List.of("SPAM", "ham"));
		Verdict verdict = both.check("ham and spam");
		assertThat(verdict.rejected()).containsExactly("spam");
		assertThat(verdict.text()).isEqualTo("ham and spam");
	}

	@Test
	void masking_keeps_characters_outside_the_basic_plane_intact() {
		Verdict verdict = filter.check("😀加微信😀 \uD83D\uDC4D傻\uD83D\uDE00瓜");
		assertThat(verdict.text()).isEqualTo("😀加**😀 \uD83D\uDC4D傻\uD83D\uDE00瓜");
		SensitiveWordFilter emoji = filter(List.of(), List.of("🍺啤酒"));
		assertThat(emoji.check("来🍺 啤酒🍺!").text()).isEqualTo("来****🍺!");
	}

	@Test
	void overlapping_words_prefer_the_longest_and_mask_every_occurrence() {
		SensitiveWordFilter overlapping = filter(List.of(), List.of("ab", "abc", "cd"));
		Verdict verdict = overlapping.check("abc ab xabcdx");
		assertThat(verdict.text()).isEqualTo("*** ** x****x");
		assertThat(verdict.masked()).containsExactly("abc", "ab", "cd");
		assertThat(overlapping.check("abc").masked()).containsExactly("abc");
		assertThat(overlapping.check("ab c").text()).isEqualTo("****");

		SensitiveWordFilter nested = filter(List.of(), List.of("aa"));
		assertThat(nested.check("aaaaa").text()).isEqualTo("*****");
	}

	@Test
	void failure_links_find_words_that_start_inside_a_failed_attempt() {
		SensitiveWordFilter words = filter(List.of(), List.of("he", "she", "his", "hers"));
		Verdict verdict = words.check("ushers");
		assertThat(verdict.text()).isEqualTo("u*****");
		assertThat(verdict.masked()).containsExactly("she", "hers");
	}

	@Test
	void no_words_configured_accepts_everything() {
		SensitiveWordFilter none = filter(List.of(), List.of(" ", ""));
		Verdict verdict = none.check("赌博 casino fuck");
		assertThat(verdict.accepted()).isTrue();
		assertThat(verdict.text()).isEqualTo("赌博 casino fuck");
		assertThat(verdict.masked()).isEmpty();
		assertThat(none.check("").text()).isEmpty();
	}

	@Test
	void a_large_text_against_many_words() {
		Random random = new Random(42);
		List<String> words = new ArrayList<>();
		for (int i = 0; i < 1000; i++) {
			words.add("w" + Integer.toString(i, 36) + "q" + (char) ('一' + random.nextInt(2000)));
		}
		SensitiveWordFilter many = filter(List.of(), words);
		StringBuilder text = new StringBuilder();
		StringBuilder expected = new StringBuilder();
		List<String> planted = new ArrayList<>();
		while (text.length() < 100_000) {
			String filler = "普通的文字 plain text ";
			text.append(filler);
			expected.append(filler);
			if (text.length() % 7 == 0) {
				String word = words.get(random.nextInt(words.size()));
				text.append(word).append(' ');
				expected.append("*".repeat(word.length())).append(' ');
				planted.add(word);
			}
		}
		assertThat(planted).isNotEmpty();
		Verdict verdict = many.check(text.toString());
		assertThat(verdict.text()).isEqualTo(expected.toString());
		assertThat(verdict.masked()).containsExactlyElementsOf(planted.stream().distinct().toList());
	}
}
