package io.storecast.gateway.internal;

import java.util.List;
import java.util.Set;
import java.util.UUID;

import io.storecast.messaging.ConversationId;
import io.storecast.messaging.Participant;

/**
 * What the nodes of a cluster tell each other: frames for participants connected elsewhere,
 * presence, ended sessions and changed conversations. A single node has nobody to tell.
 */
interface Cluster extends AutoCloseable {

	/** Other nodes push this frame (UTF-8 JSON) to whoever of the audience is connected to them. */
	void push(Set<Participant> audience, byte[] frame);

	/**
	 * The participant's first connection to this node opened ({@code true}) or its last one closed:
	 * recorded for the cluster and told to the other nodes; then {@code changedForAll} runs if the
	 * participant is on no other node (so this node's followers learn of the change). Calls for one
	 * node are handled in order.
	 */
	void presence(Participant participant, boolean online, Runnable changedForAll);

	/** Whether the participant has a connection to another live node. */
	boolean onlineElsewhere(Participant participant);

	/** Other nodes close their connections of these sessions. */
	void sessionsEnded(List<UUID> sessions, String reason);

	/** Other nodes forget what they cached about the conversation. */
	void conversationChanged(ConversationId id);

	/** Where what other nodes say is delivered. */
	void listen(Listener listener);

	@Override
	void close();

	/** Receives what other nodes say. Called on the cluster's I/O thread: must not block. */
	interface Listener {

		void push(Set<Participant> audience, byte[] frame);

		/** A participant connected to or left another node; {@code onlineElsewhere} is their state off this node. */
		void presence(Participant participant, boolean onlineElsewhere);

		void sessionsEnded(List<UUID> sessions, String reason);

		void conversationChanged(ConversationId id);
	}

	/** One node: nothing to tell anybody. */
	final class SingleNode implements Cluster {

		@Override
		public void push(Set<Participant> audience, byte[] frame) {
		}

		@Override
		public void presence(Participant participant, boolean online, Runnable changedForAll) {
			changedForAll.run();
		}

		@Override
		public boolean onlineElsewhere(Participant participant) {
			return false;
		}

		@Override
		public void sessionsEnded(List<UUID> sessions, String reason) {
		}

		@Override
		public void conversationChanged(ConversationId id) {
		}

		@Override
		public void listen(Listener listener) {
		}

		@Override
		public void close() {
		}
	}
}
