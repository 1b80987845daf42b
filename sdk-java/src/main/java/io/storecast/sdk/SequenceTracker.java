package io.storecast.sdk;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import tools.jackson.databind.JsonNode;

/**
 * Per conversation, hands messages on exactly once and in seq order: drops what it has seen,
 * holds what arrives early, and reports the gap so the client can fill it with a sync.
 */
final class SequenceTracker {

	private final Map<String, Long> last = new HashMap<>();
	private final Map<String, TreeMap<Long, JsonNode>> early = new HashMap<>();

	/** What an arriving message leads to: messages to deliver now, and whether a gap needs filling. */
	record Outcome(List<JsonNode> deliver, boolean gap) {
	}

	synchronized void start(String conversation, long seq) {
		last.putIfAbsent(conversation, seq);
	}

	/** Forgets a conversation's position (it starts again from the server's summary). */
	synchronized void forget(String conversation) {
		last.remove(conversation);
		early.remove(conversation);
	}

	synchronized Map<String, Long> cursors() {
		return new HashMap<>(last);
	}

	synchronized long last(String conversation) {
		return last.getOrDefault(conversation, -1L);
	}

	synchronized Outcome accept(JsonNode message) {
		String conversation = message.path("conversationId").asString();
		long seq = message.path("seq").asLong();
		Long seen = last.get(conversation);
		if (seen == null) {
			// a conversation this client did not follow yet starts here
			last.put(conversation, seq);
			return new Outcome(List.of(message), false);
		}
		if (seq <= seen) {
			return new Outcome(List.of(), false);
		}
		if (seq > seen + 1) {
			early.computeIfAbsent(conversation, k -> new TreeMap<>()).put(seq, message);
			return new Outcome(List.of(), true);
		}
		List<JsonNode> deliver = new ArrayList<>();
		deliver.add(message);
		long next = seq;
		TreeMap<Long, JsonNode> waiting = early.get(conversation);
		while (waiting != null && waiting.containsKey(next + 1)) {
			deliver.add(waiting.remove(++next));
		}
		if (waiting != null) {
			waiting.headMap(next, true).clear();
		}
		last.put(conversation, next);
		return new Outcome(deliver, waiting != null && !waiting.isEmpty());
	}
}
