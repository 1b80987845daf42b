package io.storecast.sdk;

import tools.jackson.databind.JsonNode;

/** What the client hears. Callbacks run on the client's receiving thread, one at a time; keep them short. */
public interface Listener {

	/**
	 * A message, delivered exactly once per conversation and in seq order, whether it came live,
	 * through a sync after a reconnect, or is one's own acknowledged send.
	 */
	default void onMessage(JsonNode message) {
	}

	/** Any other push: read, acknowledged, reaction, typing, presence. */
	default void onEvent(JsonNode frame) {
	}

	/** Connected (again) and caught up. */
	default void onConnected() {
	}

	/** The connection dropped; the client reconnects by itself unless closed. */
	default void onDisconnected(int code, String reason) {
	}
}
