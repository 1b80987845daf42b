package io.storecast.orders.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import io.storecast.orders.OrderStatus;
import io.storecast.orders.OrderView.StatusEntry;

class TimelineUnitTest {

	static final Instant PLACED = Instant.parse("2026-05-01T10:00:00Z");

	@Test
	void an_order_starts_created_and_moves_forward() {
		Timeline.State state = Timeline.replay(PLACED, 10_000, List.of(event(OrderStatus.PAID, 1),
				event(OrderStatus.SHIPPED, 2, "顺丰速运", "SF1"), event(OrderStatus.DELIVERED, 3)));
		assertThat(state.status()).isEqualTo(OrderStatus.DELIVERED);
		assertThat(state.statusAt()).isEqualTo(at(3));
		assertThat(state.paidAt()).isEqualTo(at(1));
		assertThat(state.carrier()).isEqualTo("顺丰速运");
		assertThat(state.trackingNumber()).isEqualTo("SF1");
		assertThat(Timeline.replay(PLACED, 10_000, List.of()).status()).isEqualTo(OrderStatus.CREATED);
	}

	@Test
	void a_late_paid_after_shipped_is_kept_but_does_not_move_the_order_back() {
		List<StatusEntry> shipped = List.of(event(OrderStatus.SHIPPED, 2, "中通快递", "ZT1"));
		// the payment happened before the shipment but arrives after it
		Timeline.Outcome early = Timeline.record(PLACED, 10_000, shipped, event(OrderStatus.PAID, 1));
		assertThat(early.moved()).isFalse();
		assertThat(early.after().status()).isEqualTo(OrderStatus.SHIPPED);
		assertThat(early.after().paidAt()).isEqualTo(at(1));
		// a PAID stamped after the shipment (a slow payment system) does not move it back either
		Timeline.Outcome later = Timeline.record(PLACED, 10_000, shipped, event(OrderStatus.PAID, 3));
		assertThat(later.moved()).isFalse();
		assertThat(later.after().status()).isEqualTo(OrderStatus.SHIPPED);
	}

	@Test
	void the_arrival_order_does_not_change_the_outcome() {
		List<StatusEntry> events = new ArrayList<>(List.of(event(OrderStatus.PAID, 1),
				event(OrderStatus.SHIPPED, 2, "京东物流", "JD1"), event(OrderStatus.OUT_FOR_DELIVERY, 3),
				event(OrderStatus.DELIVERED, 4), event(OrderStatus.REFUNDED, 9)));
		Random random = new Random(7);
		for (int i = 0; i < 20; i++) {
			Collections.shuffle(events, random);
			Timeline.State state = Timeline.replay(PLACED, 10_000, events);
			assertThat(state.status()).isEqualTo(OrderStatus.REFUNDED);
			assertThat(state.statusAt()).isEqualTo(at(9));
			assertThat(state.refundedFen()).isEqualTo(10_000);
		}
	}

	@Test
	void nothing_moves_forward_after_a_cancellation() {
		List<StatusEntry> cancelled = List.of(event(OrderStatus.CANCELLED, 2));
		assertThatThrownBy(() -> Timeline.record(PLACED, 10_000, cancelled, event(OrderStatus.SHIPPED, 3, "顺丰速运", "SF2")))
			.isInstanceOfSatisfying(Timeline.Refused.class, r -> assertThat(r.code()).isEqualTo("order-closed"));
		// what happened before the cancellation is history, not a contradiction
		Timeline.Outcome paidBefore = Timeline.record(PLACED, 10_000, cancelled, event(OrderStatus.PAID, 1));
		assertThat(paidBefore.moved()).isFalse();
		assertThat(paidBefore.after().status()).isEqualTo(OrderStatus.CANCELLED);
	}

	@Test
	void a_delivered_order_is_refunded_not_cancelled_and_only_a_paid_order_is_refunded() {
		List<StatusEntry> delivered = List.of(event(OrderStatus.PAID, 1), event(OrderStatus.DELIVERED, 2));
		assertThatThrownBy(() -> Timeline.record(PLACED, 10_000, delivered, event(OrderStatus.CANCELLED, 3)))
			.isInstanceOfSatisfying(Timeline.Refused.class, r -> assertThat(r.code()).isEqualTo("illegal-transition"));
		assertThatThrownBy(() -> Timeline.record(PLACED, 10_000, List.of(), event(OrderStatus.REFUNDED, 3)))
			.isInstanceOfSatisfying(Timeline.Refused.class, r -> assertThat(r.code()).isEqualTo("order-not-paid"));
		Timeline.Outcome refunded = Timeline.record(PLACED, 10_000, delivered,
				new StatusEntry("r", OrderStatus.REFUNDED, at(3), at(3), false, null, null, null, 2_500L, null, "t"));
		assertThat(refunded.moved()).isTrue();
		assertThat(refunded.after().refundedFen()).isEqualTo(2_500);
		// a paid order that was cancelled is refunded next
		assertThat(Timeline.replay(PLACED, 10_000, List.of(event(OrderStatus.PAID, 1), event(OrderStatus.CANCELLED, 2),
				event(OrderStatus.REFUNDED, 3))).status()).isEqualTo(OrderStatus.REFUNDED);
		// a refunded order is not cancelled afterwards
		assertThatThrownBy(() -> Timeline.replay(PLACED, 10_000, List.of(event(OrderStatus.PAID, 1),
				event(OrderStatus.REFUNDED, 2), event(OrderStatus.CANCELLED, 3))))
			.isInstanceOfSatisfying(Timeline.Refused.class, r -> assertThat(r.code()).isEqualTo("order-closed"));
	}

	@Test
	void the_same_event_twice_is_held_once() {
		List<StatusEntry> paid = List.of(event(OrderStatus.PAID, 1));
		assertThat(Timeline.holds(paid, event(OrderStatus.PAID, 1))).isTrue();
		assertThat(Timeline.holds(paid, new StatusEntry("other-id", OrderStatus.PAID, at(1), at(5), false, null, null,
				null, null, null, "t"))).isTrue();
		assertThat(Timeline.holds(paid, event(OrderStatus.PAID, 2))).isFalse();
	}

	private static Instant at(int hours) {
		return PLACED.plusSeconds(3600L * hours);
	}

	private static StatusEntry event(OrderStatus status, int hours) {
		return event(status, hours, null, null);
	}

	private static StatusEntry event(OrderStatus status, int hours, String carrier, String tracking) {
		return new StatusEntry(status + "@" + at(hours), status, at(hours), at(hours), false, carrier, tracking, null,
				null, null, "test");
	}
}
