package io.storecast.delivery.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

import io.storecast.audience.Channel;

/** A held bulk lane goes out at its trickle, in whole batches; not held, it takes what it is offered. */
class BulkHoldUnitTest {

	private static final Instant NOW = Instant.parse("2026-11-24T12:00:00Z");
	private static final long SECOND = 1_000_000_000L;

	@Test
	void not_held_the_bulk_lane_takes_all_it_wants() {
		BulkHold hold = new BulkHold(new DeliverySettings.BulkHoldSettings(null, null));
		assertThat(hold.held(NOW)).isFalse();
		assertThat(hold.allowance(Channel.IN_APP, 256, 64, NOW, 0)).isEqualTo(256);
	}

	@Test
	void held_it_trickles_in_whole_batches_and_a_release_or_the_time_running_out_lets_it_all_go() {
		BulkHold hold = new BulkHold(new DeliverySettings.BulkHoldSettings(null, 200.0));
		hold.holdUntil(NOW.plusSeconds(10));
		assertThat(hold.held(NOW)).isTrue();
		// the trickle starts with a tenth of a second's tokens (20): not a whole batch of 64
		assertThat(hold.allowance(Channel.IN_APP, 256, 64, NOW, 0)).isZero();
		// a second later its bucket is full (200 tokens): three whole batches
		assertThat(hold.allowance(Channel.IN_APP, 256, 64, NOW, SECOND)).isEqualTo(192);
		hold.took(Channel.IN_APP, 192, NOW, SECOND);
		assertThat(hold.allowance(Channel.IN_APP, 256, 64, NOW, SECOND)).isZero();
		// each channel has its own trickle; one sending one at a time takes them one by one
		assertThat(hold.allowance(Channel.SMS, 256, 1, NOW, SECOND)).isEqualTo(20);
		// never more than the lease wants
		assertThat(hold.allowance(Channel.IN_APP, 64, 64, NOW, 3 * SECOND)).isEqualTo(64);
		// the time runs out by itself
		assertThat(hold.allowance(Channel.IN_APP, 256, 64, NOW.plusSeconds(10), 3 * SECOND)).isEqualTo(256);
		// and a time in the past releases at once
		hold.holdUntil(NOW.plus(Duration.ofHours(1)));
		assertThat(hold.held(NOW)).isTrue();
		hold.holdUntil(Instant.EPOCH);
		assertThat(hold.held(NOW)).isFalse();
		assertThat(hold.allowance(Channel.IN_APP, 256, 64, NOW, 3 * SECOND)).isEqualTo(256);
	}

	@Test
	void a_trickle_of_zero_holds_everything_and_a_slow_one_still_fills_its_batches() {
		BulkHold none = new BulkHold(new DeliverySettings.BulkHoldSettings(true, 0.0));
		none.holdUntil(NOW.plusSeconds(10));
		assertThat(none.allowance(Channel.IN_APP, 256, 64, NOW, 100 * SECOND)).isZero();
		// 10 a second never holds a batch of 64 in its one-second bucket: it goes 10 at a time
		BulkHold slow = new BulkHold(new DeliverySettings.BulkHoldSettings(true, 10.0));
		slow.holdUntil(NOW.plusSeconds(10));
		assertThat(slow.allowance(Channel.IN_APP, 256, 64, NOW, 0)).isZero();
		assertThat(slow.allowance(Channel.IN_APP, 256, 64, NOW, 5 * SECOND)).isEqualTo(10);
	}

	@Test
	void disabled_it_never_holds() {
		BulkHold off = new BulkHold(new DeliverySettings.BulkHoldSettings(false, null));
		off.holdUntil(NOW.plusSeconds(10));
		assertThat(off.held(NOW)).isFalse();
		assertThat(off.allowance(Channel.IN_APP, 256, 64, NOW, 0)).isEqualTo(256);
	}
}
