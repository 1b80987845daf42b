package io.storecast.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * {@code trigger-latency}: {@code -Dbench.trigger.customers} (1,000) customers of one store follow
 * {@code category:耳饰} and are online over WebSocket; a NEW_ARRIVAL trigger for 耳饰 announces each
 * new product with a product card. The bench launches one product as a warm-up — the first message
 * to each of these new customers also opens their conversation with the store, and the server's code
 * is cold; its figures are reported apart ({@code cold_…}) — then {@code -Dbench.trigger.launches} (5)
 * more one after the other over REST, and measures, for every customer and launch, the time from the
 * start of the launch's {@code PUT /api/v1/catalog/products/…} to the card's push reaching the
 * customer: p50, p99 and max over the measured launches' receipts (target p99 &lt; 2 s), the first
 * card of a launch (the pipeline up to delivery), and exactness over all launches — every customer
 * gets each card once, none missing, none twice. The send window is opened to the whole day and the
 * cap raised (the launches must not meet quiet hours or the cap, whatever the hour the bench runs).
 */
final class TriggerLatencyScenario implements Scenario {

	static final String NAME = "trigger-latency";
	static final double TARGET_P99_MS = 2000;
	private static final String CARD_MARK = "\"productId\":\"";

	@Override
	public String name() {
		return NAME;
	}

	/** Arrival times per launch and customer (0: not yet), and cards seen again. */
	static final class Receipts {

		final Map<String, AtomicLongArray> byProduct = new ConcurrentHashMap<>();
		final AtomicLong duplicates = new AtomicLong();
		final AtomicLong unexpected = new AtomicLong();
		private final int customers;

		Receipts(int customers) {
			this.customers = customers;
		}

		void expect(String product) {
			byProduct.put(product, new AtomicLongArray(customers));
		}

		/** A frame reached customer {@code index} at {@code nanos}: records the card it carries, if any. */
		void heard(int index, String frame, long nanos) {
			if (!frame.startsWith("{\"type\":\"message\"")) {
				return;
			}
			String product = productOf(frame);
			AtomicLongArray arrivals = product == null ? null : byProduct.get(product);
			if (arrivals == null) {
				unexpected.incrementAndGet();
				return;
			}
			if (!arrivals.compareAndSet(index, 0, nanos)) {
				duplicates.incrementAndGet();
			}
		}

		static String productOf(String frame) {
			int at = frame.indexOf(CARD_MARK);
			if (at < 0) {
				return null;
			}
			int from = at + CARD_MARK.length();
			int to = frame.indexOf('"', from);
			return to < 0 ? null : frame.substring(from, to);
		}

		int received(String product) {
			AtomicLongArray arrivals = byProduct.get(product);
			int n = 0;
			for (int i = 0; i < arrivals.length(); i++) {
				n += arrivals.get(i) == 0 ? 0 : 1;
			}
			return n;
		}
	}

	@Override
	public boolean run(Results results) throws Exception {
		int customers = Integer.getInteger("bench.trigger.customers", 1000);
		int launches = Integer.getInteger("bench.trigger.launches", 5);
		try (StorecastFixture fx = StorecastFixture.start(NAME); WsDriver driver = new WsDriver()) {
			String store = fx.createStore("TL-1");
			StorecastFixture.Customers people = fx.mintCustomers("tl", customers, customers, i -> store, 32);
			StorecastFixture.parallel("follow", customers, 32, Duration.ofMinutes(5), i -> {
				StorecastApi.Response r = fx.api.post("/api/v1/audience/me/subscriptions", people.tokens()[i],
						Map.of("topic", "category:耳饰", "source", "QR"));
				if (r.status() != 201 && r.status() != 200) {
					throw new IllegalStateException("following failed: " + r.status() + " " + r.body());
				}
			});
			ok(fx.api.put("/api/v1/audience/policy/nodes/" + fx.headOffice, fx.ownerToken, Map.of("sendWindow",
					Map.of("start", "00:00", "end", "23:59"), "cap", 1000, "capDays", 30)), "opening the send window");
			ok(fx.api.post("/api/v1/campaign-triggers", fx.ownerToken, Map.of("name", "新款耳饰上新", "kind", "NEW_ARRIVAL",
					"params", Map.of("categories", List.of("耳饰")), "stores", List.of(store), "route",
					List.of(Map.of("channel", "IN_APP")), "templates",
					Map.of("IN_APP", Map.of("zh-CN", "{nickname}您好!{store}上新:{product}")))), "creating the trigger");

			Receipts receipts = new Receipts(customers);
			WsDriver.Batch batch = driver.connectAll(customers, i -> fx.wsUri(people.tokens()[i]),
					i -> (connection, text) -> receipts.heard(connection.index(), text, System.nanoTime()), 256,
					Duration.ofMinutes(3), Duration.ofSeconds(20), IdleConnectionsScenario.PING);
			if (batch.failed() > 0) {
				throw new IllegalStateException(batch.failed() + " connections failed: " + batch.failures());
			}
			Bench.progress("%s: %,d customers following category:耳饰 online in %d ms", NAME, customers,
					batch.took().toMillis());

			Launch cold = launch(fx, receipts, customers, "cold");
			results.emit(NAME, "cold_first_card", cold.first() / 1e6, "ms");
			results.emit(NAME, "cold_last_card", cold.last() / 1e6, "ms");
			List<Long> samples = new ArrayList<>();
			long missing = cold.missing();
			long firstCards = 0;
			for (int k = 0; k < launches; k++) {
				Launch measured = launch(fx, receipts, customers, String.valueOf(k));
				samples.addAll(measured.latencies());
				missing += measured.missing();
				firstCards = Math.max(firstCards, measured.first());
			}
			Latencies latencies = Latencies.of(samples.stream().mapToLong(Long::longValue).toArray());
			double p50 = latencies.count() == 0 ? -1 : latencies.percentileNanos(50) / 1e6;
			double p99 = latencies.count() == 0 ? -1 : latencies.percentileNanos(99) / 1e6;
			double max = latencies.count() == 0 ? -1 : latencies.percentileNanos(100) / 1e6;
			results.emit(NAME, "customers_online", customers, "count");
			results.emit(NAME, "launches", launches, "count");
			results.emit(NAME, "cards", samples.size(), "count");
			results.emit(NAME, "latency_p50", p50, "ms");
			results.emit(NAME, "latency_p99", p99, "ms");
			results.emit(NAME, "latency_max", max, "ms");
			results.emit(NAME, "first_card_max", firstCards / 1e6, "ms");
			results.emit(NAME, "missing", missing, "count");
			results.emit(NAME, "duplicates", receipts.duplicates.get(), "count");
			Bench.progress("%s: %,d cards over %d launches to %,d customers: p50 %.0f ms, p99 %.0f ms (target %.0f ms), "
					+ "max %.0f ms; cold launch %.0f ms; %d missing, %d twice", NAME, samples.size(), launches, customers, p50,
					p99, TARGET_P99_MS, max, cold.last() / 1e6, missing, receipts.duplicates.get());
			driver.dropAll(Duration.ofSeconds(20));
			return missing == 0 && receipts.duplicates.get() == 0;
		}
	}

	/** One launch's receipts: latencies (ns) of the cards that came, the first and the last, and how many did not. */
	record Launch(List<Long> latencies, long first, long last, long missing) {
	}

	/** Launches one product and waits (up to 30 s) for every customer's card. */
	private static Launch launch(StorecastFixture fx, Receipts receipts, int customers, String label) throws Exception {
		String product = "TL-" + label + "-" + Long.toHexString(System.nanoTime());
		receipts.expect(product);
		long started = System.nanoTime();
		ok(fx.api.put("/api/v1/catalog/products/" + product, fx.ownerToken, Map.of("name", "珍珠耳钉 " + label, "category",
				"耳饰", "skus", List.of(Map.of("externalId", product + "-S", "priceFen", 39_900)))), "launching " + product);
		long deadline = started + Duration.ofSeconds(30).toNanos();
		while (receipts.received(product) < customers && System.nanoTime() < deadline) {
			Thread.sleep(20); // a poll interval, not a wait for an outcome
		}
		AtomicLongArray arrivals = receipts.byProduct.get(product);
		List<Long> latencies = new ArrayList<>(customers);
		long missing = 0;
		for (int i = 0; i < customers; i++) {
			long at = arrivals.get(i);
			if (at == 0) {
				missing++;
			}
			else {
				latencies.add(at - started);
			}
		}
		long first = latencies.stream().mapToLong(Long::longValue).min().orElse(0);
		long last = latencies.stream().mapToLong(Long::longValue).max().orElse(0);
		Bench.progress("%s: launch %s: %,d of %,d cards, the first after %.0f ms, the last after %.0f ms", NAME, label,
				latencies.size(), customers, first / 1e6, last / 1e6);
		Thread.sleep(1000); // the launch's after-work (read checks) settles before the next
		return new Launch(latencies, first, last, missing);
	}

	private static void ok(StorecastApi.Response r, String what) {
		if (r.status() / 100 != 2) {
			throw new IllegalStateException(what + " failed: " + r.status() + " " + r.body());
		}
	}
}
