package io.storecast.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import tools.jackson.databind.JsonNode;

/**
 * {@code reconnect-storm}: C customers connected, each with its direct conversation with its home
 * store; S stores, each with one clerk (a member of all that store's conversations) who stays
 * online. All C customer connections are dropped at once by the driver; while they are down, the
 * clerks send K messages into each conversation (over WebSocket, pipelined up to the server's
 * per-connection queue, or over REST); then all C reconnect at once and sync from their last seq
 * (the protocol's rule: wait for hello, sync until {@code more} is false). Reports the time until
 * every client has every message, what arrived, and the missing and duplicate counts (both must
 * be 0).
 * <p>
 * Each message is committed with fsync before its ack; pipelined over 8 clerk connections the
 * 200,000 messages of the default scale take about 2.5 minutes on a 2-core machine (over REST,
 * several times longer). {@code -Dbench.reconnect.clients=10000} (2000 for a quicker run),
 * {@code -Dbench.reconnect.messages=20}, {@code -Dbench.reconnect.stores=8} (clerks sending in parallel),
 * {@code -Dbench.reconnect.sendOver=ws} (or {@code rest}), {@code -Dbench.reconnect.window=32}
 * (sends in flight per clerk connection), {@code -Dbench.reconnect.sendConcurrency=32} (REST),
 * {@code -Dbench.reconnect.timeout=180} (s for all to catch up).
 */
final class ReconnectStormScenario implements Scenario {

	static final String NAME = "reconnect-storm";
	static final int MAX_CONNECT_ATTEMPTS = 8;

	@Override
	public String name() {
		return NAME;
	}

	/** One reconnecting client: syncs after hello and follows {@code more} until it has the last seq. */
	static final class Client implements WsDriver.Listener {

		private final int index;
		private final String conversation;
		private final Storm storm;
		private long cursor;
		private int syncs;
		volatile long caughtUpAt;

		Client(int index, String conversation, Storm storm) {
			this.index = index;
			this.conversation = conversation;
			this.storm = storm;
		}

		@Override
		public void onOpen(WsDriver.WsConnection c, String hello) {
			storm.connected.incrementAndGet();
			sync(c);
		}

		private void sync(WsDriver.WsConnection c) {
			syncs++;
			storm.syncRequests.increment();
			c.send("{\"type\":\"sync\",\"id\":\"y" + index + "-" + syncs + "\",\"cursors\":{\"" + conversation + "\":" + cursor
					+ "}}");
		}

		@Override
		public void onText(WsDriver.WsConnection c, String text) {
			long now = System.nanoTime();
			Frames.Push push = Frames.messagePush(text);
			if (push != null) {
				storm.pushes.increment();
				take(push, now);
				checkCaughtUp(now);
				return;
			}
			JsonNode frame = Frames.tree(text);
			if (frame == null) {
				return;
			}
			String type = frame.path("type").asString("");
			if (type.equals("error")) {
				storm.errors.increment();
				Bench.progress("  client %d: error %s", index, text);
				return;
			}
			if (!type.equals("ack") || !frame.path("id").asString("").startsWith("y" + index + "-")) {
				return;
			}
			for (JsonNode message : frame.path("messages")) {
				storm.synced.increment();
				take(Frames.push(message), now);
			}
			if (frame.path("more").asBoolean(false)) {
				sync(c);
			}
			else {
				checkCaughtUp(now);
			}
		}

		private void take(Frames.Push p, long now) {
			if (p == null || !conversation.equals(p.conversationId())) {
				storm.foreign.increment();
				return;
			}
			cursor = Math.max(cursor, p.seq());
			int k = (int) (p.seq() - storm.firstSeq[index]);
			if (k < 0 || k >= storm.perClient) {
				storm.foreign.increment();
				return;
			}
			storm.ledger.received(0, index * storm.perClient + k, now);
		}

		private void checkCaughtUp(long now) {
			if (caughtUpAt == 0 && cursor >= storm.lastSeq[index]) {
				caughtUpAt = now;
				storm.caughtUp.incrementAndGet();
			}
		}
	}

	/** State shared by the clients of one storm. */
	static final class Storm {

		final int perClient;
		final long[] firstSeq;
		final long[] lastSeq;
		final DeliveryLedger ledger;
		final AtomicInteger connected = new AtomicInteger();
		final AtomicInteger caughtUp = new AtomicInteger();
		final LongAdder syncRequests = new LongAdder();
		final LongAdder synced = new LongAdder();
		final LongAdder pushes = new LongAdder();
		final LongAdder foreign = new LongAdder();
		final LongAdder errors = new LongAdder();

		Storm(int clients, int perClient) {
			this.perClient = perClient;
			this.firstSeq = new long[clients];
			this.lastSeq = new long[clients];
			int[] only = { 0 };
			this.ledger = new DeliveryLedger(clients * perClient, 1, m -> only);
		}

		/**
		 * Message k of client i is stored with this seq. The K messages of a conversation are sent in
		 * order by one sender, so their seqs must be consecutive.
		 */
		void sent(int i, int k, long seq, long now) {
			int m = i * perClient + k;
			ledger.sent(m, now);
			ledger.acked(m, now);
			if (k == 0) {
				firstSeq[i] = seq;
			}
			if (seq != firstSeq[i] + k) {
				throw new IllegalStateException("client " + i + ": message " + k + " got seq " + seq + " after first seq "
						+ firstSeq[i]);
			}
			lastSeq[i] = seq;
		}
	}

	/**
	 * A clerk's connection that sends K messages into each of its clients' conversations, keeping up
	 * to {@code window} requests in flight (the server processes a connection's requests one at a
	 * time, in order, so the K messages of one conversation keep their order).
	 */
	static final class Sender implements WsDriver.Listener {

		private final int[] clients;
		private final String[] conversations;
		private final Storm storm;
		private final int window;
		private final int total;
		final CompletableFuture<Void> finished = new CompletableFuture<>();
		private WsDriver.WsConnection connection;
		private int next;
		private int answered;
		private int inFlight;

		Sender(int[] clients, String[] conversations, Storm storm, int window) {
			this.clients = clients;
			this.conversations = conversations;
			this.storm = storm;
			this.window = window;
			this.total = clients.length * storm.perClient;
			if (total == 0) {
				finished.complete(null);
			}
		}

		@Override
		public void onOpen(WsDriver.WsConnection c, String hello) {
			connection = c;
		}

		/** Starts sending, on the connection's event loop. */
		void start() {
			connection.channel().eventLoop().execute(this::fill);
		}

		private void fill() {
			while (inFlight < window && next < total) {
				int o = next++;
				int i = clients[o / storm.perClient];
				int k = o % storm.perClient;
				inFlight++;
				connection.send("{\"type\":\"send\",\"id\":\"w" + o + "\",\"conversationId\":\"" + conversations[i]
						+ "\",\"clientMsgId\":\"r-" + i + "-" + k + "\",\"kind\":\"TEXT\",\"body\":{\"text\":\"while you were away "
						+ k + "\"}}");
			}
		}

		@Override
		public void onText(WsDriver.WsConnection c, String text) {
			JsonNode frame = Frames.tree(text);
			if (frame == null) {
				return;
			}
			String type = frame.path("type").asString("");
			int o = Frames.indexAfter(frame.path("id").asString(null), "w");
			if (o < 0 || !(type.equals("ack") || type.equals("error"))) {
				return;
			}
			inFlight--;
			answered++;
			if (type.equals("error")) {
				finished.completeExceptionally(new IllegalStateException("send refused: " + text));
				return;
			}
			try {
				storm.sent(clients[o / storm.perClient], o % storm.perClient, frame.path("seq").asLong(-1), System.nanoTime());
			}
			catch (IllegalStateException e) {
				finished.completeExceptionally(e);
				return;
			}
			if (answered == total) {
				finished.complete(null);
			}
			else {
				fill();
			}
		}

		@Override
		public void onClose(WsDriver.WsConnection c, int closeCode) {
			finished.completeExceptionally(new IllegalStateException("the clerk's connection closed (" + closeCode + ")"));
		}
	}

	@Override
	public boolean run(Results results) throws Exception {
		int clients = Integer.getInteger("bench.reconnect.clients", 10_000);
		int perClient = Integer.getInteger("bench.reconnect.messages", 20);
		int storeCount = Math.max(1, Math.min(clients, Integer.getInteger("bench.reconnect.stores", 8)));
		boolean overRest = System.getProperty("bench.reconnect.sendOver", "ws").equalsIgnoreCase("rest");
		int window = Integer.getInteger("bench.reconnect.window", 32);
		int sendConcurrency = Integer.getInteger("bench.reconnect.sendConcurrency", 32);
		Duration timeout = AuthScenario.seconds("bench.reconnect.timeout", 180);
		try (StorecastFixture fx = StorecastFixture.start(NAME); WsDriver driver = new WsDriver()) {
			String[] stores = fx.createStores("STORM", storeCount);
			String[] clerks = new String[storeCount];
			StorecastFixture.parallel("clerks (create + login)", storeCount, 4, Duration.ofMinutes(2), s -> {
				fx.createStaff("storm-clerk-" + s, "CLERK", stores[s]);
				clerks[s] = fx.login("storm-clerk-" + s);
			});
			StorecastFixture.Customers customers = fx.mintCustomers("storm", clients, clients, i -> stores[i % storeCount],
					32);
			String[] conversations = new String[clients];
			long opening = System.nanoTime();
			StorecastFixture.parallel("direct conversations", clients, 32, Duration.ofMinutes(5),
					i -> conversations[i] = fx.openDirect(customers.tokens()[i], stores[i % storeCount]));
			results.emit(NAME, "open_direct_rate", clients / ((System.nanoTime() - opening) / 1e9), "conversations/s");
			results.emit(NAME, "clients", clients, "count");
			results.emit(NAME, "messages_per_client", perClient, "count");
			results.emit(NAME, "stores", storeCount, "count");
			results.emit(NAME, "sent_over_websocket", overRest ? 0 : 1, "bool");

			// 1. everybody online (the clerks first; they stay online throughout)
			Storm storm = new Storm(clients, perClient);
			Sender[] senders = new Sender[storeCount];
			for (int st = 0; st < storeCount; st++) {
				List<Integer> mine = new ArrayList<>();
				for (int i = st; i < clients; i += storeCount) {
					mine.add(i);
				}
				senders[st] = new Sender(mine.stream().mapToInt(Integer::intValue).toArray(), conversations, storm, window);
			}
			WsDriver.Batch clerkBatch = driver.connectAll(storeCount, st -> fx.wsUri(clerks[st]), st -> senders[st], 16,
					Duration.ofMinutes(1), Duration.ofSeconds(20), IdleConnectionsScenario.PING);
			if (clerkBatch.failed() > 0) {
				throw new IllegalStateException(clerkBatch.failed() + " clerk connections failed: " + clerkBatch.failures());
			}
			IdleConnectionsScenario.IdleListener idle = new IdleConnectionsScenario.IdleListener();
			WsDriver.Batch first = driver.connectAll(clients, i -> fx.wsUri(customers.tokens()[i]), i -> idle, 256,
					Duration.ofMinutes(5), Duration.ofSeconds(20), IdleConnectionsScenario.PING);
			results.emit(NAME, "initially_connected", first.open().size(), "count");
			if (first.failed() > 0) {
				throw new IllegalStateException(first.failed() + " connections failed: " + first.failures());
			}

			// 2. all customers dropped at once
			long dropping = System.nanoTime();
			WsDriver.drop(first.open(), Duration.ofSeconds(30));
			long gauge = -1;
			long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
			while (System.nanoTime() - until < 0 && (gauge = fx.gatewayConnections()) > storeCount) {
				Thread.sleep(50);
			}
			results.emit(NAME, "server_saw_all_gone_after", (System.nanoTime() - dropping) / 1e6, "ms");
			if (gauge != storeCount) {
				throw new IllegalStateException("the server counts " + gauge + " connections 60 s after the drop; expected the "
						+ storeCount + " clerks");
			}

			// 3. the clerks write to everybody while they are away
			long sending = System.nanoTime();
			long cpuServer = fx.server.cpuNanos();
			long cpuPostgres = fx.server.postgresCpuNanos();
			if (overRest) {
				StorecastFixture.parallel("messages while down (REST)", clients, sendConcurrency, Duration.ofMinutes(15), i -> {
					for (int k = 0; k < perClient; k++) {
						long seq = fx.sendRest(clerks[i % storeCount], conversations[i], "r-" + i + "-" + k,
								"while you were away " + k);
						storm.sent(i, k, seq, System.nanoTime());
					}
				});
			}
			else {
				Bench.progress("messages while down (WebSocket): %d clerks, %d in flight each", storeCount, window);
				for (Sender sender : senders) {
					sender.start();
				}
				long deadline = System.nanoTime() + Duration.ofMinutes(15).toNanos();
				long lastReport = System.nanoTime();
				while (Arrays.stream(senders).anyMatch(x -> !x.finished.isDone()) && System.nanoTime() - deadline < 0) {
					Thread.sleep(20);
					if (System.nanoTime() - lastReport > 5_000_000_000L) {
						lastReport = System.nanoTime();
						Bench.progress("  %d of %d sent and acked", storm.ledger.acked(), (long) clients * perClient);
					}
				}
				for (Sender sender : senders) {
					if (!sender.finished.isDone() || sender.finished.isCompletedExceptionally()) {
						throw new IllegalStateException("a clerk did not get all its messages acked: "
								+ (sender.finished.isDone() ? sender.finished.exceptionNow() : "timed out"));
					}
				}
			}
			double sendSeconds = (System.nanoTime() - sending) / 1e9;
			long sent = (long) clients * perClient;
			results.emit(NAME, "messages_sent_while_down", sent, "count");
			results.emit(NAME, "send_rate_while_down", sent / sendSeconds, "msg/s");
			results.emit(NAME, "send_server_cpu_per_message", (fx.server.cpuNanos() - cpuServer) / 1e6 / sent, "ms");
			results.emit(NAME, "send_postgres_cpu_per_message", (fx.server.postgresCpuNanos() - cpuPostgres) / 1e6 / sent,
					"ms");

			// 4. everybody comes back at once and syncs
			Client[] reconnecting = new Client[clients];
			for (int i = 0; i < clients; i++) {
				reconnecting[i] = new Client(i, conversations[i], storm);
			}
			LongAdder retries = new LongAdder();
			AtomicInteger gaveUp = new AtomicInteger();
			long cpuS = fx.server.cpuNanos();
			long cpuP = fx.server.postgresCpuNanos();
			long cpuD = ServerProcess.cpuNanos(ProcessHandle.current());
			long storming = System.nanoTime();
			for (int i = 0; i < clients; i++) {
				connectWithRetry(driver, fx, customers.tokens()[i], reconnecting[i], i, 0, retries, gaveUp);
			}
			long deadline = storming + timeout.toNanos();
			long lastReport = System.nanoTime();
			while (storm.caughtUp.get() + gaveUp.get() < clients && System.nanoTime() - deadline < 0) {
				Thread.sleep(10);
				if (System.nanoTime() - lastReport > 5_000_000_000L) {
					lastReport = System.nanoTime();
					Bench.progress("  %d connected, %d caught up, %d retries", storm.connected.get(), storm.caughtUp.get(),
							retries.sum());
				}
			}
			long stormEnd = System.nanoTime();
			double stormSeconds = (stormEnd - storming) / 1e9;
			// a little longer, to catch duplicates that would arrive after the last client caught up
			Thread.sleep(1000);

			long[] catchUp = Arrays.stream(reconnecting)
				.filter(c -> c.caughtUpAt != 0)
				.mapToLong(c -> c.caughtUpAt - storming)
				.toArray();
			Latencies perClientCatchUp = Latencies.of(catchUp);
			long caughtUp = catchUp.length;
			long missing = storm.ledger.missing();
			results.emit(NAME, "reconnected", storm.connected.get(), "count");
			results.emit(NAME, "reconnect_retries", retries.sum(), "count");
			results.emit(NAME, "reconnect_gave_up", gaveUp.get(), "count");
			results.emit(NAME, "clients_caught_up", caughtUp, "count");
			if (caughtUp == clients) {
				results.emit(NAME, "time_until_all_caught_up", perClientCatchUp.maxMillis(), "ms");
			}
			else {
				results.emit(NAME, "time_until_all_caught_up_not_reached_after", stormSeconds * 1000, "ms");
			}
			if (caughtUp > 0) {
				results.emit(NAME, "client_catch_up_p50", perClientCatchUp.percentileMillis(50), "ms");
				results.emit(NAME, "client_catch_up_p99", perClientCatchUp.percentileMillis(99), "ms");
			}
			results.emit(NAME, "sync_requests", storm.syncRequests.sum(), "count");
			results.emit(NAME, "messages_received", storm.ledger.delivered(), "count");
			results.emit(NAME, "messages_received_by_sync", storm.synced.sum(), "count");
			results.emit(NAME, "messages_received_by_push", storm.pushes.sum(), "count");
			results.emit(NAME, "missing", missing, "count");
			results.emit(NAME, "duplicates", storm.ledger.duplicates(), "count");
			results.emit(NAME, "foreign_messages", storm.foreign.sum(), "count");
			results.emit(NAME, "errors", storm.errors.sum(), "count");
			results.emit(NAME, "storm_cpu_server", (fx.server.cpuNanos() - cpuS) / 1e9 / stormSeconds, "cores");
			results.emit(NAME, "storm_cpu_postgres", (fx.server.postgresCpuNanos() - cpuP) / 1e9 / stormSeconds, "cores");
			results.emit(NAME, "storm_cpu_driver",
					(ServerProcess.cpuNanos(ProcessHandle.current()) - cpuD) / 1e9 / stormSeconds, "cores");
			driver.dropAll(Duration.ofSeconds(30));
			return caughtUp == clients && missing == 0 && storm.ledger.duplicates() == 0 && storm.foreign.sum() == 0
					&& storm.errors.sum() == 0;
		}
	}

	/** Connects; on failure retries with the protocol's backoff (100 ms doubling to 5 s, with jitter), a few times. */
	private static void connectWithRetry(WsDriver driver, StorecastFixture fx, String token, Client client, int index,
			int attempt, LongAdder retries, AtomicInteger gaveUp) {
		driver.connect(index, fx.wsUri(token), client, Duration.ofSeconds(20), IdleConnectionsScenario.PING)
			.whenComplete((c, e) -> {
				if (e == null) {
					return;
				}
				if (attempt + 1 >= MAX_CONNECT_ATTEMPTS) {
					gaveUp.incrementAndGet();
					Bench.progress("  client %d gave up after %d attempts: %s", index, attempt + 1, WsDriver.kind(e));
					return;
				}
				retries.increment();
				long backoff = Math.min(5000, 100L << attempt);
				long delay = backoff / 2 + ThreadLocalRandom.current().nextLong(backoff / 2 + 1);
				driver.group()
					.schedule(() -> connectWithRetry(driver, fx, token, client, index, attempt + 1, retries, gaveUp), delay,
							TimeUnit.MILLISECONDS);
			});
	}
}
