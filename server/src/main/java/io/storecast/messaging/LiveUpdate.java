package io.storecast.messaging;

import java.util.Map;
import java.util.Set;

/** Something that happened in a conversation after commit, with who should hear about it live. */
public sealed interface LiveUpdate {

	ConversationId conversationId();

	/** Who should receive it (members online). */
	Set<Participant> audience();

	/** A message was stored (including recalls and system messages). */
	record MessageStored(Message message, Set<Participant> audience) implements LiveUpdate {

		@Override
		public ConversationId conversationId() {
			return message.conversationId();
		}
	}

	/** A member read up to {@code seq}. */
	record ReadUpTo(ConversationId conversationId, Participant reader, long seq, Set<Participant> audience)
			implements LiveUpdate {
	}

	/** A member acknowledged a message that required it. */
	record Acknowledged(ConversationId conversationId, long seq, Participant member, Set<Participant> audience)
			implements LiveUpdate {
	}

	/** A member pressed a button of an action card. */
	record ActionClicked(ConversationId conversationId, long seq, Participant member, String actionId,
			Set<Participant> audience) implements LiveUpdate {
	}

	/** A reaction was added or removed; {@code counts} are the message's totals after the change. */
	record ReactionChanged(ConversationId conversationId, long seq, Participant member, String emoji, boolean added,
			Map<String, Integer> counts, Set<Participant> audience) implements LiveUpdate {
	}

	/**
	 * Members, roles or mutes of the conversation changed; nothing is pushed to clients, but other
	 * nodes of a cluster drop their cached copies (see {@link ConversationCaches}).
	 */
	record ConversationChanged(ConversationId conversationId) implements LiveUpdate {

		@Override
		public Set<Participant> audience() {
			return Set.of();
		}
	}
}
