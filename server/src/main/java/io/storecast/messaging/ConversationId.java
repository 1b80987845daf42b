package io.storecast.messaging;

import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** Identifies a conversation. */
public record ConversationId(@JsonValue UUID value) {

	@JsonCreator
	public static ConversationId of(UUID value) {
		return new ConversationId(value);
	}

	public static ConversationId valueOf(String text) {
		return new ConversationId(UUID.fromString(text));
	}

	@Override
	public String toString() {
		return value.toString();
	}
}
