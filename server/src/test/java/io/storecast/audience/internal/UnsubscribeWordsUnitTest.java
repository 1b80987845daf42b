package io.storecast.audience.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.LocalTime;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.storecast.audience.Channel;

/** Which replies are unsubscribe words. */
class UnsubscribeWordsUnitTest {

	final UnsubscribeWords words = new UnsubscribeWords(new AudienceSettings(Duration.ofDays(30), Duration.ofDays(90),
			LocalTime.of(9, 0), LocalTime.of(20, 0), 3, Duration.ofDays(30), List.of(), Set.of(Channel.IN_APP),
			List.of("退订", "退訂", "TD", "T", "unsubscribe"), 3, Duration.ofHours(6)));

	@Test
	void the_word_alone_in_any_case_width_or_punctuation() {
		for (String yes : List.of("退订", "退訂", "TD", "td", "Td", "T", "t", "unsubscribe", "UNSUBSCRIBE", "ＴＤ", "ｔ", " 退订 ",
				"退订!", "退订。", "【退订】", "t d")) {
			assertThat(words.matches(yes)).as(yes).isTrue();
		}
		for (String no : List.of("", "怎么退订", "退订吗我想想", "TDD", "to", "不要退订", "unsubscribe me please", "订")) {
			assertThat(words.matches(no)).as(no).isFalse();
		}
	}
}
