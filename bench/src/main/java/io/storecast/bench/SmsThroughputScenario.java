package io.storecast.bench;

import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import tools.jackson.databind.JsonNode;

/**
 * {@code sms-throughput}: {@code -Dbench.sms.messages} (100000) customers with phone numbers written
 * into the server's embedded PostgreSQL, one transactional SMS each enqueued over REST
 * ({@code POST /api/v1/deliveries}, 1,000 per call, 4 calls at a time; the text carries the request key
 * {@code k<i>}), sent by the server over SMPP (window 50, channel rate limit lifted) to an SMSC sink in
 * this process ({@link SmscSink}) that answers every submit at once and sends a DELIVRD receipt for
 * it. Measured at the sink: submits per second in the steady state (10%–90% of the submits), the
 * time from the first enqueue until every submit was seen, until the server counts every delivery
 * DELIVERED ({@code GET /api/v1/deliveries/stats?source=bench}), and exactness: duplicate submits
 * per key and keys never submitted, both of which must be 0. Target: 2,000 submits/s.
 */
final class SmsThroughputScenario implements Scenario {

	static final String NAME = "sms-throughput";
	static final double TARGET_PER_SECOND = 2000;
	static final String PASSWORD = "bench"; // SMPP passwords have at most 8 characters
	static final int BATCH = 1000;

	@Override
	public String name() {
		return NAME;
	}

	/** Spring arguments that point the server's SMS channel at the sink. */
	static List<String> serverArgs(int smscPort) {
		return List.of("--storecast.delivery.sms.smpp.host=127.0.0.1", "--storecast.delivery.sms.smpp.port=" + smscPort,
				"--storecast.delivery.sms.smpp.system-id=storecast", "--storecast.delivery.sms.smpp.password=" + PASSWORD,
				"--storecast.delivery.sms.smpp.source-address=10690000",
				"--storecast.delivery.sms.smpp.window=" + Integer.getInteger("bench.sms.window", 50),
				"--storecast.delivery.channels.sms.rate-per-second=100000");
	}

	@Override
	public boolean run(Results results) throws Exception {
		int messages = Integer.getInteger("bench.sms.messages", 100_000);
		try (SmscSink sink = new SmscSink(PASSWORD, messages);
				AudienceData data = AudienceData.start(NAME, 0, serverArgs(sink.port()))) {
			String store = data.fixture.createStore("SMS-1");
			long generating = System.nanoTime();
			String[] customers = customers(data, store, messages);
			results.emit(NAME, "generate_seconds", (System.nanoTime() - generating) / 1e9, "s");

			long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
			while (sink.binds.get() == 0 && System.nanoTime() < deadline) {
				Thread.sleep(100);
			}
			if (sink.binds.get() == 0) {
				Bench.progress("%s: the server never bound to the SMSC sink", NAME);
				return false;
			}

			long started = System.nanoTime();
			int batches = (messages + BATCH - 1) / BATCH;
			StorecastFixture.parallel("enqueue", batches, 4, Duration.ofMinutes(20), b -> {
				List<Map<String, Object>> requests = new ArrayList<>(BATCH);
				for (int i = b * BATCH; i < Math.min(messages, (b + 1) * BATCH); i++) {
					requests.add(Map.of("source", "bench", "key", "k" + i, "customerId", customers[i], "storeId", store,
							"purpose", "TRANSACTIONAL", "route", List.of(Map.of("channel", "SMS")), "content",
							Map.of("text", "您的订单已发货 bench k" + i)));
				}
				StorecastApi.Response r = data.call("POST", "/api/v1/deliveries", Map.of("requests", requests));
				if (r.status() != 202 || r.body().path("ids").size() != requests.size()) {
					throw new IllegalStateException("enqueueing batch " + b + " failed: " + r.status() + " " + r.body());
				}
			});
			double enqueueSeconds = (System.nanoTime() - started) / 1e9;
			results.emit(NAME, "enqueue_seconds", enqueueSeconds, "s");

			Duration budget = Duration.ofSeconds(Math.max(300, messages / 200));
			deadline = started + budget.toNanos();
			while (sink.submits.get() < messages && System.nanoTime() < deadline) {
				Thread.sleep(200);
			}
			double submittedSeconds = (sink.lastSubmitNanos - started) / 1e9;

			long delivered = 0;
			JsonNode stats = null;
			while (System.nanoTime() < deadline) {
				stats = data.ok(data.call("GET", "/api/v1/deliveries/stats?source=bench", null), "stats");
				delivered = stats.path("byStatus").path("DELIVERED").asLong() + stats.path("byStatus").path("READ").asLong();
				if (delivered >= messages) {
					break;
				}
				Thread.sleep(500);
			}
			double deliveredSeconds = (System.nanoTime() - started) / 1e9;

			long duplicates = sink.duplicates();
			long lost = sink.lost(messages);
			results.emit(NAME, "submits_per_second", sink.steadyPerSecond(), "submits/s");
			results.emit(NAME, "all_submitted_seconds", submittedSeconds, "s");
			results.emit(NAME, "all_delivered_seconds", deliveredSeconds, "s");
			results.emit(NAME, "submits", sink.submits.get(), "submits");
			results.emit(NAME, "duplicates", duplicates, "submits");
			results.emit(NAME, "lost", lost, "deliveries");
			results.emit(NAME, "delivered", delivered, "deliveries");
			results.emit(NAME, "receipts_sent", sink.receiptsSent.get(), "receipts");
			if (stats != null) {
				results.emit(NAME, "segments", stats.path("segments").asLong(), "segments");
			}
			Bench.progress("%s: %,d messages: enqueued in %.1f s, all submitted after %.1f s (steady %.0f/s), all"
					+ " DELIVERED after %.1f s (%,d of %,d); %d duplicates, %d lost, %d unattributed submits, %d receipts"
					+ " failed", NAME, messages, enqueueSeconds, submittedSeconds, sink.steadyPerSecond(), deliveredSeconds,
					delivered, messages, duplicates, lost, sink.unattributed.get(), sink.receiptsFailed.get());
			if (sink.steadyPerSecond() < TARGET_PER_SECOND) {
				Bench.progress("%s: below the target of %.0f submits/s", NAME, TARGET_PER_SECOND);
			}
			return duplicates == 0 && lost == 0 && delivered == messages;
		}
	}

	/** Customers {@code sms-0 … sms-(n-1)} with mobile numbers, written directly; their ids by index. */
	static String[] customers(AudienceData data, String store, int n) throws Exception {
		try (Statement s = data.db.createStatement()) {
			s.execute("""
					INSERT INTO identity_customers (id, external_id, phone, nickname, home_store_id, member_level,
					                                created_at, updated_at)
					SELECT gen_random_uuid(), 'sms-' || n, '+86139' || lpad(n::text, 8, '0'), '顾客' || n, '%s'::uuid,
					       'REGULAR', now(), now()
					  FROM generate_series(0, %d) AS n""".formatted(store, n - 1));
			s.execute("""
					INSERT INTO audience_profiles (customer_id, home_store_id, member_level, phone, registered_at, updated_at)
					SELECT id, home_store_id, member_level, phone, created_at, now()
					  FROM identity_customers WHERE external_id LIKE 'sms-%'""");
			s.execute("ANALYZE");
			String[] ids = new String[n];
			try (ResultSet rs = s.executeQuery(
					"SELECT substring(external_id FROM 5)::int, id FROM identity_customers WHERE external_id LIKE 'sms-%'")) {
				while (rs.next()) {
					ids[rs.getInt(1)] = rs.getString(2);
				}
			}
			return ids;
		}
	}
}
