package io.storecast.campaigns.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A message template: text with variables in braces ({@code {nickname}}). Parsed once; checked for
 * unknown variables and for its longest possible rendering when a campaign is saved, so a send never
 * meets a template it cannot render. Text in braces that is not a word ({@code {}}, {@code {1 2}})
 * is kept as it is.
 */
record MessageTemplate(String text, List<String> variables) {

	/** The variables a campaign template may use. */
	static final Set<String> KNOWN = Set.of("nickname", "store", "coupon", "link", "unsubscribe", "product");

	private static final Pattern VARIABLE = Pattern.compile("\\{([A-Za-z_][A-Za-z0-9_]*)\\}");

	static MessageTemplate parse(String text) {
		List<String> names = new ArrayList<>();
		Matcher m = VARIABLE.matcher(text);
		while (m.find()) {
			names.add(m.group(1));
		}
		return new MessageTemplate(text, List.copyOf(names));
	}

	/** The first variable not in {@code allowed}, if any. */
	java.util.Optional<String> firstUnknown(Set<String> allowed) {
		return variables.stream().filter(v -> !allowed.contains(v)).findFirst();
	}

	/** How long the text comes to when every variable takes its longest value ({@code longest}: characters per variable). */
	int longestLength(Map<String, Integer> longest) {
		int length = text.length();
		for (String v : variables) {
			length += longest.getOrDefault(v, 0) - (v.length() + 2);
		}
		return length;
	}

	/** The text with each variable replaced by its value (an unknown one by nothing). */
	String render(Map<String, String> values) {
		if (variables.isEmpty()) {
			return text;
		}
		// what VARIABLE matches, without a regular expression (a template is rendered for every recipient)
		StringBuilder out = new StringBuilder(text.length() + 64);
		int n = text.length();
		int from = 0;
		int open = text.indexOf('{');
		while (open >= 0) {
			int end = open + 1;
			if (end < n && isStart(text.charAt(end))) {
				end++;
				while (end < n && isPart(text.charAt(end))) {
					end++;
				}
				if (end < n && text.charAt(end) == '}') {
					out.append(text, from, open).append(values.getOrDefault(text.substring(open + 1, end), ""));
					from = end + 1;
					open = text.indexOf('{', from);
					continue;
				}
			}
			open = text.indexOf('{', open + 1);
		}
		return out.append(text, from, n).toString();
	}

	private static boolean isStart(char c) {
		return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c == '_';
	}

	private static boolean isPart(char c) {
		return isStart(c) || c >= '0' && c <= '9';
	}
}
