package io.storecast.orders.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

import io.storecast.catalog.Catalog;
import io.storecast.catalog.ProductId;
import io.storecast.catalog.ProductQuery;
import io.storecast.catalog.ProductView;
import io.storecast.catalog.SkuView;
import io.storecast.identity.CustomerDirectory;
import io.storecast.identity.CustomerId;
import io.storecast.identity.CustomerProfile;
import io.storecast.identity.DemoMerchantLoaded;
import io.storecast.identity.OrgNodeId;
import io.storecast.orders.OrderId;
import io.storecast.orders.OrderLine;
import io.storecast.orders.OrderSource;
import io.storecast.orders.OrderStatus;
import io.storecast.orders.OrderView;
import io.storecast.orders.OrderView.StatusEntry;
import io.storecast.platform.Ids;

/**
 * Six months of order history for the demo merchant, from the SKUs the catalog has when the demo
 * loads. It runs last among the demo listeners, in the demo's transaction, so that the catalog's demo
 * products exist; with no SKUs it logs and writes nothing. The orders are imported history (source
 * DEMO): they publish no events and send no order cards. The same seed gives the same orders.
 */
@Component
class DemoOrders {

	private static final Logger log = LoggerFactory.getLogger(DemoOrders.class);

	static final int ORDERS = 300;
	static final long SEED = 20261002L;
	static final Duration HISTORY = Duration.ofDays(180);
	private static final String[][] CARRIERS = { { "顺丰速运", "SF" }, { "中通快递", "ZT" }, { "圆通速递", "YT" },
			{ "京东物流", "JD" } };

	private final Catalog catalog;
	private final CustomerDirectory customers;
	private final StoredOrders orders;
	private final Clock clock;

	DemoOrders(Catalog catalog, CustomerDirectory customers, StoredOrders orders, Clock clock) {
		this.catalog = catalog;
		this.customers = customers;
		this.orders = orders;
		this.clock = clock;
	}

	@EventListener
	@Order(Ordered.LOWEST_PRECEDENCE)
	void on(DemoMerchantLoaded demo) {
		int written = load(demo);
		if (written > 0) {
			log.info("Demo merchant: {} orders over the last {} days", written, HISTORY.toDays());
		}
	}

	/** Writes the demo orders not written yet; returns how many were written. */
	int load(DemoMerchantLoaded demo) {
		List<ProductView> products = products();
		Map<String, ProductView> productOf = new HashMap<>();
		List<SkuView> skus = new ArrayList<>();
		for (ProductView p : products) {
			for (SkuView s : p.skus()) {
				if (s.active() && s.priceFen() > 0) {
					skus.add(s);
					productOf.put(s.externalId(), p);
				}
			}
		}
		skus.sort(Comparator.comparing(SkuView::externalId));
		if (skus.isEmpty() || demo.customers().isEmpty() || demo.stores().isEmpty()) {
			log.info("Demo merchant: no order history (the catalog has no SKUs, or there are no customers or stores)");
			return 0;
		}
		Random random = new Random(SEED);
		Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
		Map<CustomerId, Optional<CustomerProfile>> profiles = new HashMap<>();
		List<OrderView> history = new ArrayList<>();
		for (int i = 1; i <= ORDERS; i++) {
			CustomerId customerId = demo.customers().get(random.nextInt(demo.customers().size()));
			Optional<CustomerProfile> profile = profiles.computeIfAbsent(customerId, customers::find);
			OrgNodeId randomStore = demo.stores().get(random.nextInt(demo.stores().size()));
			boolean atHome = random.nextInt(5) != 0;
			if (profile.isEmpty()) {
				continue;
			}
			OrgNodeId home = profile.get().homeStoreId();
			OrgNodeId store = atHome && home != null && demo.stores().contains(home) ? home : randomStore;
			Instant placedAt = now.minus(Duration.ofMinutes(10 + random.nextLong(HISTORY.toMinutes())));
			history.add(order(String.format("DEMO-%06d", i), profile.get(), store, placedAt, now, skus, productOf,
					random));
		}
		return orders.insert(history).size();
	}

	private List<ProductView> products() {
		List<ProductView> all = new ArrayList<>();
		ProductId after = null;
		while (true) {
			List<ProductView> page = catalog.search(ProductQuery.all(), after, 1000);
			all.addAll(page);
			if (page.size() < 1000) {
				return all;
			}
			after = page.getLast().id();
		}
	}

	private static OrderView order(String externalId, CustomerProfile customer, OrgNodeId store, Instant placedAt,
			Instant now, List<SkuView> skus, Map<String, ProductView> productOf, Random random) {
		int count = 1 + (random.nextInt(10) < 3 ? 1 : 0) + (random.nextInt(10) == 0 ? 1 : 0);
		Set<SkuView> chosen = new LinkedHashSet<>();
		while (chosen.size() < Math.min(count, skus.size())) {
			chosen.add(skus.get(random.nextInt(skus.size())));
		}
		List<OrderLine> lines = new ArrayList<>();
		for (SkuView sku : chosen) {
			int quantity = random.nextInt(5) == 0 ? 2 : 1;
			lines.add(new OrderLine(lines.size() + 1, sku.id(), sku.externalId(), sku.productId(),
					sku.productExternalId(), sku.displayName(), productOf.get(sku.externalId()).category(), quantity,
					sku.priceFen(), quantity * sku.priceFen()));
		}
		long subtotal = lines.stream().mapToLong(OrderLine::amountFen).sum();
		long discount = subtotal >= 20_000 && random.nextInt(5) < 2 ? 3_000 : 0;
		long shipping = subtotal < 9_900 ? 1_000 : 0;
		long total = subtotal - discount + shipping;

		List<StatusEntry> timeline = new ArrayList<>();
		timeline.add(entry("created", OrderStatus.CREATED, placedAt, null, null));
		Instant paid = placedAt.plus(Duration.ofMinutes(1 + random.nextInt(20)));
		String[] carrier = CARRIERS[random.nextInt(CARRIERS.length)];
		String tracking = carrier[1] + String.format("%012d", random.nextLong(1_000_000_000_000L));
		Instant shipped = paid.plus(Duration.ofHours(4 + random.nextInt(24)));
		Instant out = shipped.plus(Duration.ofHours(20 + random.nextInt(30)));
		Instant delivered = out.plus(Duration.ofMinutes(60 + random.nextInt(300)));
		int fate = random.nextInt(100);
		if (fate < 4) {
			add(timeline, now, entry("demo-cancelled", OrderStatus.CANCELLED, paid.plus(Duration.ofHours(1)), null, null));
		}
		else {
			add(timeline, now, entry("demo-paid", OrderStatus.PAID, paid, null, null));
			if (fate < 8) {
				Instant cancelled = paid.plus(Duration.ofHours(2));
				add(timeline, now, entry("demo-cancelled", OrderStatus.CANCELLED, cancelled, null, null));
				add(timeline, now, entry("demo-refunded", OrderStatus.REFUNDED, cancelled.plus(Duration.ofHours(20)),
						null, null));
			}
			else {
				add(timeline, now, entry("demo-shipped", OrderStatus.SHIPPED, shipped, carrier[0], tracking));
				add(timeline, now,
						entry("demo-out-for-delivery", OrderStatus.OUT_FOR_DELIVERY, out, carrier[0], tracking));
				add(timeline, now, entry("demo-delivered", OrderStatus.DELIVERED, delivered, null, null));
				if (fate < 12) {
					add(timeline, now, entry("demo-refunded", OrderStatus.REFUNDED,
							delivered.plus(Duration.ofDays(2 + random.nextInt(5))), null, null));
				}
			}
		}
		// each entry says whether it moved the status, as if it had been recorded as it happened
		List<StatusEntry> replayed = new ArrayList<>();
		OrderStatus before = OrderStatus.CREATED;
		for (StatusEntry e : timeline) {
			List<StatusEntry> upTo = new ArrayList<>(replayed);
			upTo.add(e);
			OrderStatus after = Timeline.replay(placedAt, total, upTo).status();
			replayed.add(new StatusEntry(e.eventId(), e.status(), e.occurredAt(), e.recordedAt(),
					e.status() == OrderStatus.CREATED || after != before, e.carrier(), e.trackingNumber(),
					e.expectedDelivery(), e.refundFen(), e.note(), e.recordedBy()));
			before = after;
		}
		Timeline.State state = Timeline.replay(placedAt, total, replayed);
		return new OrderView(new OrderId(Ids.newId()), externalId, customer.id(), customer.externalId(), store,
				state.status(), state.statusAt(), placedAt, state.paidAt(), "CNY", lines, subtotal, discount, shipping,
				total, state.refundedFen(), List.of(), state.carrier(), state.trackingNumber(), state.expectedDelivery(),
				OrderSource.DEMO, replayed, now, now);
	}

	/** Adds the event if it has happened by now: recent orders are still on their way. */
	private static void add(List<StatusEntry> timeline, Instant now, StatusEntry entry) {
		if (entry.occurredAt().isBefore(now)) {
			timeline.add(entry);
		}
	}

	private static StatusEntry entry(String key, OrderStatus status, Instant at, @Nullable String carrier,
			@Nullable String tracking) {
		return new StatusEntry(key, status, at, at, false, carrier, tracking, null, null, null, "demo");
	}
}
