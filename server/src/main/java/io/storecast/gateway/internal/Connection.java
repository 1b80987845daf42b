package io.storecast.gateway.internal;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.jspecify.annotations.Nullable;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.util.AttributeKey;
import io.storecast.identity.Actor;
import io.storecast.messaging.Participant;

/**
 * One authenticated WebSocket connection: who is on it, its request queue (processed one at a
 * time, in order) and its rate limit. Writes are safe from any thread.
 */
final class Connection {

	static final AttributeKey<Connection> KEY = AttributeKey.valueOf("storecast.connection");

	/** Closing codes of our own (4000-4999 are for applications). */
	static final int CLOSE_SLOW_CONSUMER = 4001;
	static final int CLOSE_SESSION_ENDED = 4002;
	static final int CLOSE_ABUSE = 4003;

	private final Channel channel;
	private final Actor actor;
	private final Participant participant;
	private final @Nullable UUID sessionId;
	private final Bucket bucket;
	private final Executor workers;
	private final int maxPending;
	private final Queue<Runnable> pending = new ArrayDeque<>();
	private boolean running;
	private final AtomicInteger limited = new AtomicInteger();
	private final AtomicBoolean closing = new AtomicBoolean();
	private volatile long limitedWindowStart = System.nanoTime();
	/** Participants whose presence this connection follows. */
	final Set<Participant> following = ConcurrentHashMap.newKeySet();

	/** How long a closing connection may take to receive its close frame before it is cut. */
	private final Duration closeGrace;

	Connection(Channel channel, Actor actor, Participant participant, @Nullable UUID sessionId, GatewaySettings settings,
			Executor workers) {
		this.channel = channel;
		this.actor = actor;
		this.participant = participant;
		this.sessionId = sessionId;
		this.workers = workers;
		this.maxPending = settings.maxPendingRequests();
		this.closeGrace = settings.closeGrace();
		this.bucket = Bucket.builder()
			.addLimit(Bandwidth.builder()
				.capacity(settings.frameBurst())
				.refillGreedy(settings.framesPerSecond(), Duration.ofSeconds(1))
				.build())
			.build();
	}

	Channel channel() {
		return channel;
	}

	Actor actor() {
		return actor;
	}

	Participant participant() {
		return participant;
	}

	@Nullable
	UUID sessionId() {
		return sessionId;
	}

	/** Takes a token for an incoming frame; false when the client sends faster than allowed. */
	boolean admit() {
		return bucket.tryConsume(1);
	}

	/** Counts a refused frame; true once the client has been refused so often it is abuse. */
	boolean refusedTooOften(int threshold) {
		long now = System.nanoTime();
		if (now - limitedWindowStart > Duration.ofMinutes(1).toNanos()) {
			limitedWindowStart = now;
			limited.set(0);
		}
		return limited.incrementAndGet() >= threshold;
	}

	/** Queues a request behind the ones before it; false when too many are waiting. */
	boolean submit(Runnable request) {
		synchronized (pending) {
			if (pending.size() >= maxPending) {
				return false;
			}
			pending.add(request);
			if (running) {
				return true;
			}
			running = true;
		}
		workers.execute(this::drain);
		return true;
	}

	private void drain() {
		while (true) {
			Runnable next;
			synchronized (pending) {
				next = pending.poll();
				if (next == null) {
					running = false;
					return;
				}
			}
			next.run();
		}
	}

	void send(String json) {
		channel.writeAndFlush(new TextWebSocketFrame(json));
	}

	/**
	 * Pushes a frame shared by many recipients (the buffer is retained for this write). A client
	 * whose unread data passed the high-water mark is cut off rather than buffered without limit.
	 */
	void push(ByteBuf shared) {
		if (!channel.isActive() || closing.get()) {
			return;
		}
		if (!channel.isWritable()) {
			close(CLOSE_SLOW_CONSUMER, "slow consumer: too much unread data; reconnect and sync");
			return;
		}
		channel.writeAndFlush(new TextWebSocketFrame(shared.retainedDuplicate()));
	}

	/**
	 * Says why, then closes; once. A client that reads nothing would never receive the close frame
	 * queued behind its unread data, so the connection is cut regardless after a grace period.
	 */
	void close(int code, String reason) {
		if (closing.compareAndSet(false, true) && channel.isActive()) {
			channel.writeAndFlush(new CloseWebSocketFrame(new WebSocketCloseStatus(code, reason)))
				.addListener(f -> channel.close());
			channel.eventLoop().schedule(() -> {
				channel.close();
			}, closeGrace.toMillis(), TimeUnit.MILLISECONDS);
		}
	}
}
