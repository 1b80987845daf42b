package io.storecast.orders;

/**
 * Where an order is. The forward statuses are ranked (CREATED &lt; PAID &lt; SHIPPED &lt;
 * OUT_FOR_DELIVERY &lt; DELIVERED): a status of a lower rank recorded later never moves an order
 * back. CANCELLED and REFUNDED close the order.
 */
public enum OrderStatus {

	CREATED(0), PAID(1), SHIPPED(2), OUT_FOR_DELIVERY(3), DELIVERED(4), CANCELLED(5), REFUNDED(6);

	private final int rank;

	OrderStatus(int rank) {
		this.rank = rank;
	}

	/** The precedence among statuses at the same instant; for forward statuses, how far the order got. */
	public int rank() {
		return rank;
	}

	/** Whether this status closes the order (cancelled or refunded). */
	public boolean closing() {
		return this == CANCELLED || this == REFUNDED;
	}
}
