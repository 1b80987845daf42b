package io.storecast.support;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.storecast.sdk.Listener;
import tools.jackson.databind.JsonNode;

/** Records what a client hears, for assertions. */
public final class Recorder implements Listener {

	public final List<JsonNode> messages = new CopyOnWriteArrayList<>();
	public final List<JsonNode> events = new CopyOnWriteArrayList<>();
	public final List<Integer> disconnects = new CopyOnWriteArrayList<>();

	@Override
	public void onMessage(JsonNode message) {
		messages.add(message);
	}

	@Override
	public void onEvent(JsonNode frame) {
		events.add(frame);
	}

	@Override
	public void onDisconnected(int code, String reason) {
		disconnects.add(code);
	}

	/** The seqs received in one conversation, in arrival order. */
	public List<Long> seqs(String conversationId) {
		return messages.stream()
			.filter(m -> m.path("conversationId").asString().equals(conversationId))
			.map(m -> m.path("seq").asLong())
			.toList();
	}
}
