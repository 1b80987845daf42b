package io.storecast.campaigns.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.modulith.events.ApplicationModuleListener;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;

import io.storecast.audience.AudienceProfiles;
import io.storecast.audience.Topic;
import io.storecast.catalog.Catalog;
import io.storecast.catalog.ProductLaunched;
import io.storecast.catalog.ProductRestocked;
import io.storecast.catalog.ProductView;
import io.storecast.catalog.SkuView;
import io.storecast.coupons.CouponExpiringSoon;
import io.storecast.identity.CustomerDirectory;
import io.storecast.identity.CustomerId;
import io.storecast.identity.OrgDirectory;
import io.storecast.identity.OrgNodeId;
import io.storecast.orders.OrderDelivered;
import io.storecast.orders.OrderId;
import io.storecast.orders.OrderPaid;
import io.storecast.orders.OrderShipped;
import io.storecast.orders.Orders;

/**
 * The events triggers fire on. Each listener runs after the publisher's commit, on a thread of its
 * own (the source is never slowed), and again after a crash (the event publication registry): the
 * firing and its recipients are keyed by trigger, event and customer, so a second run reaches nobody
 * twice. A listener holds no transaction of its own: the firing, its recipients and each chunk commit
 * on their own, so delivery starts on the first chunk while the next is decided.
 */
@Component
class TriggerEvents implements TriggerSending.Check {

	private final Triggers triggers;
	private final TriggerSending sending;
	private final AudienceProfiles audience;
	private final Catalog catalog;
	private final Orders orders;
	private final CustomerDirectory customers;
	private final Surveys surveys;
	private final OrgDirectory org;
	private final Clock clock;

	TriggerEvents(Triggers triggers, TriggerSending sending, AudienceProfiles audience, Catalog catalog, Orders orders,
			CustomerDirectory customers, Surveys surveys, OrgDirectory org, Clock clock) {
		this.surveys = surveys;
		this.org = org;
		this.triggers = triggers;
		this.sending = sending;
		this.audience = audience;
		this.catalog = catalog;
		this.orders = orders;
		this.customers = customers;
		this.clock = clock;
	}

	/**
	 * NEW_ARRIVAL: the followers of the product's {@code category:…} and {@code tag:…} topics and of
	 * the trigger's topics, and the carriers of its tags, among the customers of its stores (one query),
	 * hear of it with a product card.
	 */
	@ApplicationModuleListener(propagation = Propagation.NOT_SUPPORTED)
	void on(ProductLaunched event) {
		List<Trigger> arrivals = triggers.enabled(Trigger.Kind.NEW_ARRIVAL);
		if (arrivals.isEmpty()) {
			return;
		}
		announce(arrivals, event, catalog.findProduct(event.productId()).orElse(null), "product:" + event.productId(), null);
	}

	/**
	 * NEW_ARRIVAL with {@code restocks}: a product on sale back in stock at one of the trigger's stores
	 * is announced as a launch is, to the interested customers of that store alone, from that store;
	 * once per product, store and day in the merchant's zone (a level that flickers between 0 and 1
	 * says it once).
	 */
	@ApplicationModuleListener(propagation = Propagation.NOT_SUPPORTED)
	void on(ProductRestocked event) {
		List<Trigger> arrivals = triggers.enabled(Trigger.Kind.NEW_ARRIVAL)
			.stream()
			.filter(t -> t.definition().params().announcesRestocks() && t.definition().stores().contains(event.storeId()))
			.toList();
		ProductView product = arrivals.isEmpty() ? null : catalog.findProduct(event.productId()).orElse(null);
		if (product == null || !product.onSaleAt(event.at())) {
			return;
		}
		LocalDate day = LocalDate.ofInstant(event.at(), org.headOffice().timeZone());
		announce(arrivals, new ProductLaunched(product.id(), product.externalId(), product.name(), product.category(),
				product.tags(), event.at()), product, "restock:" + event.productId() + ":" + event.storeId() + ":" + day,
				event.storeId());
	}

	/**
	 * Fires the new-arrival triggers for the product on the event; {@code store}: the store it is
	 * announced at (it speaks, and only its customers hear), null: each trigger's stores.
	 */
	private void announce(List<Trigger> arrivals, ProductLaunched product, @Nullable ProductView view, String eventKey,
			@Nullable OrgNodeId store) {
		Triggers.Subject subject = productSubject(product, view, store);
		Set<Topic> productTopics = new LinkedHashSet<>();
		topic(Topic.Kind.CATEGORY, product.category()).ifPresent(productTopics::add);
		product.tags().values().forEach(values -> values.forEach(v -> topic(Topic.Kind.TAG, v).ifPresent(productTopics::add)));
		for (Trigger t : arrivals) {
			Trigger.Params p = t.definition().params();
			List<String> categories = p.categories() == null ? List.of() : p.categories();
			if (!categories.isEmpty() && (product.category() == null || !categories.contains(product.category()))) {
				continue;
			}
			Set<Topic> topics = new LinkedHashSet<>(productTopics);
			(p.topics() == null ? List.<String>of() : p.topics()).forEach(topic -> topics.add(Topic.parse(topic)));
			List<String> tags = p.customerTags() == null ? List.of() : p.customerTags();
			List<OrgNodeId> stores = store == null ? t.definition().stores() : List.of(store);
			sending.fire(t, eventKey, subject, clock.instant(),
					after -> audience.interested(topics, tags, stores, after, TriggerSending.planPage()));
		}
	}

	private static java.util.Optional<Topic> topic(Topic.Kind kind, @Nullable String value) {
		try {
			return value == null ? java.util.Optional.empty() : java.util.Optional.of(new Topic(kind, value));
		}
		catch (IllegalArgumentException notATopic) {
			return java.util.Optional.empty();
		}
	}

	/**
	 * The product's name for {product}, and a product card (when it has an active SKU to price it);
	 * {@code store}: the store that speaks (a restock's), null: each customer's home store.
	 */
	static Triggers.Subject productSubject(ProductLaunched event, @Nullable ProductView product, @Nullable OrgNodeId store) {
		Map<String, Object> data = new LinkedHashMap<>();
		data.put("productId", event.productId().toString());
		data.put("productExternalId", event.externalId());
		if (store != null) {
			data.put("storeId", store.toString());
		}
		List<SkuView> skus = product == null ? List.of() : product.skus().stream().filter(SkuView::active).toList();
		if (skus.isEmpty()) {
			return new Triggers.Subject(Map.of("product", event.name()), null, data, store);
		}
		Map<String, Object> card = new LinkedHashMap<>();
		card.put("type", "product");
		card.put("productId", event.externalId());
		card.put("name", event.name());
		card.put("priceFen", skus.stream().mapToLong(SkuView::priceFen).min().orElseThrow());
		if (skus.size() == 1) {
			card.put("skuId", skus.getFirst().externalId());
		}
		java.util.Objects.requireNonNull(product).images().stream()
			.filter(i -> i.startsWith("https://") || i.startsWith("http://"))
			.findFirst()
			.ifPresent(i -> card.put("imageUrl", i));
		return new Triggers.Subject(Map.of("product", event.name()), card, data, store);
	}

	/** ORDER_SHIPPED: the customer hears at once, day or night (transactional), from the order's store. */
	@ApplicationModuleListener(propagation = Propagation.NOT_SUPPORTED)
	void on(OrderShipped event) {
		Map<String, String> values = Map.of("order", event.externalId(), "carrier", event.carrier(), "tracking",
				event.trackingNumber());
		orderEvent(Trigger.Kind.ORDER_SHIPPED, event.orderId(), event.externalId(), event.customerId(), event.storeId(),
				values, clock.instant());
	}

	/** ORDER_DELIVERED: the customer hears at once (transactional), from the order's store. */
	@ApplicationModuleListener(propagation = Propagation.NOT_SUPPORTED)
	void on(OrderDelivered event) {
		for (Trigger t : triggers.enabled(Trigger.Kind.ORDER_DELIVERED)) {
			orderFiring(t, event.orderId(), event.externalId(), event.customerId(), event.storeId(),
					Map.of("order", event.externalId()), clock.instant(), survey(t));
		}
	}

	/** DAYS_AFTER_PURCHASE: planned now, due {@code days} after the payment (skipped if the order is closed by then). */
	@ApplicationModuleListener(propagation = Propagation.NOT_SUPPORTED)
	void on(OrderPaid event) {
		if (event.status().closing()) {
			return;
		}
		for (Trigger t : triggers.enabled(Trigger.Kind.DAYS_AFTER_PURCHASE)) {
			int days = java.util.Objects.requireNonNull(t.definition().params().days());
			orderFiring(t, event.orderId(), event.externalId(), event.customerId(), event.storeId(),
					Map.of("order", event.externalId()), event.at().plus(Duration.ofDays(days)), survey(t));
		}
	}

	/** The survey the trigger sends, if any. */
	private @Nullable Survey survey(Trigger t) {
		UUID surveyId = t.definition().params().surveyId();
		return surveyId == null ? null : surveys.find(surveyId).orElse(null);
	}

	private void orderEvent(Trigger.Kind kind, OrderId order, String externalId, CustomerId customer, OrgNodeId store,
			Map<String, String> values, Instant due) {
		for (Trigger t : triggers.enabled(kind)) {
			orderFiring(t, order, externalId, customer, store, values, due, null);
		}
	}

	private void orderFiring(Trigger t, OrderId order, String externalId, CustomerId customer, OrgNodeId store,
			Map<String, String> values, Instant due, @Nullable Survey survey) {
		if (!t.definition().stores().contains(store)
				|| t.definition().params().surveyId() != null && (survey == null || survey.closed())) {
			// a trigger naming a survey closed since sends nothing more
			return;
		}
		Map<String, Object> data = new LinkedHashMap<>(values);
		data.put("orderId", order.toString());
		data.put("orderExternalId", externalId);
		if (survey != null) {
			data.put("surveyId", survey.id().toString());
		}
		Map<String, Object> card = survey == null ? null : SurveyCards.invitation(survey, null);
		sending.fire(t, "order:" + order, new Triggers.Subject(values, card, data, store), due,
				TriggerSending.only(List.of(customer)));
	}

	/** COUPON_EXPIRING: the coupon's holder hears from their home store, if it is one of the trigger's. */
	@ApplicationModuleListener(propagation = Propagation.NOT_SUPPORTED)
	void on(CouponExpiringSoon event) {
		List<Trigger> reminders = triggers.enabled(Trigger.Kind.COUPON_EXPIRING);
		if (reminders.isEmpty()) {
			return;
		}
		OrgNodeId home = customers.find(event.customerId()).map(c -> c.homeStoreId()).orElse(null);
		for (Trigger t : reminders) {
			if (home == null || !t.definition().stores().contains(home)) {
				continue;
			}
			Map<String, Object> data = new LinkedHashMap<>();
			data.put("couponId", event.couponId().toString());
			data.put("couponCode", event.code());
			data.put("couponTemplate", event.templateName());
			data.put("validUntil", event.validUntil().toString());
			sending.fire(t, "coupon:" + event.couponId(), new Triggers.Subject(Map.of("coupon", event.code()), null, data,
					null), clock.instant(), TriggerSending.only(List.of(event.customerId())));
		}
	}

	/**
	 * A survey closed since the firing is sent to nobody more; a survey after a purchase is not sent
	 * for an order cancelled or refunded meanwhile.
	 */
	@Override
	public @Nullable String skip(Trigger trigger, Triggers.Firing firing) {
		if (trigger.kind() != Trigger.Kind.DAYS_AFTER_PURCHASE || !(firing.subject().data().get("orderId") instanceof String id)) {
			return null;
		}
		return orders.find(new OrderId(UUID.fromString(id)))
			.filter(o -> o.status().closing())
			.map(o -> "order-" + o.status().name().toLowerCase(java.util.Locale.ROOT))
			.orElse(null);
	}
}
