package io.storecast.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import tools.jackson.databind.JsonNode;

/**
 * {@code campaign-fanout}: a million customers ({@link AudienceData}), a segment of everyone, and a
 * campaign to it over in-app with a rendered template ({@code {nickname}}, {@code {store}},
 * {@code {product}}, and an unsubscribe {@code {link}} signed per customer). Measures the time from
 * "send now" until every recipient is planned and decided and handed to delivery (the campaign's
 * progress polled every 500 ms): {@code handoff_seconds}, {@code handoff_per_s}, plus the time the
 * recipient list took ({@code plan_seconds}) and the server's heap (Prometheus
 * {@code jvm_memory_used_bytes{area="heap"}}) before and at its highest while sending, and how long an
 * order's notice sent behind the campaign's backlog takes to arrive ({@link #orderNotice}). Delivery's
 * workers run on the same cores, as they would in production: at the bulk trickle while the hand-off
 * holds them ({@code storecast.delivery.bulk-hold.*}), at full speed after. Scale:
 * {@code -Dbench.audience.customers} (1000000); purpose: {@code -Dbench.campaign.purpose}
 * (TRANSACTIONAL: decided without quiet hours, so the figure does not depend on the hour it runs).
 */
final class CampaignFanoutScenario implements Scenario {

	static final String NAME = "campaign-fanout";
	static final double TARGET_PER_S = 16_700;

	@Override
	public String name() {
		return NAME;
	}

	@Override
	public boolean run(Results results) throws Exception {
		int customers = Integer.getInteger("bench.audience.customers", 1_000_000);
		String purpose = System.getProperty("bench.campaign.purpose", "TRANSACTIONAL");
		// a diagnostic: PostgreSQL's statements that took the most time in the hand-off and in the tail
		boolean pgStats = Boolean.getBoolean("bench.campaign.pg-stats");
		List<String> args = new java.util.ArrayList<>(List.of("--storecast.identity.access-token-ttl=6h"));
		if (pgStats) {
			args.add("--storecast.db.embedded-settings[shared_preload_libraries]=pg_stat_statements");
		}
		try (AudienceData data = AudienceData.start(NAME, customers, args)) {
			results.emit(NAME, "generate_seconds", data.generate(), "s");
			if (Boolean.getBoolean("bench.campaign.warm-up")) {
				warmUp(data, results, purpose);
			}
			String id = campaign(data, "月饼礼盒 满200减30", Map.of("all", List.of()), purpose);
			Heap heapBefore = heap(data);
			Heap heapPeak = heapBefore;
			ServerProcess server = data.fixture.server;
			long cpuServer = -server.cpuNanos();
			long cpuPg = -server.postgresCpuNanos();
			if (pgStats) {
				PgStatements.reset(data.dbPort);
			}
			PgActivity pgBefore = PgActivity.now(data.dbPort);
			long started = System.nanoTime();
			data.ok(data.call("POST", "/api/v1/campaigns/" + id + "/send", Map.of()), "sending");
			double planSeconds = -1;
			// when the first recipient was decided, and when a tenth of them were (what the start-up took)
			double firstSeconds = -1;
			double tenthSeconds = -1;
			long decidedAtTenth = 0;
			JsonNode campaign;
			long lastReport = 0;
			while (true) {
				Thread.sleep(500); // a poll interval, not a wait for an outcome
				campaign = data.ok(data.call("GET", "/api/v1/campaigns/" + id, null), "progress");
				JsonNode p = campaign.path("progress");
				long recipients = p.path("recipients").asLong();
				long decided = decided(p);
				double elapsed = (System.nanoTime() - started) / 1e9;
				if (planSeconds < 0 && recipients > 0) {
					planSeconds = elapsed;
				}
				if (firstSeconds < 0 && decided > 0) {
					firstSeconds = elapsed;
				}
				if (tenthSeconds < 0 && recipients > 0 && decided >= recipients / 10) {
					tenthSeconds = elapsed;
					decidedAtTenth = decided;
				}
				heapPeak = heapPeak.max(heap(data));
				if (elapsed - lastReport >= 10) {
					lastReport = (long) elapsed;
					Bench.progress("%s: %.0f s: %s, %,d recipients, %,d handed off, %,d deferred, %,d skipped", NAME, elapsed,
							campaign.path("status").asString(), recipients, p.path("handedOff").asLong(),
							p.path("deferred").asLong(), p.path("skipped").asLong());
				}
				String status = campaign.path("status").asString();
				if ((recipients > 0 && decided >= recipients) || status.equals("FAILED") || status.equals("CANCELLED")) {
					break;
				}
			}
			double seconds = (System.nanoTime() - started) / 1e9;
			cpuServer += server.cpuNanos();
			cpuPg += server.postgresCpuNanos();
			JsonNode p = campaign.path("progress");
			long recipients = p.path("recipients").asLong();
			long handedOff = p.path("handedOff").asLong();
			results.emit(NAME, "recipients", recipients, "customers");
			results.emit(NAME, "handed_off", handedOff, "customers");
			results.emit(NAME, "skipped", p.path("skipped").asLong(), "customers");
			results.emit(NAME, "deferred", p.path("deferred").asLong(), "customers");
			results.emit(NAME, "plan_seconds", planSeconds, "s");
			results.emit(NAME, "handoff_seconds", seconds, "s");
			results.emit(NAME, "handoff_per_s", recipients / seconds, "recipients/s");
			results.emit(NAME, "first_decided_seconds", firstSeconds, "s");
			results.emit(NAME, "tenth_decided_seconds", tenthSeconds, "s");
			if (tenthSeconds > 0 && seconds > tenthSeconds) {
				// the rate once started: from the poll that saw a tenth decided to the end
				results.emit(NAME, "handoff_per_s_after_tenth", (recipients - decidedAtTenth) / (seconds - tenthSeconds),
						"recipients/s");
			}
			results.emit(NAME, "heap_before_mb", heapBefore.usedMb(), "MB");
			results.emit(NAME, "heap_peak_mb", heapPeak.usedMb(), "MB");
			results.emit(NAME, "heap_after_mb", heap(data).usedMb(), "MB");
			results.emit(NAME, "heap_live_before_mb", heapBefore.liveMb(), "MB");
			results.emit(NAME, "heap_live_peak_mb", heapPeak.liveMb(), "MB");
			// what one hand-off cost while it ran (the server's CPU includes delivery's workers posting meanwhile)
			results.emit(NAME, "handoff_server_cpu_per_recipient", cpuServer / 1e6 / Math.max(1, handedOff), "ms");
			results.emit(NAME, "handoff_postgres_cpu_per_recipient", cpuPg / 1e6 / Math.max(1, handedOff), "ms");
			results.emit(NAME, "delivered_at_handoff", delivered(p), "messages");
			PgActivity pgHandOff = PgActivity.now(data.dbPort);
			pgHandOff.since(pgBefore).emit(results, NAME, "handoff", Math.max(1, handedOff), "recipient");
			if (pgStats) {
				PgStatements.report(data.dbPort, NAME, "hand-off", 25);
				PgStatements.reset(data.dbPort);
			}
			// then until delivery has posted every in-app message (stored in the customer's conversation:
			// what an online customer receives at once, and an offline one on reconnecting)
			long limit = started + Duration.ofSeconds(Long.getLong("bench.campaign.deliver-seconds", 900)).toNanos();
			long tail = System.nanoTime();
			long cpuServerTail = -server.cpuNanos();
			long cpuPgTail = -server.postgresCpuNanos();
			if (delivered(p) < handedOff && System.nanoTime() < limit) {
				orderNotice(data, results, id, handedOff - delivered(p), limit);
			}
			while (delivered(p) < handedOff && System.nanoTime() < limit) {
				Thread.sleep(1000); // a poll interval, not a wait for an outcome
				p = data.ok(data.call("GET", "/api/v1/campaigns/" + id, null), "progress").path("progress");
				heapPeak = heapPeak.max(heap(data));
			}
			double deliveredSeconds = (System.nanoTime() - started) / 1e9;
			cpuServerTail += server.cpuNanos();
			cpuPgTail += server.postgresCpuNanos();
			long deliveredAll = delivered(p);
			if (pgStats) {
				PgStatements.report(data.dbPort, NAME, "tail", 25);
			}
			PgActivity pgTail = PgActivity.now(data.dbPort).since(pgHandOff);
			long inTail = deliveredAll - delivered(campaign.path("progress"));
			if (inTail > 0) {
				results.emit(NAME, "delivered", deliveredAll, "messages");
				results.emit(NAME, "delivered_seconds", deliveredSeconds, "s");
				results.emit(NAME, "delivered_per_s", deliveredAll / deliveredSeconds, "messages/s");
				results.emit(NAME, "tail_server_cpu_per_message", cpuServerTail / 1e6 / inTail, "ms");
				results.emit(NAME, "tail_postgres_cpu_per_message", cpuPgTail / 1e6 / inTail, "ms");
				results.emit(NAME, "heap_peak_with_delivery_mb", heapPeak.usedMb(), "MB");
				results.emit(NAME, "heap_live_peak_with_delivery_mb", heapPeak.liveMb(), "MB");
				pgTail.emit(results, NAME, "tail", inTail, "message");
				Bench.progress("%s: %,d of %,d in-app messages posted %.1f s after the send (the tail took %.1f s)", NAME,
						deliveredAll, handedOff, deliveredSeconds, (System.nanoTime() - tail) / 1e9);
			}
			// the last chunk's commit is seen a moment before the campaign is marked sent
			for (int i = 0; i < 60 && !campaign.path("status").asString().equals("SENT")
					&& !campaign.path("status").asString().equals("FAILED"); i++) {
				Thread.sleep(500); // a poll interval, not a wait for an outcome
				campaign = data.ok(data.call("GET", "/api/v1/campaigns/" + id, null), "status");
			}
			Bench.progress("%s: %,d recipients (%,d handed off, %s skipped by reason) in %.1f s = %,.0f/s (target %,.0f/s); "
					+ "recipient list in %.1f s; heap %.0f MB before, %.0f MB at most", NAME, recipients, handedOff,
					p.path("skippedByReason"), seconds, recipients / seconds, TARGET_PER_S, planSeconds, heapBefore.usedMb(),
					heapPeak.usedMb());
			return campaign.path("status").asString().equals("SENT") && recipients == customers;
		}
	}

	/** A new in-app campaign to a new segment of {@code condition}; its id. */
	private static String campaign(AudienceData data, String name, Map<String, Object> condition, String purpose)
			throws Exception {
		String segment = data.ok(data.call("POST", "/api/v1/audience/segments", Map.of("name", name, "condition", condition)),
				"creating the segment").path("id").asString();
		return data.ok(data.call("POST", "/api/v1/campaigns", Map.of("name", name, "purpose", purpose, "startsAt",
				Instant.now().toString(), "endsAt", Instant.now().plus(Duration.ofDays(3)).toString(), "offer",
				Map.of("text", "满200减30", "product", "月饼礼盒"), "stores", List.of(data.fixture.headOffice), "route",
				List.of(Map.of("channel", "IN_APP")), "templates",
				Map.of("IN_APP", Map.of("zh-CN", "{nickname}您好!{store}中秋{product}满200减30,退订点 {link}")), "audience",
				Map.of("kind", "SEGMENT", "segmentId", segment))), "creating the campaign").path("id").asString();
	}

	/**
	 * With {@code -Dbench.campaign.warm-up=true}, a diagnostic: first a campaign to one store's customers
	 * (a tenth of them), handed off and posted in full, so that the measured send runs on a server whose
	 * JIT has compiled the send's and delivery's code (a server that has sent before) rather than on one
	 * just started.
	 */
	private static void warmUp(AudienceData data, Results results, String purpose) throws Exception {
		String id = campaign(data, "预热 warm-up", Map.of("field", "org", "op", "in", "value", List.of("E-0")), purpose);
		long started = System.nanoTime();
		data.ok(data.call("POST", "/api/v1/campaigns/" + id + "/send", Map.of()), "sending the warm-up");
		long limit = started + Duration.ofSeconds(600).toNanos();
		JsonNode p;
		boolean finished;
		while (true) {
			Thread.sleep(1000); // a poll interval, not a wait for an outcome
			p = data.ok(data.call("GET", "/api/v1/campaigns/" + id, null), "the warm-up's progress").path("progress");
			long recipients = p.path("recipients").asLong();
			finished = recipients > 0 && decided(p) >= recipients && delivered(p) >= p.path("handedOff").asLong();
			if (finished || System.nanoTime() > limit) {
				break;
			}
		}
		double seconds = (System.nanoTime() - started) / 1e9;
		results.emit(NAME, "warm_up_finished", finished ? 1 : 0, "boolean");
		if (!finished) {
			Bench.progress("%s: WARNING: the warm-up was not handed off and posted within 600 s; the send measured next "
					+ "competes with what is left of it", NAME);
		}
		results.emit(NAME, "warm_up_recipients", p.path("recipients").asLong(), "customers");
		results.emit(NAME, "warm_up_posted", delivered(p), "messages");
		results.emit(NAME, "warm_up_seconds", seconds, "s");
		Bench.progress("%s: warm-up: %,d recipients handed off and %,d posted in %.1f s", NAME, p.path("handedOff").asLong(),
				delivered(p), seconds);
	}

	/**
	 * An order's shipping notice (a transactional in-app delivery over REST, not bulk) sent while the
	 * campaign's backlog waits: how long until it is in the customer's conversation
	 * ({@code order_notice_seconds}, polled every 100 ms), with the campaign's messages queued ahead of
	 * it when it was sent ({@code order_notice_backlog}).
	 */
	private static void orderNotice(AudienceData data, Results results, String campaign, long backlog, long limit)
			throws Exception {
		String customer = data.ok(data.call("GET", "/api/v1/campaigns/" + campaign + "/recipients?limit=1", null),
				"a recipient").path("items").get(0).path("customerId").asString();
		long sent = System.nanoTime();
		String notice = data.ok(data.call("POST", "/api/v1/deliveries", Map.of("requests", List.of(Map.of("source", "bench",
				"key", "order-notice", "customerId", customer, "storeId", data.eastStores.getFirst(), "purpose",
				"TRANSACTIONAL", "route", List.of(Map.of("channel", "IN_APP")), "content", Map.of("text", "您的订单已发货"))))),
				"an order's notice").path("ids").get(0).asString();
		String status = "QUEUED";
		while (!status.equals("DELIVERED") && !status.equals("READ") && !status.equals("FAILED") && System.nanoTime() < limit) {
			Thread.sleep(100); // a poll interval, not a wait for an outcome
			status = data.ok(data.call("GET", "/api/v1/deliveries/" + notice, null), "the notice").path("status").asString();
		}
		double seconds = (System.nanoTime() - sent) / 1e9;
		results.emit(NAME, "order_notice_backlog", backlog, "messages");
		if (status.equals("DELIVERED") || status.equals("READ")) {
			results.emit(NAME, "order_notice_seconds", seconds, "s");
		}
		Bench.progress("%s: an order's notice sent with %,d campaign messages queued: %s after %.2f s", NAME, backlog, status,
				seconds);
	}

	/** Recipients decided: handed off, deferred or skipped. */
	private static long decided(JsonNode progress) {
		return progress.path("handedOff").asLong() + progress.path("deferred").asLong() + progress.path("skipped").asLong();
	}

	/** In-app messages delivery has finished with: stored in the conversation (DELIVERED; a READ one was too) or FAILED. */
	private static long delivered(JsonNode progress) {
		JsonNode d = progress.path("deliveries");
		return d.path("DELIVERED").asLong() + d.path("FAILED").asLong();
	}

	/**
	 * The server's heap, from its Prometheus endpoint: in use (the sum over heap pools: live objects and
	 * garbage not collected yet, which G1 lets grow with its young generation) and live (Micrometer's
	 * {@code jvm.gc.live.data.size}: the old generation after the last collection that reduced it).
	 */
	record Heap(double usedMb, double liveMb) {

		Heap max(Heap other) {
			return new Heap(Math.max(usedMb, other.usedMb), Math.max(liveMb, other.liveMb));
		}
	}

	static Heap heap(AudienceData data) throws Exception {
		// only the heap's series: a whole scrape every poll cost the server about as much CPU as a sixth of
		// the hand-off it was measuring
		HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(data.fixture.api
			.uri("/actuator/prometheus?includedNames=jvm_memory_used_bytes,jvm_gc_live_data_size_bytes")
			.toString())).timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
		return new Heap(StorecastFixture.sumMetric(r.body(), "jvm_memory_used_bytes", "area=\"heap\"") / (1024 * 1024),
				StorecastFixture.sumMetric(r.body(), "jvm_gc_live_data_size_bytes", "") / (1024 * 1024));
	}

	private static final HttpClient HTTP = HttpClient.newHttpClient();
}
