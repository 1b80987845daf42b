package io.storecast.messaging;

/**
 * The messaging module caches who is in a conversation (checked on every send) for a few seconds.
 * In a cluster, the gateway calls this when another node reports a change
 * ({@link LiveUpdate.ConversationChanged}), so no node acts on an old member list.
 */
public interface ConversationCaches {

	/** Forgets what this node cached about the conversation. */
	void evict(ConversationId id);
}
