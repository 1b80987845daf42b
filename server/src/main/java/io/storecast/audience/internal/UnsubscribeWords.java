package io.storecast.audience.internal;

import java.text.Normalizer;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

import org.springframework.stereotype.Component;

/**
 * Whether a reply is an unsubscribe word (退订, 退訂, TD, T, unsubscribe by default). The whole reply
 * must be the word, give or take spaces, case, full-width letters (ＴＤ) and trailing punctuation
 * (退订!): a sentence that merely contains it ("怎么退订?") is a question for a person, not a withdrawal.
 */
@Component
class UnsubscribeWords {

	private final Set<String> words;

	UnsubscribeWords(AudienceSettings settings) {
		this.words = settings.unsubscribeWords().stream().map(UnsubscribeWords::fold).collect(Collectors.toUnmodifiableSet());
	}

	boolean matches(String text) {
		if (text == null || text.length() > 40) {
			return false;
		}
		return words.contains(fold(text));
	}

	/** NFKC (full-width to half-width), lower case, without spaces or punctuation at either end. */
	static String fold(String text) {
		String s = Normalizer.normalize(text, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT).strip();
		int start = 0;
		int end = s.length();
		while (start < end && !Character.isLetterOrDigit(s.codePointAt(start))) {
			start += Character.charCount(s.codePointAt(start));
		}
		while (end > start && !Character.isLetterOrDigit(s.codePointBefore(end))) {
			end -= Character.charCount(s.codePointBefore(end));
		}
		return s.substring(start, end).replaceAll("\\s+", "");
	}
}
