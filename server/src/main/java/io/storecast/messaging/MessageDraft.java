package io.storecast.messaging;

import tools.jackson.databind.JsonNode;

/**
 * What a client asks to send. The body's shape depends on the kind:
 * TEXT {@code {"text": "...", "mentions": ["staff:..."], "mentionAll": false}};
 * CARD {@code {"card": "product", "payload": {...}}}.
 */
public record MessageDraft(MessageKind kind, JsonNode body, boolean requiresAck) {
}
