package io.storecast.messaging;

import java.time.Instant;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

import tools.jackson.databind.JsonNode;

/** A stored message: its place in the conversation ({@code seq}), who sent it, and its body. */
public record Message(ConversationId conversationId, long seq, UUID id, @Nullable Participant sender,
		@Nullable String clientMsgId, MessageKind kind, JsonNode body, boolean requiresAck, Instant createdAt,
		boolean recalled) {
}
