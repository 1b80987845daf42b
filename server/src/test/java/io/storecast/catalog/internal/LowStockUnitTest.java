package io.storecast.catalog.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LowStockUnitTest {

	@Test
	void a_fall_below_the_threshold_alerts_once() {
		assertThat(LowStock.evaluate(-2, 4, 5, false)).isEqualTo(LowStock.Outcome.ALERT);
		assertThat(LowStock.evaluate(-1, 3, 5, true)).isEqualTo(LowStock.Outcome.NONE);
		assertThat(LowStock.evaluate(-1, 5, 5, false)).isEqualTo(LowStock.Outcome.NONE);
	}

	@Test
	void stock_back_at_the_threshold_rearms() {
		assertThat(LowStock.evaluate(10, 13, 5, true)).isEqualTo(LowStock.Outcome.RESTORE);
		assertThat(LowStock.evaluate(2, 5, 5, true)).isEqualTo(LowStock.Outcome.RESTORE);
		assertThat(LowStock.evaluate(2, 7, 5, false)).isEqualTo(LowStock.Outcome.NONE);
	}

	@Test
	void a_partial_receipt_that_stays_below_does_not_alert_and_no_threshold_never_does() {
		assertThat(LowStock.evaluate(2, 3, 5, false)).isEqualTo(LowStock.Outcome.NONE);
		assertThat(LowStock.evaluate(-100, 0, null, false)).isEqualTo(LowStock.Outcome.NONE);
	}
}
