package io.storecast.messaging;

/** What became of one {@link CustomerPost}: stored (or found stored before), or refused alone. */
public sealed interface CustomerPostResult {

	/** Stored in the conversation, or, for a repeated key, the message stored the first time. */
	record Posted(ConversationId conversation, SendResult result) implements CustomerPostResult {
	}

	/**
	 * Nothing was stored for this post. The reason is what the single calls throw: an
	 * {@link io.storecast.platform.ApiException} for a bad key or draft, an {@link IllegalArgumentException}
	 * for a store or customer that does not exist.
	 */
	record Refused(RuntimeException reason) implements CustomerPostResult {
	}
}
