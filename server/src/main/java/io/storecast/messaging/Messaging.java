package io.storecast.messaging;

import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import io.storecast.identity.Actor;
import io.storecast.identity.OrgNodeId;

/**
 * The messaging module's entry point, used by the REST API and the WebSocket gateway alike. Every
 * method checks that the actor may do it and throws {@link io.storecast.platform.ApiException}
 * otherwise, changing nothing.
 */
public interface Messaging {

	/** A customer's conversation with a store (the customer, or staff of the store, opens it); idempotent. */
	Conversation openWithStore(Actor actor, OrgNodeId store, @Nullable Participant customer);

	/** A staff member's direct conversation with another staff member; idempotent. */
	Conversation openWithStaff(Actor actor, Participant otherStaff);

	/** A group or channel owned by the staff member who creates it, belonging to an org node they reach. */
	Conversation createGroup(Actor actor, ConversationKind kind, OrgNodeId orgNode, String title,
			List<Participant> members, @Nullable Integer memberLimit);

	Conversation get(Actor actor, ConversationId id);

	/** The actor's conversations, most recently active first, with unread counts. */
	List<Conversation> mine(Actor actor, int limit);

	List<Member> members(Actor actor, ConversationId id);

	/** The members of a conversation the actor is in (cached; for relaying ephemeral signals such as typing). */
	java.util.Set<Participant> membersFor(Actor actor, ConversationId id);

	void addMembers(Actor actor, ConversationId id, List<Participant> participants);

	void removeMember(Actor actor, ConversationId id, Participant participant);

	void setRole(Actor actor, ConversationId id, Participant participant, MemberRole role);

	/** Mutes a member until a time (null unmutes). */
	void muteMember(Actor actor, ConversationId id, Participant participant, java.time.@Nullable Instant until);

	void muteAll(Actor actor, ConversationId id, boolean muted);

	/** Pins an announcement (null clears it); also stored as a system message in the sequence. */
	SendResult setAnnouncement(Actor actor, ConversationId id, @Nullable String text, String clientMsgId);

	/**
	 * Stores a message, durably, before answering. A retry with the same {@code clientMsgId} returns
	 * the original (with {@code duplicate = true}) and stores nothing.
	 */
	SendResult send(Actor actor, ConversationId id, String clientMsgId, MessageDraft draft);

	/** Recalls a message: its sender within the recall window, an admin any time. The recall is itself a message. */
	SendResult recall(Actor actor, ConversationId id, long seq, String clientMsgId);

	/**
	 * Messages after {@code afterSeq} (ascending), or before {@code beforeSeq} (descending when
	 * paging back), at most {@code limit}.
	 */
	List<Message> history(Actor actor, ConversationId id, @Nullable Long afterSeq, @Nullable Long beforeSeq, int limit);

	/**
	 * Messages of the conversation holding every word of {@code query} (Chinese is split into words,
	 * traditional characters match simplified ones, case is ignored), newest first, before
	 * {@code beforeSeq} when paging back; recalled messages are never found. A query of 1-200
	 * characters with no words in it (only punctuation) finds nothing.
	 */
	List<Message> search(Actor actor, ConversationId id, String query, @Nullable Long beforeSeq, int limit);

	/** Moves the actor's read cursor forward to {@code seq} (never back). */
	void markRead(Actor actor, ConversationId id, long seq);

	/** Moves the actor's delivered cursor forward to {@code seq} (never back). */
	void markDelivered(Actor actor, ConversationId id, long seq);

	/** Acknowledges a message that requires it (回执确认); idempotent. */
	void acknowledge(Actor actor, ConversationId id, long seq);

	/** Who has and has not acknowledged a message; for its sender and the conversation's admins. */
	AckStatus ackStatus(Actor actor, ConversationId id, long seq);

	/**
	 * Answers an action card by pressing one of its buttons: once per member and card. Publishes
	 * {@link CardActionClicked} and tells the card's sender live.
	 */
	void clickAction(Actor actor, ConversationId id, long seq, String actionId);

	/** Adds or removes the actor's reaction; returns the message's reaction counts after the change. */
	Map<String, Integer> react(Actor actor, ConversationId id, long seq, String emoji, boolean add);

	/**
	 * Everything the actor missed: for each conversation named in {@code cursors}, the messages after
	 * its cursor (up to the batch size; {@code more} says when to ask again); for each other
	 * conversation of the actor, its summary only.
	 */
	SyncResult sync(Actor actor, Map<ConversationId, Long> cursors);

	/** A member with their receipts. */
	record Member(Participant participant, MemberRole role, long readSeq, long deliveredSeq,
			java.time.@Nullable Instant mutedUntil) {
	}

	/** Acknowledgement status of one message. */
	record AckStatus(long seq, List<Participant> acknowledged, List<Participant> pending) {
	}

	/** The answer to a sync. */
	record SyncResult(List<Message> messages, List<Conversation> conversations, boolean more) {
	}
}
