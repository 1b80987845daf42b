package io.storecast.bench;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads the few fields the load scenarios need from server frames. A {@code message} push is by far
 * the most frequent frame (a 2,000-member group turns one send into 2,000 of them), so it has a fast
 * path that scans the text for its fields instead of building a tree; anything else, or a push the
 * fast path cannot read, goes through Jackson.
 */
final class Frames {

	static final JsonMapper JSON = JsonMapper.builder().build();

	private static final String MESSAGE_PREFIX = "{\"type\":\"message\"";

	/** A {@code message} push reduced to what the accounting needs; {@code clientMsgId} may be null. */
	record Push(String conversationId, long seq, String clientMsgId) {
	}

	private Frames() {
	}

	/** The push in {@code text} if it is a {@code message} push, else null. */
	static Push messagePush(String text) {
		if (text.startsWith(MESSAGE_PREFIX)) {
			int from = text.indexOf("\"message\":{", MESSAGE_PREFIX.length());
			if (from > 0) {
				String conversation = stringField(text, "conversationId", from);
				long seq = longField(text, "seq", from);
				String clientMsgId = stringField(text, "clientMsgId", from);
				if (conversation != null && seq >= 0) {
					return new Push(conversation, seq, clientMsgId);
				}
			}
		}
		if (!text.contains("\"message\"")) {
			return null; // not a push: spare the caller a second parse
		}
		JsonNode node = tree(text);
		if (node == null || !"message".equals(node.path("type").asString(null))) {
			return null;
		}
		return push(node.path("message"));
	}

	/** A message object (of a push or of a sync answer) as a push. */
	static Push push(JsonNode message) {
		if (!message.isObject()) {
			return null;
		}
		JsonNode clientMsgId = message.path("clientMsgId");
		return new Push(message.path("conversationId").asString(null), message.path("seq").asLong(-1),
				clientMsgId.isString() ? clientMsgId.asString() : null);
	}

	/** The whole frame as a tree, or null if it is not JSON. */
	static JsonNode tree(String text) {
		try {
			return JSON.readTree(text);
		}
		catch (RuntimeException e) {
			return null;
		}
	}

	/**
	 * The string value of the first {@code "name":"..."} at or after {@code from}; null when the field is
	 * absent, not a string, or contains an escape (the fast path does not unescape).
	 */
	static String stringField(String text, String name, int from) {
		String key = "\"" + name + "\":";
		int at = text.indexOf(key, from);
		if (at < 0) {
			return null;
		}
		int start = at + key.length();
		if (start >= text.length() || text.charAt(start) != '"') {
			return null;
		}
		int end = text.indexOf('"', start + 1);
		if (end < 0) {
			return null;
		}
		String value = text.substring(start + 1, end);
		return value.indexOf('\\') >= 0 ? null : value;
	}

	/** The non-negative whole number of the first {@code "name":123} at or after {@code from}; -1 if none. */
	static long longField(String text, String name, int from) {
		String key = "\"" + name + "\":";
		int at = text.indexOf(key, from);
		if (at < 0) {
			return -1;
		}
		int i = at + key.length();
		long value = 0;
		int digits = 0;
		while (i < text.length() && Character.isDigit(text.charAt(i)) && digits < 18) {
			value = value * 10 + (text.charAt(i) - '0');
			i++;
			digits++;
		}
		return digits == 0 ? -1 : value;
	}

	/** The number after {@code prefix} in an id such as {@code s3-1234}; -1 when it does not start so. */
	static int indexAfter(String id, String prefix) {
		if (id == null || !id.startsWith(prefix) || id.length() == prefix.length() || id.length() > prefix.length() + 9) {
			return -1;
		}
		int value = 0;
		for (int i = prefix.length(); i < id.length(); i++) {
			char ch = id.charAt(i);
			if (ch < '0' || ch > '9') {
				return -1;
			}
			value = value * 10 + (ch - '0');
		}
		return value;
	}
}
