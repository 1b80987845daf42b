package io.storecast.messaging;

/** DIRECT: two sides (a customer and a store, or two staff); GROUP: many members; CHANNEL: only admins post. */
public enum ConversationKind {
	DIRECT, GROUP, CHANNEL
}
