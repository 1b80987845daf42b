package io.storecast.messaging.internal;

import java.time.Instant;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

import io.storecast.messaging.ConversationId;
import io.storecast.messaging.MessageKind;
import io.storecast.messaging.Participant;

/** An uploaded file as stored: what it is (sniffed), who uploaded it where, and its digest. */
record FileRow(UUID id, ConversationId conversationId, Participant uploader, MessageKind kind, String contentType,
		long size, String sha256, @Nullable String originalName, Instant createdAt) {

	/** Where clients fetch it, relative to the server. */
	String url() {
		return "/api/v1/conversations/" + conversationId + "/files/" + id;
	}
}
