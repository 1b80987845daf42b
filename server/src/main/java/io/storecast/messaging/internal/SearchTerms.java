package io.storecast.messaging.internal;

import java.text.Normalizer;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import com.hankcs.hanlp.HanLP;
import com.hankcs.hanlp.seg.Segment;
import com.hankcs.hanlp.seg.common.Term;

/**
 * Turns text into the space-separated words PostgreSQL indexes with its 'simple' configuration.
 * PostgreSQL cannot split Chinese into words (a sentence has no spaces), so HanLP does it here, the
 * same way for stored messages and for queries: full-width folded to half-width, traditional to
 * simplified, lower-cased, punctuation dropped.
 */
@Component
class SearchTerms {

	private static final Logger log = LoggerFactory.getLogger(SearchTerms.class);

	/** The terms to store for a message's text (empty when it has none). */
	String forIndex(String text) {
		return terms(Segments.INDEXING, text);
	}

	/** The terms a query looks for, all of which must be present (empty when it has none). */
	String forQuery(String text) {
		return terms(Segments.QUERYING, text);
	}

	/**
	 * HanLP loads its dictionaries on first use (about half a second); doing that once the server is
	 * up keeps it off the first message that is sent.
	 */
	@EventListener(ApplicationReadyEvent.class)
	void warmUp() {
		Thread.ofPlatform().daemon().name("hanlp-warm-up").start(() -> {
			long start = System.nanoTime();
			try {
				forIndex("繁體中文的月餅禮盒 warm-up");
				forQuery("月饼礼盒");
				log.info("HanLP dictionaries loaded in {} ms", (System.nanoTime() - start) / 1_000_000);
			}
			catch (RuntimeException e) {
				// not fatal: the first message to be indexed loads them instead (and fails loudly if it cannot)
				log.warn("Could not load the HanLP dictionaries ahead of use", e);
			}
		});
	}

	private static String terms(Segment segment, String text) {
		String normalized = HanLP.convertToSimplifiedChinese(Normalizer.normalize(text, Normalizer.Form.NFKC));
		Set<String> words = new LinkedHashSet<>();
		for (Term term : segment.seg(normalized)) {
			String word = term.word.strip().toLowerCase(Locale.ROOT);
			if (hasLetterOrDigit(word)) {
				words.add(word);
			}
		}
		return String.join(" ", words);
	}

	private static boolean hasLetterOrDigit(String word) {
		return word.codePoints().anyMatch(Character::isLetterOrDigit);
	}

	/** Created on first use: making a segmenter already loads the custom dictionary (~0.2 s), not for startup to pay. */
	private static final class Segments {

		/**
		 * Stored text is segmented in index mode, which adds the words inside longer ones (南京路 also
		 * gives 南京), so a query for the shorter word finds it.
		 */
		static final Segment INDEXING = HanLP.newSegment().enableIndexMode(true);
		/** Queries keep the plain words: each must be in the message, and fewer words match more. */
		static final Segment QUERYING = HanLP.newSegment();
	}
}
