package io.storecast.messaging.internal;

import java.text.Normalizer;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.hankcs.hanlp.HanLP;
import com.hankcs.hanlp.seg.Segment;
import com.hankcs.hanlp.seg.common.Term;

/**
 * Turns text into the space-separated words PostgreSQL indexes with its 'simple' configuration.
 * PostgreSQL cannot split Chinese into words (a sentence has no spaces), so HanLP does it here, the
 * same way for stored messages and for queries: full-width folded to half-width, traditional to
 * simplified, lower-cased, punctuation dropped.
 * <p>
 * Text is cut into clauses at spaces and sentence punctuation first (no word spans them), and each
 * clause's words are remembered ({@value #CACHED_CLAUSES} clauses, up to {@value #CACHED_LENGTH}
 * characters each): a campaign's million messages differ only in a nickname or a link, and their
 * other clauses are segmented once instead of once per message. Segmenting was about half of the
 * server's CPU for an in-app campaign message before.
 * <p>
 * A web link gives the words of its host only ({@code https://shop.example.com/l/Ab3?s=…} gives
 * shop, example, com): a link's path and query are per-message tokens and signatures that no one
 * searches for, and split into a dozen unique fragments each, they made most of an in-app campaign
 * message's segmenting time and of its entries in the search index.
 */
@Component
class SearchTerms {

	private static final Logger log = LoggerFactory.getLogger(SearchTerms.class);

	static final int CACHED_CLAUSES = 20_000;
	static final int CACHED_LENGTH = 64;

	/** A clause's words, per mode (index or query), for repeated clauses. */
	private final Cache<String, List<String>> indexClauses = Caffeine.newBuilder().maximumSize(CACHED_CLAUSES).build();
	private final Cache<String, List<String>> queryClauses = Caffeine.newBuilder().maximumSize(CACHED_CLAUSES).build();

	/** How many clauses are remembered for indexing (tests). */
	long cachedIndexClauses() {
		indexClauses.cleanUp();
		return indexClauses.estimatedSize();
	}

	/** The terms to store for a message's text (empty when it has none). */
	String forIndex(String text) {
		return terms(text, true);
	}

	/** The terms a query looks for, all of which must be present (empty when it has none). */
	String forQuery(String text) {
		return terms(text, false);
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

	private String terms(String text, boolean indexing) {
		Set<String> words = new LinkedHashSet<>();
		Cache<String, List<String>> cache = indexing ? indexClauses : queryClauses;
		int start = 0;
		for (int i = 0; i <= text.length(); i++) {
			int link = i < text.length() ? linkLength(text, i) : 0;
			if (link > 0 || i == text.length() || boundary(text, i)) {
				if (i > start) {
					addClause(words, text.substring(start, i), cache, indexing);
				}
				if (link > 0) {
					// a link's words are its host's: its path and query are tokens and signatures no one searches for
					String host = host(text.substring(i, i + link));
					if (!host.isEmpty()) {
						addClause(words, host, cache, indexing);
					}
					i += link - 1;
					start = i + 1;
					continue;
				}
				start = i + 1;
			}
		}
		return String.join(" ", words);
	}

	private static void addClause(Set<String> words, String clause, Cache<String, List<String>> cache, boolean indexing) {
		words.addAll(clause.length() <= CACHED_LENGTH ? cache.get(clause, c -> segment(c, indexing)) : segment(clause, indexing));
	}

	/**
	 * The length of the web link ({@code http://} or {@code https://}, any case) that starts at
	 * {@code i}, up to white space or a character no link has unescaped (anything not ASCII, quotes,
	 * angle brackets); 0 when none starts there.
	 */
	static int linkLength(String text, int i) {
		// asked at every character of every message: most are not an h
		char first = text.charAt(i);
		if (first != 'h' && first != 'H' || !text.regionMatches(true, i, "http", 0, 4)) {
			return 0;
		}
		int end = i + 4;
		if (end < text.length() && (text.charAt(end) == 's' || text.charAt(end) == 'S')) {
			end++;
		}
		if (!text.startsWith("://", end)) {
			return 0;
		}
		end += 3;
		while (end < text.length() && linkCharacter(text.charAt(end))) {
			end++;
		}
		return end - i;
	}

	private static boolean linkCharacter(char c) {
		return c > ' ' && c < 0x7F && c != '"' && c != '<' && c != '>' && c != '`' && c != '{' && c != '}' && c != '|'
				&& c != '\\' && c != '^';
	}

	/** A link's host, without user, port, path, query or fragment; lower-case. */
	static String host(String link) {
		int from = link.indexOf("://") + 3;
		int to = from;
		while (to < link.length() && "/?#".indexOf(link.charAt(to)) < 0) {
			to++;
		}
		String authority = link.substring(from, to);
		authority = authority.substring(authority.lastIndexOf('@') + 1);
		int port = authority.startsWith("[") ? authority.indexOf(']') + 1 : authority.indexOf(':');
		return (port > 0 ? authority.substring(0, port) : authority).toLowerCase(Locale.ROOT);
	}

	/**
	 * Whether the character at {@code i} ends a clause: white space or sentence punctuation
	 * (full-width or not), but not a comma or colon between digits (1,000 and 9:30 stay one word).
	 * A full stop never does: it is inside decimals, host names and abbreviations.
	 */
	static boolean boundary(String text, int i) {
		char c = text.charAt(i);
		if (Character.isWhitespace(c)) { // the ideographic space too
			return true;
		}
		switch (c) {
			case '，', '。', '！', '？', '；', '：', '、', '!', '?', ';':
				return true;
			case ',', ':':
				return i == 0 || i == text.length() - 1 || !isAsciiDigit(text.charAt(i - 1))
						|| !isAsciiDigit(text.charAt(i + 1));
			default:
				return false;
		}
	}

	private static boolean isAsciiDigit(char c) {
		return c >= '0' && c <= '9';
	}

	private static List<String> segment(String clause, boolean indexing) {
		String normalized = HanLP.convertToSimplifiedChinese(Normalizer.normalize(clause, Normalizer.Form.NFKC));
		Set<String> words = new LinkedHashSet<>();
		for (Term term : (indexing ? Segments.INDEXING : Segments.QUERYING).seg(normalized)) {
			String word = term.word.strip().toLowerCase(Locale.ROOT);
			if (hasLetterOrDigit(word)) {
				words.add(word);
			}
		}
		return List.copyOf(words);
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
