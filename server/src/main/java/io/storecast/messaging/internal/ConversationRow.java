package io.storecast.messaging.internal;

import java.time.Instant;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

import io.storecast.messaging.ConversationId;
import io.storecast.messaging.ConversationKind;

/** A conversation as stored. */
record ConversationRow(ConversationId id, ConversationKind kind, @Nullable UUID orgNodeId, @Nullable String title,
		@Nullable String directKey, String createdBy, Instant createdAt, long lastSeq, Instant lastMessageAt,
		int memberCount, int memberLimit, boolean muteAll, @Nullable String announcement) {
}
