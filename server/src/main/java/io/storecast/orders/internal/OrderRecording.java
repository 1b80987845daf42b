package io.storecast.orders.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import io.storecast.catalog.Catalog;
import io.storecast.catalog.ProductId;
import io.storecast.catalog.ProductView;
import io.storecast.catalog.SkuView;
import io.storecast.identity.AccessPolicy;
import io.storecast.identity.Actor;
import io.storecast.identity.CustomerDirectory;
import io.storecast.identity.CustomerId;
import io.storecast.identity.CustomerProfile;
import io.storecast.identity.OrgDirectory;
import io.storecast.identity.OrgNode;
import io.storecast.identity.OrgNodeId;
import io.storecast.identity.OrgNodeKind;
import io.storecast.identity.Permission;
import io.storecast.orders.OrderCancelled;
import io.storecast.orders.OrderCreated;
import io.storecast.orders.OrderDelivered;
import io.storecast.orders.OrderId;
import io.storecast.orders.OrderLine;
import io.storecast.orders.OrderPaid;
import io.storecast.orders.OrderRefunded;
import io.storecast.orders.OrderShipped;
import io.storecast.orders.OrderSource;
import io.storecast.orders.OrderStatus;
import io.storecast.orders.OrderStatusChanged;
import io.storecast.orders.OrderView;
import io.storecast.orders.OrderView.StatusEntry;
import io.storecast.platform.ApiException;
import io.storecast.platform.CursorPage;
import io.storecast.platform.Ids;

/**
 * Records orders and their status changes, from the REST API and the webhook alike: every input is
 * checked before anything is written, each change is one transaction, and the events other modules
 * consume are published inside it (the event registry delivers them once it commits).
 */
@Service
class OrderRecording {

	static final Pattern EXTERNAL_ID = Pattern.compile("[A-Za-z0-9._:@-]{1,128}");
	static final String EXTERNAL_ID_RULE = "must be 1-128 characters of letters, digits and . _ : @ -";
	static final Pattern COUPON_CODE = Pattern.compile("[A-Za-z0-9_-]{1,64}");
	static final Pattern CURRENCY = Pattern.compile("[A-Z]{3}");
	static final int MAX_LINES = 200;
	static final int MAX_QUANTITY = 100_000;
	static final int MAX_COUPONS = 20;
	static final int MAX_NOTE = 500;
	/** 10 亿元: far above any order, far below an overflow when multiplied and summed. */
	static final long MAX_FEN = 100_000_000_000L;
	/** How far in the future an event's time may be: the merchant's clock may run a little ahead. */
	static final Duration CLOCK_SKEW = Duration.ofMinutes(5);
	/** The status changes a customer hears about. */
	static final Set<OrderStatus> CUSTOMER_VISIBLE = EnumSet.of(OrderStatus.PAID, OrderStatus.SHIPPED,
			OrderStatus.OUT_FOR_DELIVERY, OrderStatus.DELIVERED);
	private static final Set<OrderStatus> LOGISTICS = EnumSet.of(OrderStatus.SHIPPED, OrderStatus.OUT_FOR_DELIVERY,
			OrderStatus.DELIVERED);

	/** An order as the merchant's system sends it (PUT /api/v1/orders/{externalId}, webhook order.upsert). */
	record OrderBody(@Nullable String customerExternalId, @Nullable OrgNodeId storeId, @Nullable String storeCode,
			@Nullable Instant placedAt, @Nullable String currency, @Nullable List<LineBody> lines,
			@Nullable Long discountFen, @Nullable Long shippingFen, @Nullable Long totalFen,
			@Nullable List<String> couponCodes) {
	}

	/** One line: the SKU's external id, how many, at what unit price (fen). */
	record LineBody(@Nullable String sku, @Nullable Integer quantity, @Nullable Long unitPriceFen) {
	}

	/** A status change (POST /api/v1/orders/{externalId}/events, webhook order.status). */
	record StatusBody(@Nullable String eventId, @Nullable OrderStatus status, @Nullable Instant occurredAt,
			@Nullable String carrier, @Nullable String trackingNumber, @Nullable String expectedDelivery,
			@Nullable Long refundFen, @Nullable String note) {
	}

	/** Who reports a change; written into the timeline. */
	record Reporter(String name, OrderSource source) {

		static final Reporter WEBHOOK = new Reporter("webhook", OrderSource.WEBHOOK);

		static Reporter of(Actor actor) {
			return switch (actor) {
				case Actor.Staff staff -> new Reporter("staff:" + staff.id(), OrderSource.API);
				case Actor.ApiClient client -> new Reporter("api-key:" + client.keyId(), OrderSource.API);
				case Actor.Customer customer -> throw ApiException.forbidden("forbidden", "A customer may not record orders");
				case Actor.Visitor visitor -> throw ApiException.forbidden("forbidden", "A visitor may not record orders");
			};
		}
	}

	/** What an upsert did. */
	record Upserted(OrderView order, boolean created, boolean changed) {
	}

	/** What recording a status event did. */
	record StatusRecorded(OrderView order, boolean duplicate, boolean statusChanged) {
	}

	private final StoredOrders orders;
	private final Catalog catalog;
	private final CustomerDirectory customers;
	private final OrgDirectory org;
	private final AccessPolicy access;
	private final ApplicationEventPublisher events;
	private final OrdersSettings settings;
	private final TransactionTemplate tx;
	private final Clock clock;

	OrderRecording(StoredOrders orders, Catalog catalog, CustomerDirectory customers, OrgDirectory org,
			AccessPolicy access, ApplicationEventPublisher events, OrdersSettings settings, TransactionTemplate tx,
			Clock clock) {
		this.orders = orders;
		this.catalog = catalog;
		this.customers = customers;
		this.org = org;
		this.access = access;
		this.events = events;
		this.settings = settings;
		this.tx = tx;
		this.clock = clock;
	}

	// --- orders ---------------------------------------------------------------------------------

	/** Creates the order, or updates it while it is not paid; an identical repeat changes nothing. */
	Upserted upsert(Actor actor, String externalId, OrderBody body) {
		access.require(actor, Permission.ORDER_WRITE);
		return upsert(externalId, body, Reporter.of(actor), store -> access.requireAt(actor, Permission.ORDER_WRITE, store));
	}

	/** The same for a caller already authenticated another way (the signed webhook). */
	Upserted upsert(String externalId, OrderBody body, Reporter reporter) {
		return upsert(externalId, body, reporter, store -> {
		});
	}

	private Upserted upsert(String externalId, OrderBody body, Reporter reporter, Consumer<OrgNodeId> requireStore) {
		requireExternalId(externalId);
		Instant now = now();
		checkShape(body, now);
		OrgNode store = store(body);
		requireStore.accept(store.id());
		CustomerProfile customer = customers.findByExternalId(body.customerExternalId())
			.orElseThrow(() -> ApiException.badRequest("unknown-customer", "customerExternalId",
					"No customer with external id " + body.customerExternalId()
							+ "; create it first (PUT /api/v1/customers/external/{externalId})"));
		List<OrderLine> lines = lines(body.lines());
		long subtotal = lines.stream().mapToLong(OrderLine::amountFen).sum();
		long discount = body.discountFen() == null ? 0 : body.discountFen();
		long shipping = body.shippingFen() == null ? 0 : body.shippingFen();
		if (discount > subtotal + shipping) {
			throw ApiException.badRequest("validation-failed", "discountFen",
					"must not exceed the subtotal plus shipping (" + (subtotal + shipping) + ")");
		}
		long total = subtotal - discount + shipping;
		if (total != body.totalFen()) {
			throw ApiException.badRequest("total-mismatch", "totalFen",
					"is " + body.totalFen() + " but the lines make " + total + " (subtotal " + subtotal + " - discount "
							+ discount + " + shipping " + shipping + ")");
		}
		String currency = body.currency() == null ? "CNY" : body.currency();
		List<String> coupons = body.couponCodes() == null ? List.of() : List.copyOf(body.couponCodes());
		Instant placedAt = body.placedAt() == null ? now : micros(body.placedAt());

		return tx.execute(status -> {
			Optional<OrderView> existing = orders.lockByExternalId(externalId);
			if (existing.isEmpty()) {
				OrderId id = new OrderId(Ids.newId());
				OrderView created = new OrderView(id, externalId, customer.id(), customer.externalId(), store.id(),
						OrderStatus.CREATED, placedAt, placedAt, null, currency, lines, subtotal, discount, shipping,
						total, 0, coupons, null, null, null, reporter.source(),
						List.of(new StatusEntry("created", OrderStatus.CREATED, placedAt, now, true, null, null, null,
								null, null, reporter.name())),
						now, now);
				if (orders.insert(List.of(created)).contains(externalId)) {
					events.publishEvent(new OrderCreated(id, externalId, customer.id(), store.id(), total, currency,
							coupons, lines, placedAt));
					return new Upserted(reread(id), true, true);
				}
				// lost a race with a concurrent create of the same order: treat this one as an update
				existing = orders.lockByExternalId(externalId);
			}
			OrderView current = existing.orElseThrow();
			if (!current.customerId().equals(customer.id())) {
				throw ApiException.conflict("order-conflict", "Order " + externalId + " belongs to customer "
						+ current.customerExternalId() + "; an order's customer does not change");
			}
			if (!current.storeId().equals(store.id())) {
				throw ApiException.conflict("order-conflict",
						"Order " + externalId + " belongs to another store; an order's store does not change");
			}
			if (body.placedAt() != null && !placedAt.equals(current.placedAt())) {
				throw ApiException.conflict("order-conflict", "Order " + externalId + " was placed at "
						+ current.placedAt() + "; placedAt does not change");
			}
			if (sameContent(current, currency, lines, discount, shipping, total, coupons)) {
				return new Upserted(current, false, false);
			}
			if (current.status() != OrderStatus.CREATED) {
				throw ApiException.conflict("order-locked", "Order " + externalId + " is " + current.status()
						+ ": its lines, totals and coupon codes no longer change");
			}
			orders.replaceContent(new OrderView(current.id(), externalId, current.customerId(),
					current.customerExternalId(), current.storeId(), current.status(), current.statusAt(),
					current.placedAt(), current.paidAt(), currency, lines, subtotal, discount, shipping, total,
					current.refundedFen(), coupons, current.carrier(), current.trackingNumber(),
					current.expectedDelivery(), current.source(), current.timeline(), current.createdAt(), now));
			return new Upserted(reread(current.id()), false, true);
		});
	}

	private void checkShape(OrderBody body, Instant now) {
		Problems problems = new Problems();
		if (body.customerExternalId() == null || body.customerExternalId().isBlank()) {
			problems.add("customerExternalId", "is required");
		}
		else if (!EXTERNAL_ID.matcher(body.customerExternalId()).matches()) {
			problems.add("customerExternalId", EXTERNAL_ID_RULE);
		}
		if (body.storeId() == null && (body.storeCode() == null || body.storeCode().isBlank())) {
			problems.add("storeId", "is required: name the store by storeId or storeCode");
		}
		else if (body.storeId() != null && body.storeCode() != null) {
			problems.add("storeCode", "give storeId or storeCode, not both");
		}
		else if (body.storeCode() != null && body.storeCode().length() > 64) {
			problems.add("storeCode", "must be at most 64 characters");
		}
		if (body.placedAt() != null && body.placedAt().isAfter(now.plus(CLOCK_SKEW))) {
			problems.add("placedAt", "is in the future");
		}
		if (body.currency() != null && !CURRENCY.matcher(body.currency()).matches()) {
			problems.add("currency", "must be an ISO 4217 code such as CNY");
		}
		if (body.lines() == null || body.lines().isEmpty()) {
			problems.add("lines", "must have at least one line");
		}
		else if (body.lines().size() > MAX_LINES) {
			problems.add("lines", "must have at most " + MAX_LINES + " lines");
		}
		else {
			for (int i = 0; i < body.lines().size(); i++) {
				LineBody line = body.lines().get(i);
				String at = "lines[" + i + "]";
				if (line == null) {
					problems.add(at, "must be an object");
					continue;
				}
				if (line.sku() == null || line.sku().isBlank()) {
					problems.add(at + ".sku", "is required");
				}
				else if (line.sku().length() > 128) {
					problems.add(at + ".sku", "must be at most 128 characters");
				}
				if (line.quantity() == null) {
					problems.add(at + ".quantity", "is required");
				}
				else if (line.quantity() < 1 || line.quantity() > MAX_QUANTITY) {
					problems.add(at + ".quantity", "must be between 1 and " + MAX_QUANTITY);
				}
				money(problems, at + ".unitPriceFen", line.unitPriceFen(), true);
			}
		}
		money(problems, "discountFen", body.discountFen(), false);
		money(problems, "shippingFen", body.shippingFen(), false);
		money(problems, "totalFen", body.totalFen(), true);
		List<String> coupons = body.couponCodes();
		if (coupons != null) {
			if (coupons.size() > MAX_COUPONS) {
				problems.add("couponCodes", "must have at most " + MAX_COUPONS + " codes");
			}
			Set<String> seen = new HashSet<>();
			for (int i = 0; i < coupons.size() && i < MAX_COUPONS; i++) {
				String code = coupons.get(i);
				if (code == null || !COUPON_CODE.matcher(code).matches()) {
					problems.add("couponCodes[" + i + "]", "must be 1-64 letters, digits, _ or -");
				}
				else if (!seen.add(code)) {
					problems.add("couponCodes[" + i + "]", "is given twice");
				}
			}
		}
		problems.throwIfAny("validation-failed");
	}

	private static void money(Problems problems, String field, @Nullable Long fen, boolean required) {
		if (fen == null) {
			if (required) {
				problems.add(field, "is required");
			}
		}
		else if (fen < 0) {
			problems.add(field, "must not be negative");
		}
		else if (fen > MAX_FEN) {
			problems.add(field, "must be at most " + MAX_FEN);
		}
	}

	private OrgNode store(OrderBody body) {
		if (body.storeId() != null) {
			OrgNode node = org.find(body.storeId())
				.orElseThrow(() -> ApiException.badRequest("unknown-store", "storeId", "No store " + body.storeId()));
			if (node.kind() != OrgNodeKind.STORE) {
				throw ApiException.badRequest("not-a-store", "storeId",
						"Orders belong to a store, not to a " + node.kind());
			}
			return node;
		}
		String code = body.storeCode().trim();
		return org.storesUnder(org.headOffice().id())
			.stream()
			.filter(n -> n.code().equalsIgnoreCase(code))
			.findFirst()
			.orElseThrow(() -> ApiException.badRequest("unknown-store", "storeCode", "No store with code " + code));
	}

	/** The lines resolved against the catalog; every unknown SKU is named in one answer. */
	private List<OrderLine> lines(List<LineBody> bodies) {
		Map<String, SkuView> skus = catalog.findSkus(bodies.stream().map(LineBody::sku).toList());
		Problems unknown = new Problems();
		for (int i = 0; i < bodies.size(); i++) {
			if (!skus.containsKey(bodies.get(i).sku())) {
				unknown.add("lines[" + i + "].sku", "no SKU " + bodies.get(i).sku() + " in the catalog");
			}
		}
		unknown.throwIfAny("unknown-sku");
		Map<ProductId, Optional<String>> categories = new HashMap<>();
		List<OrderLine> lines = new ArrayList<>();
		for (int i = 0; i < bodies.size(); i++) {
			LineBody body = bodies.get(i);
			SkuView sku = skus.get(body.sku());
			Optional<String> category = categories.computeIfAbsent(sku.productId(),
					p -> catalog.findProduct(p).map(ProductView::category));
			lines.add(new OrderLine(i + 1, sku.id(), sku.externalId(), sku.productId(), sku.productExternalId(),
					sku.displayName(), category.orElse(null), body.quantity(), body.unitPriceFen(),
					body.quantity() * body.unitPriceFen()));
		}
		return List.copyOf(lines);
	}

	private static boolean sameContent(OrderView current, String currency, List<OrderLine> lines, long discount,
			long shipping, long total, List<String> coupons) {
		if (!current.currency().equals(currency) || current.discountFen() != discount
				|| current.shippingFen() != shipping || current.totalFen() != total
				|| !new HashSet<>(current.couponCodes()).equals(new HashSet<>(coupons))
				|| current.lines().size() != lines.size()) {
			return false;
		}
		for (int i = 0; i < lines.size(); i++) {
			OrderLine a = current.lines().get(i);
			OrderLine b = lines.get(i);
			if (!a.sku().equals(b.sku()) || a.quantity() != b.quantity() || a.unitPriceFen() != b.unitPriceFen()) {
				return false;
			}
		}
		return true;
	}

	// --- status events ----------------------------------------------------------------------------

	/**
	 * Records a status event; a replay (same event id, or the same status at the same instant) changes
	 * nothing and is answered with {@code duplicate}.
	 *
	 * @param idempotencyKey the Idempotency-Key header: the event's id when the body has none
	 */
	StatusRecorded recordStatus(Actor actor, String externalId, StatusBody body, @Nullable String idempotencyKey) {
		access.require(actor, Permission.ORDER_WRITE);
		if (idempotencyKey != null && idempotencyKey.isBlank()) {
			idempotencyKey = null;
		}
		if (idempotencyKey != null && body.eventId() != null && !idempotencyKey.equals(body.eventId())) {
			throw ApiException.badRequest("event-id-mismatch", "eventId",
					"differs from the Idempotency-Key header; send one id, or the same in both");
		}
		return recordStatus(externalId, body, body.eventId() != null ? body.eventId() : idempotencyKey,
				Reporter.of(actor), store -> access.requireAt(actor, Permission.ORDER_WRITE, store));
	}

	/** The same for a caller already authenticated another way (the signed webhook). */
	StatusRecorded recordStatus(String externalId, StatusBody body, String eventId, Reporter reporter) {
		return recordStatus(externalId, body, eventId, reporter, store -> {
		});
	}

	private StatusRecorded recordStatus(String externalId, StatusBody body, @Nullable String eventId,
			Reporter reporter, Consumer<OrgNodeId> requireStore) {
		requireExternalId(externalId);
		Instant now = now();
		StatusEntry entry = entry(body, eventId, reporter, now);
		return tx.execute(status -> {
			OrderView order = orders.lockByExternalId(externalId)
				.orElseThrow(() -> ApiException.notFound("not-found", "No order " + externalId));
			requireStore.accept(order.storeId());
			if (entry.refundFen() != null && entry.refundFen() > order.totalFen()) {
				throw ApiException.badRequest("validation-failed", "refundFen",
						"must not exceed the order's total of " + order.totalFen());
			}
			if (Timeline.holds(order.timeline(), entry)) {
				return new StatusRecorded(order, true, false);
			}
			Timeline.Outcome outcome;
			try {
				outcome = Timeline.record(order.placedAt(), order.totalFen(), order.timeline(), entry);
			}
			catch (Timeline.Refused refused) {
				throw ApiException.conflict(refused.code(), refused.getMessage());
			}
			StatusEntry recorded = new StatusEntry(entry.eventId(), entry.status(), entry.occurredAt(),
					entry.recordedAt(), outcome.moved(), entry.carrier(), entry.trackingNumber(),
					entry.expectedDelivery(), entry.refundFen(), entry.note(), entry.recordedBy());
			orders.addEvent(order.id(), recorded);
			orders.updateState(order.id(), outcome.after(), now);
			OrderView updated = reread(order.id());
			publish(updated, recorded, outcome, now);
			return new StatusRecorded(updated, false, outcome.moved());
		});
	}

	private StatusEntry entry(StatusBody body, @Nullable String eventId, Reporter reporter, Instant now) {
		Problems problems = new Problems();
		OrderStatus status = body.status();
		if (status == null) {
			problems.add("status", "is required");
		}
		else if (status == OrderStatus.CREATED) {
			problems.add("status", "CREATED is recorded by the order itself; send PAID, SHIPPED, OUT_FOR_DELIVERY, "
					+ "DELIVERED, CANCELLED or REFUNDED");
		}
		if (eventId != null && !EXTERNAL_ID.matcher(eventId).matches()) {
			problems.add("eventId", EXTERNAL_ID_RULE);
		}
		if (body.occurredAt() == null) {
			problems.add("occurredAt", "is required: when the change happened, as an ISO-8601 instant");
		}
		else if (body.occurredAt().isAfter(now.plus(CLOCK_SKEW))) {
			problems.add("occurredAt", "is in the future");
		}
		text(problems, "carrier", body.carrier(), 64);
		text(problems, "trackingNumber", body.trackingNumber(), 64);
		text(problems, "note", body.note(), MAX_NOTE);
		if (status != null && !LOGISTICS.contains(status)) {
			if (body.carrier() != null) {
				problems.add("carrier", "belongs to SHIPPED, OUT_FOR_DELIVERY or DELIVERED");
			}
			if (body.trackingNumber() != null) {
				problems.add("trackingNumber", "belongs to SHIPPED, OUT_FOR_DELIVERY or DELIVERED");
			}
		}
		if (status == OrderStatus.SHIPPED) {
			if (body.carrier() == null) {
				problems.add("carrier", "is required for SHIPPED");
			}
			if (body.trackingNumber() == null) {
				problems.add("trackingNumber", "is required for SHIPPED");
			}
		}
		if (body.expectedDelivery() != null) {
			if (status != null && status.closing()) {
				problems.add("expectedDelivery", "does not belong to " + status);
			}
			else if (!isDateOrInstant(body.expectedDelivery())) {
				problems.add("expectedDelivery", "must be an ISO-8601 date or instant such as 2026-05-01");
			}
		}
		if (body.refundFen() != null) {
			if (status != OrderStatus.REFUNDED) {
				problems.add("refundFen", "belongs to REFUNDED");
			}
			else {
				money(problems, "refundFen", body.refundFen(), false);
			}
		}
		problems.throwIfAny("validation-failed");
		Instant occurredAt = micros(body.occurredAt());
		String key = eventId != null ? eventId : status + "@" + occurredAt;
		return new StatusEntry(key, status, occurredAt, now, false, trim(body.carrier()), trim(body.trackingNumber()),
				body.expectedDelivery(), body.refundFen(), trim(body.note()), reporter.name());
	}

	private static void text(Problems problems, String field, @Nullable String value, int max) {
		if (value == null) {
			return;
		}
		if (value.isBlank()) {
			problems.add(field, "must not be blank");
		}
		else if (value.codePointCount(0, value.length()) > max) {
			problems.add(field, "must be at most " + max + " characters");
		}
	}

	private static boolean isDateOrInstant(String text) {
		try {
			if (text.contains("T")) {
				Instant.parse(text);
			}
			else {
				LocalDate.parse(text);
			}
			return true;
		}
		catch (DateTimeParseException e) {
			return false;
		}
	}

	/**
	 * The facts other modules consume, each once per order: the first event of each status publishes
	 * its event even when it arrives late; a change of the current status publishes
	 * {@link OrderStatusChanged}.
	 */
	private void publish(OrderView order, StatusEntry event, Timeline.Outcome outcome, Instant now) {
		boolean first = order.timeline().stream().filter(e -> e.status() == event.status()).count() == 1;
		if (first) {
			switch (event.status()) {
				case PAID -> events.publishEvent(new OrderPaid(order.id(), order.externalId(), order.customerId(),
						order.storeId(), order.subtotalFen(), order.discountFen(), order.totalFen(), order.currency(),
						order.couponCodes(), order.lines(), order.status(), event.occurredAt()));
				case SHIPPED -> events.publishEvent(new OrderShipped(order.id(), order.externalId(), order.customerId(),
						order.storeId(), event.carrier(), event.trackingNumber(), event.expectedDelivery(),
						event.occurredAt()));
				case DELIVERED -> events.publishEvent(new OrderDelivered(order.id(), order.externalId(),
						order.customerId(), order.storeId(), order.lines(), event.occurredAt()));
				case CANCELLED -> events.publishEvent(new OrderCancelled(order.id(), order.externalId(),
						order.customerId(), order.storeId(), order.totalFen(), order.currency(), order.couponCodes(),
						order.paidAt() != null && !order.paidAt().isAfter(event.occurredAt()), event.occurredAt()));
				case REFUNDED -> events.publishEvent(new OrderRefunded(order.id(), order.externalId(),
						order.customerId(), order.storeId(),
						event.refundFen() == null ? order.totalFen() : event.refundFen(), order.totalFen(),
						order.currency(), order.couponCodes(), event.occurredAt()));
				case CREATED, OUT_FOR_DELIVERY -> {
					// creation is published by the upsert; out-for-delivery only matters to the customer
				}
			}
		}
		if (outcome.moved()) {
			boolean notify = CUSTOMER_VISIBLE.contains(order.status()) && order.source() != OrderSource.DEMO
					&& !outcome.after().statusAt().isBefore(now.minus(settings.cardMaxAge()));
			events.publishEvent(new OrderStatusChanged(order.id(), order.externalId(), order.customerId(),
					order.storeId(), outcome.before().status(), order.status(), outcome.after().statusAt(),
					order.totalFen(), order.carrier(), order.trackingNumber(), order.expectedDelivery(), notify));
		}
	}

	// --- reading ------------------------------------------------------------------------------------

	OrderView get(Actor actor, String externalId) {
		access.require(actor, Permission.ORDER_READ);
		requireExternalId(externalId);
		OrderView order = orders.findByExternalId(externalId)
			.orElseThrow(() -> ApiException.notFound("not-found", "No order " + externalId));
		access.requireAt(actor, Permission.ORDER_READ, order.storeId());
		return order;
	}

	CursorPage<OrderView> list(Actor actor, @Nullable OrgNodeId store, @Nullable CustomerId customer,
			@Nullable String customerExternalId, @Nullable OrderStatus status, @Nullable OrderId after, int limit) {
		access.require(actor, Permission.ORDER_READ);
		if (store != null) {
			access.requireAt(actor, Permission.ORDER_READ, store);
		}
		Collection<OrgNodeId> scope = switch (actor) {
			case Actor.Staff staff -> staff.orgPath().equals(org.headOffice().path()) ? null
					: org.storesUnder(staff.orgNodeId()).stream().map(OrgNode::id).toList();
			case Actor.ApiClient client -> null;
			default -> throw ApiException.forbidden("forbidden", "Only staff and API keys may list orders");
		};
		List<OrderView> page = orders.list(scope, store, customer, customerExternalId, status, after, limit + 1);
		return CursorPage.of(page, limit, o -> o.id().toString());
	}

	// --- helpers ------------------------------------------------------------------------------------

	private OrderView reread(OrderId id) {
		return orders.find(id).orElseThrow();
	}

	private Instant now() {
		return micros(clock.instant());
	}

	/** PostgreSQL keeps microseconds: instants are cut there so that what was written compares equal. */
	private static Instant micros(Instant instant) {
		return instant.truncatedTo(ChronoUnit.MICROS);
	}

	private static @Nullable String trim(@Nullable String text) {
		return text == null ? null : text.strip();
	}

	static void requireExternalId(String externalId) {
		if (!EXTERNAL_ID.matcher(externalId).matches()) {
			throw ApiException.badRequest("invalid-external-id", "externalId", EXTERNAL_ID_RULE);
		}
	}
}
