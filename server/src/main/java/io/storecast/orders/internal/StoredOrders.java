package io.storecast.orders.internal;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import io.storecast.catalog.ProductId;
import io.storecast.catalog.SkuId;
import io.storecast.identity.CustomerId;
import io.storecast.identity.OrgNodeId;
import io.storecast.orders.OrderId;
import io.storecast.orders.OrderLine;
import io.storecast.orders.OrderSource;
import io.storecast.orders.OrderStatus;
import io.storecast.orders.OrderView;
import io.storecast.orders.OrderView.StatusEntry;
import io.storecast.orders.Orders;
import io.storecast.orders.PurchaseFact;
import io.storecast.platform.Ids;

/**
 * Orders in {@code orders_orders}, their lines in {@code orders_lines} and their timelines in
 * {@code orders_status_events}. Inserts are multi-row (one statement per table for any number of
 * orders), so the demo history costs the same few round trips as one order.
 */
@Repository
class StoredOrders implements Orders {

	static final int MAX_LIST = 200;

	private final JdbcClient jdbc;

	StoredOrders(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	// --- the module's public queries ---------------------------------------------------------------

	@Override
	public Optional<OrderView> find(OrderId id) {
		return load(jdbc.sql("SELECT * FROM orders_orders WHERE id = ?").param(id.value()).query(StoredOrders::row).list())
			.stream()
			.findFirst();
	}

	@Override
	public Optional<OrderView> findByExternalId(String externalId) {
		return load(jdbc.sql("SELECT * FROM orders_orders WHERE external_id = ?")
			.param(externalId)
			.query(StoredOrders::row)
			.list()).stream().findFirst();
	}

	@Override
	public List<OrderView> ofCustomer(CustomerId customer, int limit) {
		if (limit < 1 || limit > MAX_LIST) {
			throw new IllegalArgumentException("limit must be between 1 and " + MAX_LIST);
		}
		return load(jdbc.sql("SELECT * FROM orders_orders WHERE customer_id = ? ORDER BY placed_at DESC, id DESC LIMIT ?")
			.params(customer.value(), limit)
			.query(StoredOrders::row)
			.list());
	}

	@Override
	public List<PurchaseFact> purchases(CustomerId customer, @Nullable Instant since) {
		return jdbc.sql("""
				SELECT o.id, o.external_id, o.store_id, o.paid_at, l.*
				  FROM orders_orders o JOIN orders_lines l ON l.order_id = o.id
				 WHERE o.customer_id = ? AND o.paid_at IS NOT NULL AND o.status NOT IN ('CANCELLED', 'REFUNDED')
				   AND o.paid_at >= ?
				 ORDER BY o.paid_at DESC, o.id DESC, l.line_no""")
			.params(customer.value(), Timestamp.from(since == null ? Instant.EPOCH : since))
			.query((rs, n) -> new PurchaseFact(new OrderId(rs.getObject("id", UUID.class)), rs.getString("external_id"),
					new OrgNodeId(rs.getObject("store_id", UUID.class)), new SkuId(rs.getObject("sku_id", UUID.class)),
					rs.getString("sku_external_id"), new ProductId(rs.getObject("product_id", UUID.class)),
					rs.getString("product_external_id"), rs.getString("name"), rs.getString("category"),
					rs.getInt("quantity"), rs.getLong("amount_fen"), rs.getTimestamp("paid_at").toInstant()))
			.list();
	}

	// --- for the module --------------------------------------------------------------------------

	/** The order with this external id, its row locked until the transaction ends. */
	Optional<OrderView> lockByExternalId(String externalId) {
		return load(jdbc.sql("SELECT * FROM orders_orders WHERE external_id = ? FOR UPDATE")
			.param(externalId)
			.query(StoredOrders::row)
			.list()).stream().findFirst();
	}

	/**
	 * A page of orders, most recently placed first, after the order {@code after}.
	 *
	 * @param stores only orders of these stores (null: any store)
	 */
	List<OrderView> list(@Nullable Collection<OrgNodeId> stores, @Nullable OrgNodeId store,
			@Nullable CustomerId customer, @Nullable String customerExternalId, @Nullable OrderStatus status,
			@Nullable OrderId after, int limit) {
		StringBuilder sql = new StringBuilder("SELECT o.* FROM orders_orders o WHERE TRUE");
		List<Object> params = new ArrayList<>();
		if (stores != null) {
			sql.append(" AND o.store_id = ANY(CAST(? AS uuid[]))");
			params.add(stores.stream().map(OrgNodeId::toString).toArray(String[]::new));
		}
		if (store != null) {
			sql.append(" AND o.store_id = ?");
			params.add(store.value());
		}
		if (customer != null) {
			sql.append(" AND o.customer_id = ?");
			params.add(customer.value());
		}
		if (customerExternalId != null) {
			sql.append(" AND o.customer_external_id = ?");
			params.add(customerExternalId);
		}
		if (status != null) {
			sql.append(" AND o.status = ?");
			params.add(status.name());
		}
		if (after != null) {
			// an unknown cursor matches nothing rather than restarting from the top
			sql.append(" AND (o.placed_at, o.id) < (SELECT a.placed_at, a.id FROM orders_orders a WHERE a.id = ?)");
			params.add(after.value());
		}
		sql.append(" ORDER BY o.placed_at DESC, o.id DESC LIMIT ?");
		params.add(limit);
		return load(jdbc.sql(sql.toString()).params(params).query(StoredOrders::row).list());
	}

	/**
	 * Inserts new orders with their lines and timelines; an order whose external id exists is
	 * skipped. Returns the external ids inserted.
	 */
	java.util.Set<String> insert(List<OrderView> orders) {
		java.util.Set<String> inserted = new java.util.HashSet<>();
		if (orders.isEmpty()) {
			return inserted;
		}
		int n = orders.size();
		String[] ids = new String[n];
		String[] externalIds = new String[n];
		String[] customers = new String[n];
		String[] customerExternalIds = new String[n];
		String[] stores = new String[n];
		String[] currencies = new String[n];
		Long[] subtotals = new Long[n];
		Long[] discounts = new Long[n];
		Long[] shippings = new Long[n];
		Long[] totals = new Long[n];
		Long[] refunded = new Long[n];
		String[] coupons = new String[n];
		String[] statuses = new String[n];
		String[] statusAts = new String[n];
		String[] placedAts = new String[n];
		String[] paidAts = new String[n];
		String[] carriers = new String[n];
		String[] trackings = new String[n];
		String[] expected = new String[n];
		String[] sources = new String[n];
		String[] createdAts = new String[n];
		String[] updatedAts = new String[n];
		for (int i = 0; i < n; i++) {
			OrderView o = orders.get(i);
			ids[i] = o.id().toString();
			externalIds[i] = o.externalId();
			customers[i] = o.customerId().toString();
			customerExternalIds[i] = o.customerExternalId();
			stores[i] = o.storeId().toString();
			currencies[i] = o.currency();
			subtotals[i] = o.subtotalFen();
			discounts[i] = o.discountFen();
			shippings[i] = o.shippingFen();
			totals[i] = o.totalFen();
			refunded[i] = o.refundedFen();
			coupons[i] = String.join(SEPARATOR, o.couponCodes());
			statuses[i] = o.status().name();
			statusAts[i] = o.statusAt().toString();
			placedAts[i] = o.placedAt().toString();
			paidAts[i] = o.paidAt() == null ? null : o.paidAt().toString();
			carriers[i] = o.carrier();
			trackings[i] = o.trackingNumber();
			expected[i] = o.expectedDelivery();
			sources[i] = o.source().name();
			createdAts[i] = o.createdAt().toString();
			updatedAts[i] = o.updatedAt().toString();
		}
		jdbc.sql("""
				INSERT INTO orders_orders (id, external_id, customer_id, customer_external_id, store_id, currency,
				                           subtotal_fen, discount_fen, shipping_fen, total_fen, refunded_fen, coupon_codes,
				                           status, status_at, placed_at, paid_at, carrier, tracking_number,
				                           expected_delivery, source, created_at, updated_at)
				SELECT i.id, i.external_id, i.customer_id, i.customer_external_id, i.store_id, i.currency, i.subtotal,
				       i.discount, i.shipping, i.total, i.refunded,
				       string_to_array(i.coupons, E'\\x1f'),
				       i.status, i.status_at, i.placed_at, i.paid_at, i.carrier, i.tracking, i.expected, i.source,
				       i.created_at, i.updated_at
				  FROM unnest(CAST(? AS uuid[]), CAST(? AS text[]), CAST(? AS uuid[]), CAST(? AS text[]), CAST(? AS uuid[]),
				              CAST(? AS text[]), CAST(? AS bigint[]), CAST(? AS bigint[]), CAST(? AS bigint[]),
				              CAST(? AS bigint[]), CAST(? AS bigint[]), CAST(? AS text[]), CAST(? AS text[]),
				              CAST(? AS timestamptz[]), CAST(? AS timestamptz[]), CAST(? AS timestamptz[]),
				              CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]),
				              CAST(? AS timestamptz[]), CAST(? AS timestamptz[]))
				       AS i(id, external_id, customer_id, customer_external_id, store_id, currency, subtotal, discount,
				            shipping, total, refunded, coupons, status, status_at, placed_at, paid_at, carrier, tracking,
				            expected, source, created_at, updated_at)
				ON CONFLICT (external_id) DO NOTHING
				RETURNING external_id""")
			.params(ids, externalIds, customers, customerExternalIds, stores, currencies, subtotals, discounts,
					shippings, totals, refunded, coupons, statuses, statusAts, placedAts, paidAts, carriers, trackings,
					expected, sources, createdAts, updatedAts)
			.query(rs -> {
				inserted.add(rs.getString(1));
			});
		List<OrderView> written = orders.stream().filter(o -> inserted.contains(o.externalId())).toList();
		insertLines(written);
		insertEvents(written.stream()
			.flatMap(o -> o.timeline().stream().map(e -> new OwnedEntry(o.id(), e)))
			.toList());
		return inserted;
	}

	/** Replaces an order's lines, totals, currency and coupon codes (an order not yet paid). */
	void replaceContent(OrderView order) {
		jdbc.sql("""
				UPDATE orders_orders SET currency = ?, subtotal_fen = ?, discount_fen = ?, shipping_fen = ?, total_fen = ?,
				       coupon_codes = CAST(? AS text[]), updated_at = ?
				 WHERE id = ?""")
			.params(order.currency(), order.subtotalFen(), order.discountFen(), order.shippingFen(), order.totalFen(),
					order.couponCodes().toArray(String[]::new), Timestamp.from(order.updatedAt()), order.id().value())
			.update();
		jdbc.sql("DELETE FROM orders_lines WHERE order_id = ?").param(order.id().value()).update();
		insertLines(List.of(order));
	}

	/** Records one status event of an order. */
	void addEvent(OrderId order, StatusEntry entry) {
		insertEvents(List.of(new OwnedEntry(order, entry)));
	}

	/** Writes what the timeline says of an order now. */
	void updateState(OrderId order, Timeline.State state, Instant now) {
		jdbc.sql("""
				UPDATE orders_orders SET status = ?, status_at = ?, paid_at = ?, carrier = ?, tracking_number = ?,
				       expected_delivery = ?, refunded_fen = ?, updated_at = ?
				 WHERE id = ?""")
			.params(state.status().name(), Timestamp.from(state.statusAt()),
					state.paidAt() == null ? null : Timestamp.from(state.paidAt()), state.carrier(),
					state.trackingNumber(), state.expectedDelivery(), state.refundedFen(), Timestamp.from(now),
					order.value())
			.update();
	}

	long count() {
		return jdbc.sql("SELECT count(*) FROM orders_orders").query(Long.class).single();
	}

	// --- writing lines and events -----------------------------------------------------------------

	/** Separates coupon codes inside one array element of an unnest() batch; codes cannot contain it. */
	private static final String SEPARATOR = "\u001f";

	private record OwnedEntry(OrderId order, StatusEntry entry) {
	}

	private void insertLines(List<OrderView> orders) {
		List<OrderLine> lines = new ArrayList<>();
		List<String> owners = new ArrayList<>();
		for (OrderView o : orders) {
			for (OrderLine line : o.lines()) {
				lines.add(line);
				owners.add(o.id().toString());
			}
		}
		if (lines.isEmpty()) {
			return;
		}
		int n = lines.size();
		Integer[] lineNos = new Integer[n];
		String[] skuIds = new String[n];
		String[] skus = new String[n];
		String[] productIds = new String[n];
		String[] productExternalIds = new String[n];
		String[] names = new String[n];
		String[] categories = new String[n];
		Integer[] quantities = new Integer[n];
		Long[] prices = new Long[n];
		Long[] amounts = new Long[n];
		for (int i = 0; i < n; i++) {
			OrderLine l = lines.get(i);
			lineNos[i] = l.lineNo();
			skuIds[i] = l.skuId().toString();
			skus[i] = l.sku();
			productIds[i] = l.productId().toString();
			productExternalIds[i] = l.productExternalId();
			names[i] = l.name();
			categories[i] = l.category();
			quantities[i] = l.quantity();
			prices[i] = l.unitPriceFen();
			amounts[i] = l.amountFen();
		}
		jdbc.sql("""
				INSERT INTO orders_lines (order_id, line_no, sku_id, sku_external_id, product_id, product_external_id, name,
				                          category, quantity, unit_price_fen, amount_fen)
				SELECT * FROM unnest(CAST(? AS uuid[]), CAST(? AS int[]), CAST(? AS uuid[]), CAST(? AS text[]),
				                     CAST(? AS uuid[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]),
				                     CAST(? AS int[]), CAST(? AS bigint[]), CAST(? AS bigint[]))""")
			.params(owners.toArray(String[]::new), lineNos, skuIds, skus, productIds, productExternalIds, names,
					categories, quantities, prices, amounts)
			.update();
	}

	private void insertEvents(List<OwnedEntry> entries) {
		if (entries.isEmpty()) {
			return;
		}
		int n = entries.size();
		String[] ids = new String[n];
		String[] orders = new String[n];
		String[] keys = new String[n];
		String[] statuses = new String[n];
		String[] occurred = new String[n];
		String[] recorded = new String[n];
		Boolean[] changed = new Boolean[n];
		String[] carriers = new String[n];
		String[] trackings = new String[n];
		String[] expected = new String[n];
		Long[] refunds = new Long[n];
		String[] notes = new String[n];
		String[] recordedBy = new String[n];
		for (int i = 0; i < n; i++) {
			StatusEntry e = entries.get(i).entry();
			ids[i] = Ids.newId().toString();
			orders[i] = entries.get(i).order().toString();
			keys[i] = e.eventId();
			statuses[i] = e.status().name();
			occurred[i] = e.occurredAt().toString();
			recorded[i] = e.recordedAt().toString();
			changed[i] = e.changedStatus();
			carriers[i] = e.carrier();
			trackings[i] = e.trackingNumber();
			expected[i] = e.expectedDelivery();
			refunds[i] = e.refundFen();
			notes[i] = e.note();
			recordedBy[i] = e.recordedBy();
		}
		jdbc.sql("""
				INSERT INTO orders_status_events (id, order_id, event_key, status, occurred_at, recorded_at, changed_status,
				                                  carrier, tracking_number, expected_delivery, refund_fen, note, recorded_by)
				SELECT * FROM unnest(CAST(? AS uuid[]), CAST(? AS uuid[]), CAST(? AS text[]), CAST(? AS text[]),
				                     CAST(? AS timestamptz[]), CAST(? AS timestamptz[]), CAST(? AS boolean[]),
				                     CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS bigint[]),
				                     CAST(? AS text[]), CAST(? AS text[]))""")
			.params(ids, orders, keys, statuses, occurred, recorded, changed, carriers, trackings, expected, refunds,
					notes, recordedBy)
			.update();
	}

	// --- reading ------------------------------------------------------------------------------------

	/** An order row, before its lines and timeline are attached. */
	private record Row(OrderId id, String externalId, CustomerId customerId, String customerExternalId,
			OrgNodeId storeId, OrderStatus status, Instant statusAt, Instant placedAt, @Nullable Instant paidAt,
			String currency, long subtotalFen, long discountFen, long shippingFen, long totalFen, long refundedFen,
			List<String> couponCodes, @Nullable String carrier, @Nullable String trackingNumber,
			@Nullable String expectedDelivery, OrderSource source, Instant createdAt, Instant updatedAt) {
	}

	private static Row row(ResultSet rs, int n) throws SQLException {
		return new Row(new OrderId(rs.getObject("id", UUID.class)), rs.getString("external_id"),
				new CustomerId(rs.getObject("customer_id", UUID.class)), rs.getString("customer_external_id"),
				new OrgNodeId(rs.getObject("store_id", UUID.class)), OrderStatus.valueOf(rs.getString("status")),
				instant(rs, "status_at"), instant(rs, "placed_at"), nullableInstant(rs, "paid_at"),
				rs.getString("currency"), rs.getLong("subtotal_fen"), rs.getLong("discount_fen"),
				rs.getLong("shipping_fen"), rs.getLong("total_fen"), rs.getLong("refunded_fen"),
				List.of((String[]) rs.getArray("coupon_codes").getArray()), rs.getString("carrier"),
				rs.getString("tracking_number"), rs.getString("expected_delivery"),
				OrderSource.valueOf(rs.getString("source")), instant(rs, "created_at"), instant(rs, "updated_at"));
	}

	/** Attaches lines and timelines to the rows, in two queries whatever their number. */
	private List<OrderView> load(List<Row> rows) {
		if (rows.isEmpty()) {
			return List.of();
		}
		String[] ids = rows.stream().map(r -> r.id().toString()).toArray(String[]::new);
		Map<UUID, List<OrderLine>> lines = new HashMap<>();
		jdbc.sql("SELECT * FROM orders_lines WHERE order_id = ANY(CAST(? AS uuid[])) ORDER BY order_id, line_no")
			.param(ids)
			.query(rs -> {
				lines.computeIfAbsent(rs.getObject("order_id", UUID.class), k -> new ArrayList<>())
					.add(new OrderLine(rs.getInt("line_no"), new SkuId(rs.getObject("sku_id", UUID.class)),
							rs.getString("sku_external_id"), new ProductId(rs.getObject("product_id", UUID.class)),
							rs.getString("product_external_id"), rs.getString("name"), rs.getString("category"),
							rs.getInt("quantity"), rs.getLong("unit_price_fen"), rs.getLong("amount_fen")));
			});
		Map<UUID, List<StatusEntry>> timelines = new HashMap<>();
		jdbc.sql("SELECT * FROM orders_status_events WHERE order_id = ANY(CAST(? AS uuid[]))")
			.param(ids)
			.query(rs -> {
				Object refund = rs.getObject("refund_fen");
				timelines.computeIfAbsent(rs.getObject("order_id", UUID.class), k -> new ArrayList<>())
					.add(new StatusEntry(rs.getString("event_key"), OrderStatus.valueOf(rs.getString("status")),
							instant(rs, "occurred_at"), instant(rs, "recorded_at"), rs.getBoolean("changed_status"),
							rs.getString("carrier"), rs.getString("tracking_number"), rs.getString("expected_delivery"),
							refund == null ? null : ((Number) refund).longValue(), rs.getString("note"),
							rs.getString("recorded_by")));
			});
		return rows.stream()
			.map(r -> new OrderView(r.id(), r.externalId(), r.customerId(), r.customerExternalId(), r.storeId(),
					r.status(), r.statusAt(), r.placedAt(), r.paidAt(), r.currency(),
					List.copyOf(lines.getOrDefault(r.id().value(), List.of())), r.subtotalFen(), r.discountFen(),
					r.shippingFen(), r.totalFen(), r.refundedFen(), r.couponCodes(), r.carrier(), r.trackingNumber(),
					r.expectedDelivery(), r.source(),
					Timeline.sorted(timelines.getOrDefault(r.id().value(), List.of())), r.createdAt(), r.updatedAt()))
			.toList();
	}

	private static Instant instant(ResultSet rs, String column) throws SQLException {
		return rs.getTimestamp(column).toInstant();
	}

	private static @Nullable Instant nullableInstant(ResultSet rs, String column) throws SQLException {
		Timestamp ts = rs.getTimestamp(column);
		return ts == null ? null : ts.toInstant();
	}
}
