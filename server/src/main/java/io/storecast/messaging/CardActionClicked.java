package io.storecast.messaging;

import java.time.Instant;

import tools.jackson.databind.JsonNode;

/**
 * A member pressed a button of an action card; modules that sent the card (a stock transfer to
 * approve, a survey) act on it. Published through the event registry, so it survives a crash.
 *
 * @param payload the card's payload as it was sent, so a listener needs no second lookup
 */
public record CardActionClicked(ConversationId conversationId, long seq, String actionId, Participant by,
		Instant at, JsonNode payload) {
}
