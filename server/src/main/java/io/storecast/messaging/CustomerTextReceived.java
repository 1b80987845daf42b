package io.storecast.messaging;

import java.time.Instant;

import io.storecast.identity.CustomerId;
import io.storecast.identity.OrgNodeId;

/**
 * A customer sent a text message in their direct conversation with a store (what a keyword flow
 * such as "退订" reacts to). Published once the message is committed, outside any transaction and
 * not through the event publication registry (a second commit per customer message would halve
 * the send rate): listen with a plain {@code @EventListener}, keep it quick, and hand real work to a
 * transaction of your own. A crash between the message's commit and the listener loses the event;
 * the message itself stays in the conversation.
 *
 * @param text the text as stored (sensitive words already masked)
 */
public record CustomerTextReceived(ConversationId conversationId, long seq, CustomerId customerId, OrgNodeId storeId,
		String text, Instant at) {
}
