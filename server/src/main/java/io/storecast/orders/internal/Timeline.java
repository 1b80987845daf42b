package io.storecast.orders.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.jspecify.annotations.Nullable;

import io.storecast.orders.OrderStatus;
import io.storecast.orders.OrderView.StatusEntry;

/**
 * The status rules, free of Spring and of the database. An order's status is what its timeline says
 * when replayed in the order things happened (each event's own {@code occurredAt}), not in the order
 * the events arrived: the same events give the same status whatever their arrival order.
 * <ul>
 * <li>forward statuses only move forward: a PAID that happened (or arrives) after SHIPPED is kept in
 * the timeline and changes nothing;</li>
 * <li>after CANCELLED or REFUNDED nothing moves forward again: such an event is refused;</li>
 * <li>a delivered order is refunded, not cancelled; only a paid order can be refunded (REFUNDED may
 * follow CANCELLED).</li>
 * </ul>
 */
final class Timeline {

	/** Replays happen in this order: by time, then forward before closing statuses, then as recorded. */
	static final Comparator<StatusEntry> HAPPENED = Comparator.comparing(StatusEntry::occurredAt)
		.thenComparing(e -> e.status().rank())
		.thenComparing(StatusEntry::recordedAt)
		.thenComparing(StatusEntry::eventId);

	private Timeline() {
	}

	/**
	 * What the timeline says of the order.
	 *
	 * @param statusAt when the event that set {@code status} happened
	 * @param paidAt when the first payment happened, null when none is recorded
	 * @param refundedFen the amount of the refund that closed the order, 0 when none
	 */
	record State(OrderStatus status, Instant statusAt, @Nullable Instant paidAt, @Nullable String carrier,
			@Nullable String trackingNumber, @Nullable String expectedDelivery, long refundedFen) {
	}

	/** A status event that cannot be part of this order's timeline; {@code code} says why. */
	static final class Refused extends RuntimeException {

		private final String code;

		Refused(String code, String detail) {
			super(detail);
			this.code = code;
		}

		String code() {
			return code;
		}
	}

	/** What recording one more event does. */
	record Outcome(State before, State after) {

		/** Whether the order's status changed. */
		boolean moved() {
			return before.status() != after.status();
		}
	}

	static List<StatusEntry> sorted(List<StatusEntry> entries) {
		List<StatusEntry> copy = new ArrayList<>(entries);
		copy.sort(HAPPENED);
		return List.copyOf(copy);
	}

	/**
	 * Replays a timeline. CREATED entries only mark the start: every order begins CREATED at
	 * {@code placedAt}.
	 *
	 * @param totalFen the order's total, the refund of a REFUNDED event without an amount
	 * @throws Refused when the events contradict each other
	 */
	static State replay(Instant placedAt, long totalFen, List<StatusEntry> entries) {
		OrderStatus status = OrderStatus.CREATED;
		Instant statusAt = placedAt;
		Instant paidAt = null;
		Instant closedAt = null;
		String carrier = null;
		String tracking = null;
		String expected = null;
		long refunded = 0;
		for (StatusEntry e : sorted(entries)) {
			switch (e.status()) {
				case CREATED -> {
					// the order's own creation: the starting point
				}
				case PAID, SHIPPED, OUT_FOR_DELIVERY, DELIVERED -> {
					if (status.closing()) {
						throw new Refused("order-closed", "The order was " + word(status) + " at " + closedAt + "; "
								+ e.status() + " at " + e.occurredAt() + " cannot come after that");
					}
					if (e.status() == OrderStatus.PAID && paidAt == null) {
						paidAt = e.occurredAt();
					}
					if (e.status().rank() > status.rank()) {
						status = e.status();
						statusAt = e.occurredAt();
					}
				}
				case CANCELLED -> {
					if (status == OrderStatus.DELIVERED) {
						throw new Refused("illegal-transition", "The order was delivered at " + statusAt
								+ "; a delivered order cannot be cancelled (at " + e.occurredAt() + "): record REFUNDED");
					}
					if (status == OrderStatus.REFUNDED) {
						throw new Refused("order-closed", "The order was refunded at " + closedAt
								+ "; it cannot be cancelled after that (at " + e.occurredAt() + ")");
					}
					if (status != OrderStatus.CANCELLED) {
						status = OrderStatus.CANCELLED;
						statusAt = e.occurredAt();
						closedAt = e.occurredAt();
					}
				}
				case REFUNDED -> {
					if (paidAt == null) {
						throw new Refused("order-not-paid", "No payment is recorded before the refund at "
								+ e.occurredAt() + "; only a paid order can be refunded");
					}
					if (status != OrderStatus.REFUNDED) {
						status = OrderStatus.REFUNDED;
						statusAt = e.occurredAt();
						closedAt = e.occurredAt();
						refunded = e.refundFen() == null ? totalFen : e.refundFen();
					}
				}
			}
			if (e.carrier() != null) {
				carrier = e.carrier();
			}
			if (e.trackingNumber() != null) {
				tracking = e.trackingNumber();
			}
			if (e.expectedDelivery() != null) {
				expected = e.expectedDelivery();
			}
		}
		return new State(status, statusAt, paidAt, carrier, tracking, expected, refunded);
	}

	/** What adding {@code next} to the timeline does. */
	static Outcome record(Instant placedAt, long totalFen, List<StatusEntry> existing, StatusEntry next) {
		State before = replay(placedAt, totalFen, existing);
		List<StatusEntry> with = new ArrayList<>(existing);
		with.add(next);
		return new Outcome(before, replay(placedAt, totalFen, with));
	}

	/** Whether the timeline already holds this event: the same id, or the same status at the same instant. */
	static boolean holds(List<StatusEntry> existing, StatusEntry next) {
		return existing.stream()
			.anyMatch(e -> e.eventId().equals(next.eventId())
					|| e.status() == next.status() && e.occurredAt().equals(next.occurredAt()));
	}

	private static String word(OrderStatus closing) {
		return closing == OrderStatus.CANCELLED ? "cancelled" : "refunded";
	}
}
