package io.storecast.messaging.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

/**
 * Finds the configured reject and mask words in one pass over a message (Aho–Corasick), seeing
 * through the usual evasions: letter case, full-width forms, traditional characters and separators
 * put between the letters of a word.
 */
@Component
class SensitiveWordFilter implements ContentFilter {

	/**
	 * Traditional → simplified pairs for the characters likely to occur in filtered words (money,
	 * gambling, fraud, commerce, common function words). Not a full converter: words are usually
	 * configured in simplified form and this only has to undo the cheap trick of typing them in
	 * traditional.
	 */
	private static final String TRADITIONAL_SIMPLIFIED = ""
			+ "訂订幣币賭赌錢钱發发銷销買买賣卖點点這这個个們们說说話话來来會会時时對对無无開开"
			+ "關关門门問问間间與与為为東东車车書书長长馬马鳥鸟魚鱼見见貝贝頁页風风飛飞電电號号"
			+ "網网線线紅红級级約约紙纸給给經经結结統统絡络專专業业實实際际價价貨货費费貸贷賬账"
			+ "帳帐資资財财贏赢輸输獎奖債债現现幾几氣气藥药醫医療疗黃黄導导傳传詐诈騙骗詞词語语"
			+ "認认證证議议讓让請请謝谢論论選选還还過过進进運运達达遠远邊边頭头題题願愿體体麼么"
			+ "後后裡里裏里國国圖图團团園园場场報报處处備备復复壞坏夠够學学寶宝將将屬属廣广廠厂"
			+ "張张彈弹從从惡恶愛爱態态戰战擊击據据樂乐樣样槍枪機机權权歡欢殺杀滿满漢汉濟济煙烟"
			+ "爾尔獨独獄狱產产畫画當当盡尽監监禮礼稱称窮穷筆笔簽签粵粤紀纪純纯絕绝綠绿維维總总"
			+ "練练義义聞闻聯联聲声腦脑臉脸舊旧蘭兰蟲虫衛卫補补裝装製制複复覺觉親亲觀观計计記记"
			+ "設设許许試试誠诚調调談谈講讲謊谎變变貪贪貴贵賠赔賺赚購购賽赛質质贈赠軟软較较輕轻"
			+ "轉转辦办農农連连遊游醜丑釋释鈔钞鐵铁銀银錯错鎖锁鏈链閃闪閱阅陸陆陽阳險险隨随雙双"
			+ "雞鸡難难離离雲云靈灵須须預预領领頻频類类顯显飯饭飲饮館馆騎骑驗验髮发鬥斗麗丽黨党"
			+ "齊齐龍龙臺台灣湾優优碼码";

	/** Every UTF-16 unit's normalised form, computed once because it is consulted for each character. */
	private static final char[] FOLD = foldTable();

	/** Configured spelling of each word, by word id (the id the automaton reports). */
	private final String[] words;
	/** Whether the word with that id is a reject word (otherwise a mask word). */
	private final boolean[] rejecting;
	/** Null when no word is configured, so that every text passes without being scanned. */
	private final @Nullable Automaton automaton;

	SensitiveWordFilter(MessagingSettings settings) {
		// keyed by normalised form: "ABC" and "abc", or 賭博 and 赌博, are one word to the automaton;
		// reject words go first so a word on both lists rejects
		Map<String, Integer> ids = new LinkedHashMap<>();
		List<String> spellings = new ArrayList<>();
		List<Boolean> rejects = new ArrayList<>();
		add(settings.rejectWords(), true, ids, spellings, rejects);
		add(settings.maskWords(), false, ids, spellings, rejects);
		this.words = spellings.toArray(String[]::new);
		this.rejecting = new boolean[words.length];
		for (int i = 0; i < rejecting.length; i++) {
			rejecting[i] = rejects.get(i);
		}
		this.automaton = ids.isEmpty() ? null : new Automaton(ids);
	}

	private static void add(List<String> list, boolean reject, Map<String, Integer> ids, List<String> spellings,
			List<Boolean> rejects) {
		for (String word : list) {
			String normalised = normalise(word);
			if (!normalised.isEmpty() && !ids.containsKey(normalised)) {
				ids.put(normalised, spellings.size());
				spellings.add(word);
				rejects.add(reject);
			}
		}
	}

	@Override
	public Verdict check(String text) {
		Automaton automaton = this.automaton;
		if (automaton == null) {
			return new Verdict(List.of(), text, List.of());
		}
		List<Match> found = automaton.find(text);
		if (found.isEmpty()) {
			return new Verdict(List.of(), text, List.of());
		}
		// by start, longest first: the order both the reports and the masking sweep rely on
		found.sort(Comparator.comparingInt(Match::start).thenComparingInt(match -> -match.end()));
		List<String> rejected = reported(found, true);
		if (!rejected.isEmpty()) {
			return new Verdict(rejected, text, List.of());
		}
		return new Verdict(List.of(), masked(text, found), reported(found, false));
	}

	/**
	 * The distinct words of one list in order of first appearance; a match lying inside a longer
	 * one of the same list (ab inside abc) is not reported since the longer word is what was written.
	 */
	private List<String> reported(List<Match> sorted, boolean reject) {
		Set<String> reported = new LinkedHashSet<>();
		int reach = -1;
		for (Match match : sorted) {
			if (rejecting[match.word()] != reject) {
				continue;
			}
			// sorted by start, longest first: any earlier match that reaches this far contains it
			if (match.end() > reach) {
				reported.add(words[match.word()]);
				reach = match.end();
			}
		}
		return List.copyOf(reported);
	}

	/** Replaces every character covered by some match with one '*' per code point. */
	private static String masked(String text, List<Match> sorted) {
		StringBuilder out = new StringBuilder(text.length());
		int copied = 0;
		int i = 0;
		while (i < sorted.size()) {
			int start = sorted.get(i).start();
			int end = sorted.get(i).end();
			// overlapping matches form one run; a separator between two adjacent words belongs to neither
			// and stays
			for (i++; i < sorted.size() && sorted.get(i).start() <= end; i++) {
				end = Math.max(end, sorted.get(i).end());
			}
			// never split a surrogate pair, whatever odd word was configured
			if (start > 0 && Character.isLowSurrogate(text.charAt(start))
					&& Character.isHighSurrogate(text.charAt(start - 1))) {
				start--;
			}
			if (end + 1 < text.length() && Character.isHighSurrogate(text.charAt(end))
					&& Character.isLowSurrogate(text.charAt(end + 1))) {
				end++;
			}
			out.append(text, copied, start);
			out.repeat('*', text.codePointCount(start, end + 1));
			copied = end + 1;
		}
		return out.append(text, copied, text.length()).toString();
	}

	/** A word's normal form: what the automaton matches against the normalised text. */
	private static String normalise(String word) {
		StringBuilder normalised = new StringBuilder(word.length());
		for (int i = 0; i < word.length(); i++) {
			char c = FOLD[word.charAt(i)];
			if (!isSeparator(c)) {
				normalised.append(c);
			}
		}
		return normalised.toString();
	}

	/** Characters people put between the letters of a word to slip it past a filter; ignored by matching. */
	private static boolean isSeparator(char folded) {
		return switch (folded) {
			case ' ', '\t', '\n', '\r', '*', '.', '-', '_', '|', '\u200B', '\u200C', '\u200D', '\u2060', '\uFEFF',
					'\u00AD' -> true;
			default -> false;
		};
	}

	private static char[] foldTable() {
		char[] fold = new char[Character.MAX_VALUE + 1];
		for (int c = 0; c <= Character.MAX_VALUE; c++) {
			char f = (char) c;
			if (f >= '\uFF01' && f <= '\uFF5E') {
				f = (char) (f - 0xFEE0);
			}
			else if (f == '\u3000') {
				f = ' ';
			}
			// upper then lower folds the letters with several lower forms (ς and σ, ſ and s) together
			fold[c] = Character.toLowerCase(Character.toUpperCase(f));
		}
		for (int i = 0; i < TRADITIONAL_SIMPLIFIED.length(); i += 2) {
			fold[TRADITIONAL_SIMPLIFIED.charAt(i)] = TRADITIONAL_SIMPLIFIED.charAt(i + 1);
		}
		return fold;
	}

	/**
	 * One occurrence of a word, as indexes into the original text: from its first to its last
	 * (inclusive) non-separator character.
	 */
	private record Match(int word, int start, int end) {
	}

	/**
	 * The Aho–Corasick automaton over the normalised words: a trie whose failure links let one pass
	 * over the text find every occurrence of every word, in time proportional to text plus matches.
	 */
	private static final class Automaton {

		private static final long NO_KEY = -1;

		/** Longest proper suffix of a node's string that is also a node. */
		private final int[] fail;
		/** Length of a node's string, i.e. of the word ending there. */
		private final int[] depth;
		/** Word ending at a node, or -1. */
		private final int[] word;
		/** Nearest node along the failure chain where a word ends, or 0: the words that end here too. */
		private final int[] output;
		/** Trie edges in one open-addressing table (node << 16 | char → child): no boxing, no per-node maps. */
		private final long[] edgeKeys;
		private final int[] edgeTargets;
		private final int edgeShift;
		/** Length of the longest word: how far back positions must be remembered. */
		private final int longest;

		Automaton(Map<String, Integer> words) {
			List<Map<Character, Integer>> children = new ArrayList<>();
			children.add(new HashMap<>());
			int[] depth = new int[16];
			int[] word = new int[16];
			word[0] = -1;
			int longest = 0;
			for (Map.Entry<String, Integer> entry : words.entrySet()) {
				String text = entry.getKey();
				int node = 0;
				for (int i = 0; i < text.length(); i++) {
					Integer child = children.get(node).get(text.charAt(i));
					if (child == null) {
						child = children.size();
						children.get(node).put(text.charAt(i), child);
						children.add(new HashMap<>());
						if (child == depth.length) {
							depth = Arrays.copyOf(depth, child * 2);
							word = Arrays.copyOf(word, child * 2);
						}
						depth[child] = i + 1;
						word[child] = -1;
					}
					node = child;
				}
				word[node] = entry.getValue();
				longest = Math.max(longest, text.length());
			}
			int nodes = children.size();
			this.depth = Arrays.copyOf(depth, nodes);
			this.word = Arrays.copyOf(word, nodes);
			this.longest = longest;
			this.fail = new int[nodes];
			this.output = new int[nodes];

			// breadth first, so a node's failure target (shallower) is complete before the node
			ArrayDeque<Integer> queue = new ArrayDeque<>(children.get(0).values());
			while (!queue.isEmpty()) {
				int node = queue.poll();
				for (Map.Entry<Character, Integer> edge : children.get(node).entrySet()) {
					int child = edge.getValue();
					int f = fail[node];
					while (f != 0 && !children.get(f).containsKey(edge.getKey())) {
						f = fail[f];
					}
					Integer target = node == 0 ? null : children.get(f).get(edge.getKey());
					fail[child] = target == null ? 0 : target;
					output[child] = this.word[fail[child]] >= 0 ? fail[child] : output[fail[child]];
					queue.add(child);
				}
			}

			int bits = Math.max(1, 64 - Long.numberOfLeadingZeros(Math.max(1, (nodes - 1) * 2L - 1)));
			this.edgeShift = 64 - bits;
			this.edgeKeys = new long[1 << bits];
			this.edgeTargets = new int[1 << bits];
			Arrays.fill(edgeKeys, NO_KEY);
			for (int node = 0; node < nodes; node++) {
				for (Map.Entry<Character, Integer> edge : children.get(node).entrySet()) {
					long key = edgeKey(node, edge.getKey());
					int slot = slot(key);
					while (edgeKeys[slot] != NO_KEY) {
						slot = (slot + 1) & (edgeKeys.length - 1);
					}
					edgeKeys[slot] = key;
					edgeTargets[slot] = edge.getValue();
				}
			}
		}

		/** Every occurrence of every word in the text, in order of where it ends. */
		List<Match> find(String text) {
			List<Match> matches = new ArrayList<>();
			// original index of the last `longest` non-separator characters: enough to find where any
			// match began without keeping a position per character of the text
			int[] recent = new int[longest];
			int seen = 0;
			int state = 0;
			for (int i = 0; i < text.length(); i++) {
				char c = FOLD[text.charAt(i)];
				if (isSeparator(c)) {
					continue;
				}
				recent[seen % longest] = i;
				int next;
				while ((next = child(state, c)) < 0 && state != 0) {
					state = fail[state];
				}
				state = Math.max(next, 0);
				for (int hit = word[state] >= 0 ? state : output[state]; hit != 0; hit = output[hit]) {
					matches.add(new Match(word[hit], recent[(seen - depth[hit] + 1) % longest], i));
				}
				seen++;
			}
			return matches;
		}

		private int child(int node, char c) {
			long key = edgeKey(node, c);
			for (int slot = slot(key);; slot = (slot + 1) & (edgeKeys.length - 1)) {
				long found = edgeKeys[slot];
				if (found == key) {
					return edgeTargets[slot];
				}
				if (found == NO_KEY) {
					return -1;
				}
			}
		}

		private static long edgeKey(int node, char c) {
			return (long) node << 16 | c;
		}

		private int slot(long key) {
			return (int) ((key * 0x9E3779B97F4A7C15L) >>> edgeShift);
		}
	}
}
