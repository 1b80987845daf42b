package io.storecast.messaging;

import java.util.Collection;

import io.storecast.identity.CustomerId;
import io.storecast.identity.OrgNodeId;
import io.storecast.identity.StaffId;

/**
 * How other modules speak for the merchant: an order update to a customer, a stock alert to the
 * managers of a store. These calls trust their caller (a module, never a user request), check only
 * that what they name exists, and are idempotent, so an event listener that runs twice posts once.
 * Messages posted here have no sender: clients show them as coming from the store.
 */
public interface MerchantMessaging {

	/** The customer's conversation with a store, opened (with the store's staff in it) if needed. */
	ConversationId customerConversation(OrgNodeId store, CustomerId customer);

	/**
	 * A staff group for one purpose at one org node, such as stock alerts of a store: created on first
	 * use with {@code title}, and given any of {@code members} not yet in it (nobody is removed).
	 *
	 * @param purpose a short stable name, {@code [a-z0-9-]{1,40}}
	 */
	ConversationId staffRoom(OrgNodeId node, String purpose, String title, Collection<StaffId> members);

	/**
	 * Posts a TEXT or CARD message from the store, validated as any other (card types, text length);
	 * a second post with the same {@code key} stores nothing and returns the first.
	 *
	 * @param key the idempotency key, {@code [A-Za-z0-9._:-]{1,64}}
	 */
	SendResult post(ConversationId id, String key, MessageDraft draft);

	/**
	 * Posts to many customers at once what {@link #customerConversation} and {@link #post} would post one
	 * by one, with the same guarantees (conversations opened with the store's staff in them, one stored
	 * message per conversation and key, live to online customers), in a few statements for all of them.
	 * A bad post (its key, draft, store or customer) is refused alone; the others go on.
	 *
	 * @return one result per post, in order
	 */
	java.util.List<CustomerPostResult> postToCustomers(java.util.List<CustomerPost> posts);

	/**
	 * How far the customer of each customer conversation has read (their read cursor, 0 if never);
	 * conversations without a customer are left out.
	 */
	java.util.Map<ConversationId, Long> customerReadSeqs(Collection<ConversationId> ids);

	/**
	 * The idempotency keys of the store's posts ({@link #post}, {@link #postToCustomers}) with a seq in
	 * {@code (afterSeq, uptoSeq]} of the conversation, oldest first: what a {@link CustomerReadUpTo} has
	 * just read. At most the last {@value #MAX_POST_KEYS}.
	 */
	java.util.List<String> postKeys(ConversationId id, long afterSeq, long uptoSeq);

	int MAX_POST_KEYS = 1000;

	/** Who has acknowledged a message (回执确认), and when; empty for a message nobody acknowledged. */
	java.util.Map<Participant, java.time.Instant> acknowledgements(ConversationId id, long seq);
}
