package io.storecast.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PacerTest {

	private static final long START = 1_000_000_000L;

	@Test
	void messageZeroIsDueAtTheStartAndNothingBefore() {
		Pacer pacer = new Pacer(START, 1000, 100);
		assertThat(pacer.dueBy(START - 1)).isZero();
		assertThat(pacer.dueBy(START)).isEqualTo(1);
		assertThat(pacer.dueAt(0)).isEqualTo(START);
	}

	@Test
	void dueCountFollowsTheRateExactly() {
		Pacer pacer = new Pacer(START, 1000, 1_000_000);
		// at 1000/s message i is due at i ms: by 999.999 ms, messages 0..999 are due
		assertThat(pacer.dueBy(START + 999_999_999L)).isEqualTo(1000);
		assertThat(pacer.dueBy(START + 1_999_999L)).isEqualTo(2);
		assertThat(pacer.dueBy(START + 1_000_000_000L)).isEqualTo(1001);
		assertThat(pacer.dueAt(1000)).isEqualTo(START + 1_000_000_000L);
	}

	@Test
	void fractionalRatesAndEdgesNeverOvershoot() {
		Pacer pacer = new Pacer(START, 3, 1000);
		for (long i = 0; i < 50; i++) {
			long at = pacer.dueAt(i);
			assertThat(pacer.dueBy(at)).as("at the due time of %d", i).isEqualTo(i + 1);
			assertThat(pacer.dueBy(at - 1)).as("just before the due time of %d", i).isEqualTo(i);
		}
	}

	@Test
	void neverMoreThanTheTotal() {
		Pacer pacer = new Pacer(START, 4000, 80);
		assertThat(pacer.dueBy(START + 60_000_000_000L)).isEqualTo(80);
	}

	@Test
	void oneStepOfTwentySecondsAtFourThousandIsEightyThousandMessages() {
		assertThat(Pacer.messagesFor(4000, 20)).isEqualTo(80_000);
		assertThat(Pacer.messagesFor(0.01, 1)).isEqualTo(1);
	}

	@Test
	void refusesANonPositiveRate() {
		assertThatThrownBy(() -> new Pacer(START, 0, 1)).isInstanceOf(IllegalArgumentException.class);
	}
}
