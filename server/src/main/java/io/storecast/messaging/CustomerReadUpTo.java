package io.storecast.messaging;

import java.time.Instant;

import io.storecast.identity.CustomerId;

/**
 * A customer's read cursor moved forward in a conversation (a read receipt over REST or WebSocket):
 * they have read every message with a seq in {@code (fromSeq, seq]}. Published through the event
 * registry in the transaction that moved the cursor, so it survives a crash; a receipt that moves
 * nothing (an older or the same seq) publishes nothing. Staff's receipts are not published.
 */
public record CustomerReadUpTo(ConversationId conversationId, CustomerId customerId, long fromSeq, long seq, Instant at) {
}
