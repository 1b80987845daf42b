package io.storecast.gateway.internal;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import io.micrometer.core.instrument.MeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.storecast.identity.SessionsEnded;
import io.storecast.messaging.ConversationCaches;
import io.storecast.messaging.ConversationId;
import io.storecast.messaging.LiveUpdate;
import io.storecast.messaging.LiveUpdates;
import io.storecast.messaging.Participant;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The connections on this node, by participant and by session; pushes each committed update to the
 * online members once, serialised once; follows presence; closes connections whose session ended.
 */
@Component
class Connections implements LiveUpdates, Cluster.Listener {

	private static final Logger log = LoggerFactory.getLogger(Connections.class);

	/** The connection whose request is being processed on this thread: it gets an ack, not also a push. */
	static final ThreadLocal<Connection> ORIGIN = new ThreadLocal<>();

	private final Map<Participant, Set<Connection>> byParticipant = new ConcurrentHashMap<>();
	private final Map<UUID, Set<Connection>> bySession = new ConcurrentHashMap<>();
	private final Map<Participant, Set<Connection>> followers = new ConcurrentHashMap<>();
	private final JsonMapper json;
	private final Cluster cluster;
	private final ConversationCaches caches;

	Connections(JsonMapper json, MeterRegistry meters, Cluster cluster, ConversationCaches caches) {
		this.json = json;
		this.cluster = cluster;
		this.caches = caches;
		cluster.listen(this);
		meters.gauge("storecast.gateway.connections", bySession, m -> count());
	}

	void add(Connection c) {
		boolean first = byParticipant.compute(c.participant(), (p, set) -> {
			Set<Connection> s = set == null ? ConcurrentHashMap.newKeySet() : set;
			s.add(c);
			return s;
		}).size() == 1;
		if (c.sessionId() != null) {
			bySession.computeIfAbsent(c.sessionId(), k -> ConcurrentHashMap.newKeySet()).add(c);
		}
		if (first) {
			Participant p = c.participant();
			cluster.presence(p, true, () -> presenceChanged(p, true));
		}
	}

	void remove(Connection c) {
		boolean last = byParticipant.computeIfPresent(c.participant(), (p, set) -> {
			set.remove(c);
			return set.isEmpty() ? null : set;
		}) == null;
		if (c.sessionId() != null) {
			bySession.computeIfPresent(c.sessionId(), (k, set) -> {
				set.remove(c);
				return set.isEmpty() ? null : set;
			});
		}
		c.following.forEach(p -> unfollow(c, p));
		if (last) {
			Participant p = c.participant();
			// a connection that came back meanwhile keeps the participant online
			cluster.presence(p, false, () -> {
				if (!byParticipant.containsKey(p)) {
					presenceChanged(p, false);
				}
			});
		}
	}

	/** Whether the participant is connected to this node or, in a cluster, to another live one. */
	boolean online(Participant p) {
		return byParticipant.containsKey(p) || cluster.onlineElsewhere(p);
	}

	int count() {
		return byParticipant.values().stream().mapToInt(Set::size).sum();
	}

	void follow(Connection c, Participant p) {
		c.following.add(p);
		followers.computeIfAbsent(p, k -> ConcurrentHashMap.newKeySet()).add(c);
	}

	private void unfollow(Connection c, Participant p) {
		followers.computeIfPresent(p, (k, set) -> {
			set.remove(c);
			return set.isEmpty() ? null : set;
		});
	}

	private void presenceChanged(Participant p, boolean online) {
		Set<Connection> watching = followers.get(p);
		if (watching == null || watching.isEmpty()) {
			return;
		}
		ObjectNode frame = json.createObjectNode().put("type", "presence").put("participant", p.toString()).put("online", online);
		pushTo(watching, frame, null);
	}

	@Override
	public void publish(LiveUpdate update) {
		if (update instanceof LiveUpdate.ConversationChanged changed) {
			cluster.conversationChanged(changed.conversationId());
			return;
		}
		if (update instanceof LiveUpdate.MessageStored stored) {
			// the most frequent push: serialised straight from the record, without a tree in between
			byte[] frame = json.writeValueAsBytes(new MessagePush("message", stored.message()));
			pushBytes(connectedHere(update.audience()), frame, ORIGIN.get());
			cluster.push(update.audience(), frame);
			return;
		}
		ObjectNode frame = switch (update) {
			case LiveUpdate.MessageStored stored -> throw new AssertionError("handled above");
			case LiveUpdate.ConversationChanged changed -> throw new AssertionError("handled above");
			case LiveUpdate.ReadUpTo read -> json.createObjectNode()
				.put("type", "read")
				.put("conversationId", read.conversationId().toString())
				.put("participant", read.reader().toString())
				.put("seq", read.seq());
			case LiveUpdate.Acknowledged ack -> json.createObjectNode()
				.put("type", "acknowledged")
				.put("conversationId", ack.conversationId().toString())
				.put("seq", ack.seq())
				.put("participant", ack.member().toString());
			case LiveUpdate.ActionClicked a -> json.createObjectNode()
				.put("type", "action")
				.put("conversationId", a.conversationId().toString())
				.put("seq", a.seq())
				.put("participant", a.member().toString())
				.put("actionId", a.actionId());
			case LiveUpdate.ReactionChanged r -> {
				ObjectNode f = json.createObjectNode()
					.put("type", "reaction")
					.put("conversationId", r.conversationId().toString())
					.put("seq", r.seq())
					.put("participant", r.member().toString())
					.put("emoji", r.emoji())
					.put("added", r.added());
				f.set("counts", json.valueToTree(r.counts()));
				yield f;
			}
		};
		byte[] bytes = json.writeValueAsBytes(frame);
		pushBytes(connectedHere(update.audience()), bytes, ORIGIN.get());
		cluster.push(update.audience(), bytes);
	}

	/** Pushes one frame to a set of connections, serialising it once. */
	void pushTo(Set<Connection> connections, ObjectNode frame, @Nullable Connection skip) {
		pushBytes(connections, json.writeValueAsBytes(frame), skip);
	}

	/** The frame pushing a stored message: {@code {"type":"message","message":{...}}}. */
	record MessagePush(String type, io.storecast.messaging.Message message) {
	}

	private static void pushBytes(Set<Connection> connections, byte[] frame, @Nullable Connection skip) {
		if (connections.isEmpty()) {
			return;
		}
		ByteBuf shared = Unpooled.wrappedBuffer(frame);
		try {
			pushByLoop(connections.stream().filter(c -> c != skip).toList(), shared);
		}
		finally {
			shared.release();
		}
	}

	/**
	 * Hands each event loop one task with all of its connections, instead of one cross-thread
	 * hand-off per connection: a message to a 2,000-member group costs the committing thread a few
	 * task submissions, and the writes happen on the loops that own the sockets.
	 */
	private static void pushByLoop(Collection<Connection> targets, ByteBuf shared) {
		if (targets.isEmpty()) {
			return;
		}
		Map<EventLoop, List<Connection>> byLoop = new HashMap<>();
		for (Connection c : targets) {
			byLoop.computeIfAbsent(c.channel().eventLoop(), loop -> new ArrayList<>()).add(c);
		}
		byLoop.forEach((loop, connections) -> {
			shared.retain();
			loop.execute(() -> {
				try {
					connections.forEach(c -> c.push(shared));
				}
				finally {
					shared.release();
				}
			});
		});
	}

	/** Sends an ephemeral frame (typing) to some participants' connections, except the sender's own. */
	void relay(Set<Participant> audience, ObjectNode frame, Connection from) {
		byte[] bytes = json.writeValueAsBytes(frame);
		pushBytes(connectedHere(audience), bytes, from);
		cluster.push(audience, bytes);
	}

	/** The connections to this node of those participants. */
	private Set<Connection> connectedHere(Set<Participant> audience) {
		Set<Connection> targets = new HashSet<>();
		for (Participant p : audience) {
			Set<Connection> connections = byParticipant.get(p);
			if (connections != null) {
				targets.addAll(connections);
			}
		}
		return targets;
	}

	@EventListener
	void on(SessionsEnded ended) {
		closeSessions(ended.sessionIds(), ended.reason());
		cluster.sessionsEnded(List.copyOf(ended.sessionIds()), ended.reason());
	}

	// --- what other nodes of a cluster say ---------------------------------------------------------

	@Override
	public void push(Set<Participant> audience, byte[] frame) {
		pushBytes(connectedHere(audience), frame, null);
	}

	@Override
	public void presence(Participant participant, boolean onlineElsewhere) {
		if (!byParticipant.containsKey(participant)) {
			presenceChanged(participant, onlineElsewhere);
		}
	}

	@Override
	public void sessionsEnded(List<UUID> sessions, String reason) {
		closeSessions(sessions, reason);
	}

	@Override
	public void conversationChanged(ConversationId id) {
		caches.evict(id);
	}

	private void closeSessions(java.util.Collection<UUID> sessions, String reason) {
		for (UUID session : sessions) {
			Set<Connection> connections = bySession.get(session);
			if (connections != null) {
				log.debug("Closing {} connection(s) of ended session {}", connections.size(), session);
				connections.forEach(c -> c.close(Connection.CLOSE_SESSION_ENDED, "session ended: " + reason));
			}
		}
	}
}
