package io.storecast.sdk;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * A real-time Storecast client. It connects with an access token, answers each request with a
 * future, delivers messages exactly once and in order per conversation, and after a dropped
 * connection reconnects, resends what was not acknowledged (sends are idempotent on their client
 * message id) and syncs what it missed.
 *
 * <pre>
 * var client = StorecastClient.builder(URI.create("ws://127.0.0.1:8081/ws"), () -> token)
 *     .listener(new Listener() { public void onMessage(JsonNode m) { ... } })
 *     .follow(conversationId, 0)
 *     .connect();
 * client.sendText(conversationId, "你好").join();
 * </pre>
 */
public final class StorecastClient implements AutoCloseable {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final URI uri;
	private final Supplier<String> token;
	private final Listener listener;
	private final boolean reconnect;
	private final HttpClient http;
	private final ScheduledExecutorService timer;
	private final SequenceTracker tracker = new SequenceTracker();
	private final AtomicLong ids = new AtomicLong();
	/** Requests not answered yet, in the order they were made: resent after a reconnect. */
	private final Map<Long, Pending> pending = new ConcurrentSkipListMap<>();
	private final Map<String, Boolean> syncing = new ConcurrentHashMap<>();
	private final Object sendLock = new Object();
	private CompletableFuture<WebSocket> sendChain = CompletableFuture.completedFuture(null);
	/** The socket of the latest connection attempt, from its opening on. */
	private volatile WebSocket current;
	/** The socket requests go to: set once the server said hello. */
	private volatile WebSocket socket;
	private volatile CompletableFuture<Void> ready = new CompletableFuture<>();
	private volatile boolean closed;
	private volatile int attempts;
	/** Who this client is, as the server said in its hello ({@code staff:<uuid>} or {@code customer:<uuid>}). */
	private volatile String participant;
	/** Paces writes to the rate the server announced, so a burst of sends is never refused. */
	private final Pacer pacer = new Pacer();
	private volatile java.util.concurrent.ScheduledFuture<?> pinger;

	private record Pending(ObjectNode frame, CompletableFuture<JsonNode> answer) {
	}

	private StorecastClient(Builder b) {
		this.uri = b.uri;
		this.token = b.token;
		this.listener = b.listener;
		this.reconnect = b.reconnect;
		this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
		this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
			Thread t = new Thread(r, "storecast-client-timer");
			t.setDaemon(true);
			return t;
		});
		b.follow.forEach(tracker::start);
	}

	public static Builder builder(URI uri, Supplier<String> token) {
		return new Builder(uri, token);
	}

	/** Builds a client. */
	public static final class Builder {

		private final URI uri;
		private final Supplier<String> token;
		private Listener listener = new Listener() {
		};
		private boolean reconnect = true;
		private final Map<String, Long> follow = new ConcurrentHashMap<>();

		private Builder(URI uri, Supplier<String> token) {
			this.uri = uri;
			this.token = token;
		}

		public Builder listener(Listener listener) {
			this.listener = listener;
			return this;
		}

		public Builder reconnect(boolean reconnect) {
			this.reconnect = reconnect;
			return this;
		}

		/** Follows a conversation from a seq already seen: everything after it is delivered. */
		public Builder follow(String conversationId, long lastSeenSeq) {
			follow.put(conversationId, lastSeenSeq);
			return this;
		}

		/** Connects and waits until connected and caught up. */
		public StorecastClient connect() {
			StorecastClient client = new StorecastClient(this);
			client.open();
			client.ready.orTimeout(30, TimeUnit.SECONDS).join();
			return client;
		}
	}

	// --- requests ------------------------------------------------------------------------------

	/** Sends a text message; resolves with the ack ({@code seq}, {@code messageId}, {@code duplicate}). */
	public CompletableFuture<JsonNode> sendText(String conversationId, String text) {
		return send(conversationId, UUID.randomUUID().toString(), "TEXT", JSON.createObjectNode().put("text", text), false);
	}

	/** Sends any message kind with your own client message id (reuse it to retry safely). */
	public CompletableFuture<JsonNode> send(String conversationId, String clientMsgId, String kind, JsonNode body,
			boolean requiresAck) {
		ObjectNode frame = JSON.createObjectNode()
			.put("type", "send")
			.put("conversationId", conversationId)
			.put("clientMsgId", clientMsgId)
			.put("kind", kind)
			.put("requiresAck", requiresAck);
		frame.set("body", body);
		// one's own message joins the ordered stream too, so the listener sees the whole conversation
		return request(frame).thenApply(ack -> {
			ObjectNode own = JSON.createObjectNode()
				.put("conversationId", conversationId)
				.put("seq", ack.path("seq").asLong())
				.put("id", ack.path("messageId").asString())
				.put("sender", participant)
				.put("clientMsgId", clientMsgId)
				.put("kind", kind);
			own.set("body", ack.has("body") ? ack.get("body") : body);
			own.put("requiresAck", requiresAck).put("createdAt", ack.path("createdAt").asString()).put("recalled", false);
			arrived(own);
			return ack;
		});
	}

	public CompletableFuture<JsonNode> markRead(String conversationId, long seq) {
		return request(JSON.createObjectNode().put("type", "read").put("conversationId", conversationId).put("seq", seq));
	}

	/** Sends any request frame (its {@code id} is set here) and resolves with the {@code ack}, or fails with the error. */
	public CompletableFuture<JsonNode> request(ObjectNode frame) {
		long id = ids.incrementAndGet();
		frame.put("id", String.valueOf(id));
		Pending p = new Pending(frame, new CompletableFuture<>());
		pending.put(id, p);
		if (ready.isDone() && !ready.isCompletedExceptionally()) {
			write(frame);
		}
		return p.answer();
	}

	/** The last seq delivered per conversation. */
	public Map<String, Long> cursors() {
		return tracker.cursors();
	}

	/** Who this client speaks as ({@code staff:<uuid>} or {@code customer:<uuid>}). */
	public String participant() {
		return participant;
	}

	@Override
	public void close() {
		closed = true;
		WebSocket s = socket;
		if (s != null) {
			s.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
			s.abort();
		}
		timer.shutdownNow();
		pending.values().forEach(p -> p.answer().completeExceptionally(new StorecastException("closed", "client closed", null)));
	}

	/** Drops the connection as a network failure would (for tests of recovery). */
	public void dropConnection() {
		WebSocket s = socket;
		if (s != null) {
			s.abort();
			// abort() does not call the listener: handle the loss here
			lost(s, 1006, "connection dropped");
		}
	}

	// --- connection --------------------------------------------------------------------------

	private void open() {
		String url = uri + (uri.getQuery() == null ? "?" : "&") + "token=" + URLEncoder.encode(token.get(), StandardCharsets.UTF_8);
		http.newWebSocketBuilder().buildAsync(URI.create(url), new Receiver()).whenComplete((ws, error) -> {
			if (error != null) {
				lost(null, 1006, "connect failed: " + error.getMessage());
			}
		});
	}

	/** Handles the loss of one socket once; the late close of an old socket changes nothing. */
	private synchronized void lost(WebSocket ws, int code, String reason) {
		if (ws != null && ws != current) {
			return;
		}
		current = null;
		socket = null;
		if (ready.isDone()) {
			ready = new CompletableFuture<>();
		}
		listener.onDisconnected(code, reason);
		if (closed) {
			return;
		}
		if (!reconnect || code == 4002) {
			// session ended: a new token is needed, not a retry
			closed = true;
			ready.completeExceptionally(new StorecastException("disconnected", reason, null));
			pending.values().forEach(p -> p.answer().completeExceptionally(new StorecastException("disconnected", reason, null)));
			return;
		}
		long delay = Math.min(5_000, 100L << Math.min(attempts++, 6));
		timer.schedule(this::open, delay + ThreadLocalRandom.current().nextLong(delay / 2 + 1), TimeUnit.MILLISECONDS);
	}

	private void connected(WebSocket ws, JsonNode hello) {
		socket = ws;
		participant = hello.path("participant").asString();
		pacer.configure(hello.path("framesPerSecond").asInt(20), hello.path("frameBurst").asInt(40));
		attempts = 0;
		long ping = Math.max(1, hello.path("pingIntervalSeconds").asLong(25));
		if (pinger != null) {
			pinger.cancel(false);
		}
		pinger = timer.scheduleAtFixedRate(() -> {
			if (socket == ws) {
				write(JSON.createObjectNode().put("type", "ping").put("id", "ping"));
			}
		}, ping, ping, TimeUnit.SECONDS);
		// catch up first, then resend what was not acknowledged, then go live
		syncAll().whenComplete((ok, error) -> {
			pending.values().forEach(p -> write(p.frame()));
			ready.complete(null);
			listener.onConnected();
		});
	}

	private CompletableFuture<Void> syncAll() {
		ObjectNode frame = JSON.createObjectNode().put("type", "sync").put("id", "sync-" + ids.incrementAndGet());
		frame.set("cursors", JSON.valueToTree(tracker.cursors()));
		CompletableFuture<JsonNode> answer = new CompletableFuture<>();
		long id = Long.MAX_VALUE - ids.incrementAndGet();
		frame.put("id", String.valueOf(id));
		pending.put(id, new Pending(frame, answer));
		write(frame);
		return answer.handle((result, error) -> {
			if (error != null) {
				Throwable cause = error instanceof java.util.concurrent.CompletionException ? error.getCause() : error;
				if (cause instanceof StorecastException e && "seq-out-of-range".equals(e.code()) && e.field() != null
						&& e.field().startsWith("cursors.")) {
					// our position is ahead of the server's (e.g. restored from an older backup): start
					// that conversation again from the summary rather than keep a cursor that hides messages
					tracker.forget(e.field().substring("cursors.".length()));
					return syncAll();
				}
				return CompletableFuture.<Void>failedFuture(cause);
			}
			result.path("messages").forEach(this::arrived);
			result.path("conversations").forEach(c -> tracker.start(c.path("id").asString(), c.path("lastSeq").asLong()));
			return result.path("more").asBoolean() ? syncAll() : CompletableFuture.<Void>completedFuture(null);
		}).thenCompose(next -> next);
	}

	private void syncConversation(String conversation) {
		if (syncing.putIfAbsent(conversation, true) != null) {
			return;
		}
		ObjectNode frame = JSON.createObjectNode().put("type", "sync");
		frame.set("cursors", JSON.createObjectNode().put(conversation, tracker.last(conversation)));
		request(frame).whenComplete((result, error) -> {
			syncing.remove(conversation);
			if (result != null) {
				result.path("messages").forEach(this::arrived);
				if (result.path("more").asBoolean()) {
					syncConversation(conversation);
				}
			}
		});
	}

	private void arrived(JsonNode message) {
		SequenceTracker.Outcome outcome = tracker.accept(message);
		outcome.deliver().forEach(listener::onMessage);
		if (outcome.gap()) {
			syncConversation(message.path("conversationId").asString());
		}
	}

	private void write(JsonNode frame) {
		String text = JSON.writeValueAsString(frame);
		synchronized (sendLock) {
			// java.net.http.WebSocket takes one send at a time; each waits for its turn in the rate
			sendChain = sendChain.handle((x, e) -> null).thenCompose(x -> {
				long wait = pacer.reserve();
				CompletableFuture<Void> turn = wait <= 0 ? CompletableFuture.completedFuture(null)
						: CompletableFuture.runAsync(() -> {
						}, CompletableFuture.delayedExecutor(wait, TimeUnit.NANOSECONDS));
				return turn.thenCompose(y -> {
					WebSocket s = socket;
					return s == null ? CompletableFuture.completedFuture(null) : s.sendText(text, true);
				});
			});
		}
	}

	/** A token bucket a little below the server's limit. */
	private static final class Pacer {

		private double rate = 18;
		private double capacity = 36;
		private double tokens = 36;
		private long last = System.nanoTime();

		synchronized void configure(int framesPerSecond, int burst) {
			rate = Math.max(1, framesPerSecond * 0.9);
			capacity = Math.max(1, burst - 4);
			tokens = Math.min(tokens, capacity);
		}

		/** Takes a token; returns how long to wait for it, in nanoseconds. */
		synchronized long reserve() {
			long now = System.nanoTime();
			tokens = Math.min(capacity, tokens + (now - last) / 1e9 * rate);
			last = now;
			tokens -= 1;
			return tokens >= 0 ? 0 : (long) (-tokens / rate * 1e9);
		}
	}

	private void answered(JsonNode frame) {
		String id = frame.path("id").asString();
		if (id.isEmpty() || id.equals("ping")) {
			return;
		}
		long key;
		try {
			key = Long.parseLong(id);
		}
		catch (NumberFormatException e) {
			return;
		}
		Pending p = pending.get(key);
		if (p == null) {
			return;
		}
		if (frame.path("code").asString().equals("rate-limited") || frame.path("code").asString().equals("overloaded")) {
			// refused for pace, not for content: the same request goes again a moment later
			timer.schedule(() -> write(p.frame()), 1, TimeUnit.SECONDS);
			return;
		}
		pending.remove(key);
		if (frame.path("type").asString().equals("error")) {
			p.answer().completeExceptionally(new StorecastException(frame.path("code").asString(),
					frame.path("message").asString(), frame.path("field").isMissingNode() ? null : frame.path("field").asString()));
		}
		else {
			p.answer().complete(frame);
		}
	}

	/** Receives frames; the JDK calls it one frame at a time. */
	private final class Receiver implements WebSocket.Listener {

		private final StringBuilder partial = new StringBuilder();

		@Override
		public void onOpen(WebSocket ws) {
			current = ws;
			ws.request(1);
		}

		@Override
		public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
			partial.append(data);
			if (last) {
				String text = partial.toString();
				partial.setLength(0);
				try {
					frame(ws, JSON.readTree(text));
				}
				catch (RuntimeException e) {
					// a listener's failure must not stop the connection
				}
			}
			ws.request(1);
			return null;
		}

		private void frame(WebSocket ws, JsonNode frame) {
			switch (frame.path("type").asString()) {
				case "hello" -> connected(ws, frame);
				case "ack", "error", "pong" -> answered(frame);
				case "message" -> arrived(frame.path("message"));
				default -> listener.onEvent(frame);
			}
		}

		@Override
		public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
			lost(ws, statusCode, reason);
			return null;
		}

		@Override
		public void onError(WebSocket ws, Throwable error) {
			lost(ws, 1006, String.valueOf(error.getMessage()));
		}
	}
}
