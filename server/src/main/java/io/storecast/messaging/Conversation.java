package io.storecast.messaging;

import java.time.Instant;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

/**
 * A conversation as its members see it; {@code readSeq} and {@code unread} are the caller's own.
 */
public record Conversation(ConversationId id, ConversationKind kind, @Nullable UUID orgNodeId,
		@Nullable String title, long lastSeq, int memberCount, int memberLimit, boolean muteAll,
		@Nullable String announcement, @Nullable MemberRole myRole, long readSeq, long unread, Instant createdAt) {
}
