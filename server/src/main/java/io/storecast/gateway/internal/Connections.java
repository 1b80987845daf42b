package io.storecast.gateway.internal;

import java.nio.charset.StandardCharsets;
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
import io.storecast.identity.SessionsEnded;
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
class Connections implements LiveUpdates {

	private static final Logger log = LoggerFactory.getLogger(Connections.class);

	/** The connection whose request is being processed on this thread: it gets an ack, not also a push. */
	static final ThreadLocal<Connection> ORIGIN = new ThreadLocal<>();

	private final Map<Participant, Set<Connection>> byParticipant = new ConcurrentHashMap<>();
	private final Map<UUID, Set<Connection>> bySession = new ConcurrentHashMap<>();
	private final Map<Participant, Set<Connection>> followers = new ConcurrentHashMap<>();
	private final JsonMapper json;

	Connections(JsonMapper json, MeterRegistry meters) {
		this.json = json;
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
			presenceChanged(c.participant(), true);
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
			presenceChanged(c.participant(), false);
		}
	}

	boolean online(Participant p) {
		return byParticipant.containsKey(p);
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
		ObjectNode frame = switch (update) {
			case LiveUpdate.MessageStored stored -> {
				ObjectNode f = json.createObjectNode().put("type", "message");
				f.set("message", json.valueToTree(stored.message()));
				yield f;
			}
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
		for (Participant p : update.audience()) {
			Set<Connection> connections = byParticipant.get(p);
			if (connections != null) {
				pushTo(connections, frame, ORIGIN.get());
			}
		}
	}

	/** Pushes one frame to a set of connections, serialising it once. */
	void pushTo(Set<Connection> connections, ObjectNode frame, @Nullable Connection skip) {
		ByteBuf shared = Unpooled.wrappedBuffer(json.writeValueAsString(frame).getBytes(StandardCharsets.UTF_8));
		try {
			for (Connection c : connections) {
				if (c != skip) {
					c.push(shared);
				}
			}
		}
		finally {
			shared.release();
		}
	}

	/** Sends an ephemeral frame (typing) to some participants' connections, except the sender's own. */
	void relay(Set<Participant> audience, ObjectNode frame, Connection from) {
		ByteBuf shared = Unpooled.wrappedBuffer(json.writeValueAsString(frame).getBytes(StandardCharsets.UTF_8));
		try {
			for (Participant p : audience) {
				Set<Connection> connections = byParticipant.get(p);
				if (connections != null) {
					connections.stream().filter(c -> c != from).forEach(c -> c.push(shared));
				}
			}
		}
		finally {
			shared.release();
		}
	}

	@EventListener
	void on(SessionsEnded ended) {
		for (UUID session : ended.sessionIds()) {
			Set<Connection> connections = bySession.get(session);
			if (connections != null) {
				log.debug("Closing {} connection(s) of ended session {}", connections.size(), session);
				connections.forEach(c -> c.close(Connection.CLOSE_SESSION_ENDED, "session ended: " + ended.reason()));
			}
		}
	}
}
