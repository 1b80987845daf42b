package io.storecast.bench;

import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import tools.jackson.databind.JsonNode;

/**
 * {@code fallback}: {@code -Dbench.fallback.messages} (100000) customers with phone numbers, one
 * transactional message each over REST with the route "in-app, then SMS if not read within
 * {@code -Dbench.fallback.after-seconds} (30)". Seven customers in ten read their message: the
 * bench moves their read cursor in the server's database as each message lands (the stand-in for
 * 70,000 customers opening the app; reading over the API is measured by the messaging scenarios).
 * The other three in ten do not. The server's fallback sweep runs every second. Measured: the time
 * until every in-app message is stored, until every fallback SMS reached the SMSC sink, and
 * exactness at the sink: the fallback SMS must be exactly the unread ones — none for a reader,
 * none missing, none twice.
 */
final class FallbackScenario implements Scenario {

	static final String NAME = "fallback";

	@Override
	public String name() {
		return NAME;
	}

	static boolean reads(int i) {
		return i % 10 < 7;
	}

	@Override
	public boolean run(Results results) throws Exception {
		int messages = Integer.getInteger("bench.fallback.messages", 100_000);
		int after = Integer.getInteger("bench.fallback.after-seconds", 30);
		int unread = 0;
		for (int i = 0; i < messages; i++) {
			unread += reads(i) ? 0 : 1;
		}
		List<String> args = new ArrayList<>(SmsThroughputScenario.serverArgs(0));
		try (SmscSink sink = new SmscSink(SmsThroughputScenario.PASSWORD, unread)) {
			args.set(1, "--storecast.delivery.sms.smpp.port=" + sink.port());
			args.add("--storecast.delivery.fallback-sweep=1s");
			args.add("--storecast.delivery.channels.in-app.rate-per-second=100000");
			try (AudienceData data = AudienceData.start(NAME, 0, args)) {
				String store = data.fixture.createStore("FB-1");
				String[] customers = SmsThroughputScenario.customers(data, store, messages);
				long started = System.nanoTime();
				int batches = (messages + SmsThroughputScenario.BATCH - 1) / SmsThroughputScenario.BATCH;
				StorecastFixture.parallel("enqueue", batches, 4, Duration.ofMinutes(20), b -> {
					List<Map<String, Object>> requests = new ArrayList<>(SmsThroughputScenario.BATCH);
					for (int i = b * SmsThroughputScenario.BATCH; i < Math.min(messages, (b + 1) * SmsThroughputScenario.BATCH); i++) {
						requests.add(Map.of("source", "bench", "key", "k" + i, "customerId", customers[i], "storeId", store,
								"purpose", "TRANSACTIONAL", "route", List.of(Map.of("channel", "IN_APP", "fallbackAfterSeconds", after),
										Map.of("channel", "SMS")),
								"content", Map.of("text", "您的包裹已到店，请凭码取货 bench k" + i)));
					}
					StorecastApi.Response r = data.call("POST", "/api/v1/deliveries", Map.of("requests", requests));
					if (r.status() != 202 || r.body().path("ids").size() != requests.size()) {
						throw new IllegalStateException("enqueueing batch " + b + " failed: " + r.status() + " " + r.body());
					}
				});
				results.emit(NAME, "enqueue_seconds", (System.nanoTime() - started) / 1e9, "s");

				// readers read each message as it lands; the rest never do
				long deadline = started + Duration.ofSeconds(Math.max(600, messages / 100)).toNanos();
				double inAppSeconds = -1;
				long landed = 0;
				while (System.nanoTime() < deadline && landed < messages) {
					markReaders(data);
					landed = data.count("SELECT count(*) FROM delivery_attempts WHERE channel = 'IN_APP' AND provider_id IS NOT NULL");
					Thread.sleep(500);
				}
				markReaders(data);
				inAppSeconds = (System.nanoTime() - started) / 1e9;
				results.emit(NAME, "in_app_stored_seconds", inAppSeconds, "s");
				Bench.progress("%s: %,d in-app messages stored after %.1f s", NAME, landed, inAppSeconds);

				while (System.nanoTime() < deadline && sink.submits.get() < unread) {
					markReaders(data);
					Thread.sleep(500);
				}
				double fallbackSeconds = (sink.lastSubmitNanos - started) / 1e9;
				// and nothing more comes after the last fallback was due
				long quiet = System.nanoTime() + Duration.ofSeconds(5).toNanos();
				while (System.nanoTime() < quiet) {
					Thread.sleep(500);
				}
				JsonNode stats = data.ok(data.call("GET", "/api/v1/deliveries/stats?source=bench", null), "stats");
				long read = stats.path("byStatus").path("READ").asLong();
				long wrong = 0;
				long missing = 0;
				for (int i = 0; i < messages; i++) {
					boolean sent = sink.perKey.containsKey("k" + i);
					if (reads(i) && sent) {
						wrong++;
					}
					if (!reads(i) && !sent) {
						missing++;
					}
				}
				long duplicates = sink.duplicates();
				results.emit(NAME, "messages", messages, "messages");
				results.emit(NAME, "unread", unread, "messages");
				results.emit(NAME, "fallback_sms", sink.submits.get(), "submits");
				results.emit(NAME, "fallbacks_to_readers", wrong, "submits");
				results.emit(NAME, "fallbacks_missing", missing, "messages");
				results.emit(NAME, "fallback_duplicates", duplicates, "submits");
				results.emit(NAME, "read", read, "messages");
				results.emit(NAME, "all_fallbacks_seconds", fallbackSeconds, "s");
				Bench.progress("%s: %,d messages, %,d unread after %d s: %,d fallback SMS (%d to readers, %d missing,"
						+ " %d twice), %,d READ; in-app stored in %.1f s, last fallback SMS at %.1f s", NAME, messages, unread,
						after, sink.submits.get(), wrong, missing, duplicates, read, inAppSeconds, fallbackSeconds);
				return sink.submits.get() == unread && wrong == 0 && missing == 0 && duplicates == 0
						&& read == messages - unread;
			}
		}
	}

	/** Moves the read cursor of every reading customer to the end of their conversation. */
	private static void markReaders(AudienceData data) throws Exception {
		try (Statement s = data.db.createStatement()) {
			s.executeUpdate("""
					UPDATE messaging_members m SET read_seq = c.last_seq
					  FROM messaging_conversations c, identity_customers ic
					 WHERE m.conversation_id = c.id AND m.participant = 'customer:' || ic.id
					   AND ic.external_id LIKE 'sms-%' AND substring(ic.external_id FROM 5)::int % 10 < 7
					   AND m.read_seq < c.last_seq""");
		}
	}
}
