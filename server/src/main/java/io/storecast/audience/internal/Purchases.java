package io.storecast.audience.internal;

import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import io.storecast.identity.CustomerId;
import io.storecast.orders.OrderLine;
import io.storecast.orders.OrderPaid;
import io.storecast.orders.PurchaseFact;

/**
 * The kept purchase lines in {@code audience_purchases}: audience's own copy of what the orders module
 * reports, so that rules and segments over purchases are SQL over this module's tables.
 */
@Repository
class Purchases {

	private final JdbcClient jdbc;

	Purchases(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	/** Adds a paid order's lines; a repeat of the same order adds nothing. Returns the lines added. */
	int add(OrderPaid paid) {
		int added = 0;
		for (OrderLine line : paid.lines()) {
			added += jdbc.sql("""
					INSERT INTO audience_purchases (order_id, line_no, customer_id, store_id, category, product_external_id,
					                                quantity, amount_fen, paid_at)
					VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING""")
				.params(paid.orderId().value(), line.lineNo(), paid.customerId().value(), paid.storeId().value(),
						line.category(), line.productExternalId(), line.quantity(), line.amountFen(), Timestamp.from(paid.at()))
				.update();
		}
		return added;
	}

	/** Removes an order's lines (cancelled or refunded); returns how many there were. */
	int remove(UUID orderId) {
		return jdbc.sql("DELETE FROM audience_purchases WHERE order_id = ?").param(orderId).update();
	}

	/**
	 * Replaces a customer's lines with the orders module's account of them ({@code Orders.purchases}):
	 * lines of one order come together, in line order, so their position numbers them.
	 */
	void replace(CustomerId customer, List<PurchaseFact> facts) {
		jdbc.sql("DELETE FROM audience_purchases WHERE customer_id = ?").param(customer.value()).update();
		if (facts.isEmpty()) {
			return;
		}
		Map<UUID, Integer> lineNos = new HashMap<>();
		List<Object[]> rows = new ArrayList<>();
		for (PurchaseFact f : facts) {
			int lineNo = lineNos.merge(f.orderId().value(), 1, Integer::sum);
			rows.add(new Object[] { f.orderId().value(), lineNo, customer.value(), f.storeId().value(), f.category(),
					f.productExternalId(), f.quantity(), f.amountFen(), Timestamp.from(f.paidAt()) });
		}
		StringBuilder sql = new StringBuilder("""
				INSERT INTO audience_purchases (order_id, line_no, customer_id, store_id, category, product_external_id,
				                                quantity, amount_fen, paid_at) VALUES """);
		List<Object> params = new ArrayList<>();
		for (int i = 0; i < rows.size(); i++) {
			sql.append(i == 0 ? "" : ", ").append("(?, ?, ?, ?, ?, ?, ?, ?, ?)");
			params.addAll(java.util.Arrays.asList(rows.get(i)));
		}
		sql.append(" ON CONFLICT DO NOTHING");
		jdbc.sql(sql.toString()).params(params).update();
	}

	/** The customer who bought the order, if its lines are here. */
	java.util.Optional<UUID> customerOf(UUID orderId) {
		return jdbc.sql("SELECT customer_id FROM audience_purchases WHERE order_id = ? LIMIT 1")
			.param(orderId)
			.query(UUID.class)
			.optional();
	}
}
