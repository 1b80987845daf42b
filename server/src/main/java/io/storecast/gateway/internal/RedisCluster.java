package io.storecast.gateway.internal;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.lettuce.core.RedisClient;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.storecast.messaging.ConversationId;
import io.storecast.messaging.Participant;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The cluster over Redis. Every node publishes on one channel ({@code <namespace>:live}) and ignores
 * its own envelopes:
 * <ul>
 * <li>{@code {"t":"push","n":node,"a":[participants],"f":"<frame>"}}: a frame for whoever of the
 * audience is connected to the receiving node;</li>
 * <li>{@code {"t":"presence","n":node,"p":participant,"o":true|false}};</li>
 * <li>{@code {"t":"sessions","n":node,"s":[ids],"r":reason}}: close these sessions' connections;</li>
 * <li>{@code {"t":"changed","n":node,"c":conversation}}: forget cached members.</li>
 * </ul>
 * Presence is a set per participant of the nodes they are connected to ({@code <ns>:online:<p>});
 * a node counts only while its heartbeat key ({@code <ns>:node:<id>}, 30 s, renewed every 10 s)
 * lives, so a crashed node's connections stop counting within 30 s. Pub/sub delivers at most once: a
 * push lost while a node reconnects to Redis shows up at clients as a gap in the seq, which they close
 * with a sync.
 */
final class RedisCluster implements Cluster {

	private static final Logger log = LoggerFactory.getLogger(RedisCluster.class);
	static final Duration HEARTBEAT = Duration.ofSeconds(10);
	static final Duration NODE_TTL = Duration.ofSeconds(30);

	private final String node = UUID.randomUUID().toString();
	private final String namespace;
	private final String channel;
	private final JsonMapper json;
	private final RedisClient client;
	private final StatefulRedisConnection<String, String> commands;
	private final StatefulRedisPubSubConnection<String, String> subscription;
	private final ScheduledExecutorService heartbeat;
	/** Presence changes, in the order they happen on this node (they talk to Redis, so off the I/O threads). */
	private final java.util.concurrent.ExecutorService presenceWork = Executors.newSingleThreadExecutor(r -> {
		Thread t = new Thread(r, "storecast-cluster-presence");
		t.setDaemon(true);
		return t;
	});
	private final Set<Participant> here = java.util.concurrent.ConcurrentHashMap.newKeySet();
	private volatile @Nullable Listener listener;

	RedisCluster(ClusterSettings settings, JsonMapper json) {
		this.namespace = settings.namespace();
		this.channel = namespace + ":live";
		this.json = json;
		this.client = RedisClient.create(settings.redisUrl());
		this.commands = client.connect();
		this.subscription = client.connectPubSub();
		beat();
		subscription.addListener(new RedisPubSubAdapter<>() {
			@Override
			public void message(String from, String message) {
				receive(message);
			}
		});
		subscription.sync().subscribe(channel);
		this.heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
			Thread t = new Thread(r, "storecast-cluster-heartbeat");
			t.setDaemon(true);
			return t;
		});
		heartbeat.scheduleWithFixedDelay(this::beat, HEARTBEAT.toMillis(), HEARTBEAT.toMillis(), TimeUnit.MILLISECONDS);
		log.info("Cluster mode: node {} on {} (namespace '{}')", node, settings.redisUrl(), namespace);
	}

	String node() {
		return node;
	}

	private void beat() {
		try {
			commands.sync().set(nodeKey(node), "1", SetArgs.Builder.ex(NODE_TTL.toSeconds()));
		}
		catch (RuntimeException e) {
			log.warn("Cluster heartbeat failed (Redis unreachable?): {}", e.toString());
		}
	}

	@Override
	public void listen(Listener listener) {
		this.listener = listener;
	}

	@Override
	public void push(Set<Participant> audience, byte[] frame) {
		ObjectNode envelope = envelope("push");
		ArrayNode a = envelope.putArray("a");
		audience.forEach(p -> a.add(p.toString()));
		envelope.put("f", new String(frame, StandardCharsets.UTF_8));
		publish(envelope);
	}

	@Override
	public void presence(Participant participant, boolean online, Runnable changedForAll) {
		presenceWork.execute(() -> {
			try {
				if (online) {
					here.add(participant);
					commands.sync().sadd(onlineKey(participant), node);
				}
				else {
					here.remove(participant);
					commands.sync().srem(onlineKey(participant), node);
				}
			}
			catch (RuntimeException e) {
				log.warn("Could not record the presence of {} in Redis: {}", participant, e.toString());
			}
			publish(envelope("presence").put("p", participant.toString()).put("o", online));
			if (!onlineElsewhere(participant)) {
				changedForAll.run();
			}
		});
	}

	@Override
	public boolean onlineElsewhere(Participant participant) {
		try {
			Set<String> nodes = new HashSet<>(commands.sync().smembers(onlineKey(participant)));
			nodes.remove(node);
			List<String> dead = new ArrayList<>();
			boolean online = false;
			for (String other : nodes) {
				if (commands.sync().exists(nodeKey(other)) > 0) {
					online = true;
				}
				else {
					dead.add(other);
				}
			}
			if (!dead.isEmpty()) {
				// nodes that stopped beating: their connections are gone
				commands.async().srem(onlineKey(participant), dead.toArray(String[]::new));
			}
			return online;
		}
		catch (RuntimeException e) {
			log.warn("Could not read the presence of {} from Redis: {}", participant, e.toString());
			return false;
		}
	}

	@Override
	public void sessionsEnded(List<UUID> sessions, String reason) {
		ObjectNode envelope = envelope("sessions").put("r", reason);
		ArrayNode s = envelope.putArray("s");
		sessions.forEach(id -> s.add(id.toString()));
		publish(envelope);
	}

	@Override
	public void conversationChanged(ConversationId id) {
		publish(envelope("changed").put("c", id.toString()));
	}

	private ObjectNode envelope(String type) {
		return json.createObjectNode().put("t", type).put("n", node);
	}

	private void publish(ObjectNode envelope) {
		// asynchronous: Redis keeps the order of one connection's publishes
		commands.async().publish(channel, json.writeValueAsString(envelope));
	}

	private void receive(String message) {
		Listener l = listener;
		if (l == null) {
			return;
		}
		try {
			JsonNode envelope = json.readTree(message);
			if (node.equals(envelope.path("n").asString())) {
				return;
			}
			switch (envelope.path("t").asString()) {
				case "push" -> {
					Set<Participant> audience = new HashSet<>();
					envelope.path("a").valueStream().forEach(p -> audience.add(Participant.parse(p.asString())));
					l.push(audience, envelope.path("f").asString().getBytes(StandardCharsets.UTF_8));
				}
				case "presence" -> {
					// the state is read again from Redis (off this I/O thread, in order): envelopes may cross
					Participant p = Participant.parse(envelope.path("p").asString());
					presenceWork.execute(() -> l.presence(p, onlineElsewhere(p)));
				}
				case "sessions" -> l.sessionsEnded(
						envelope.path("s").valueStream().map(s -> UUID.fromString(s.asString())).toList(),
						envelope.path("r").asString());
				case "changed" -> l.conversationChanged(ConversationId.valueOf(envelope.path("c").asString()));
				default -> log.debug("Ignoring cluster envelope of type {}", envelope.path("t").asString());
			}
		}
		catch (RuntimeException e) {
			log.warn("Ignoring a cluster envelope that could not be read: {}", e.toString());
		}
	}

	private String onlineKey(Participant p) {
		return namespace + ":online:" + p;
	}

	private String nodeKey(String id) {
		return namespace + ":node:" + id;
	}

	@Override
	public void close() {
		heartbeat.shutdownNow();
		presenceWork.shutdown();
		try {
			presenceWork.awaitTermination(2, TimeUnit.SECONDS);
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
		try {
			for (Participant p : here) {
				commands.sync().srem(onlineKey(p), node);
			}
			commands.sync().del(nodeKey(node));
		}
		catch (RuntimeException e) {
			log.debug("Could not tidy the cluster keys of node {}: {}", node, e.toString());
		}
		subscription.close();
		commands.close();
		client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
	}
}
