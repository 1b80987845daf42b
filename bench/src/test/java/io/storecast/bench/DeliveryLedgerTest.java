package io.storecast.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.junit.jupiter.api.Test;

class DeliveryLedgerTest {

	/** Two receivers, message m goes to receiver m % 2 (like a pair: A→B, B→A). */
	private static DeliveryLedger pairs(int messages) {
		int[][] single = { { 0 }, { 1 } };
		return new DeliveryLedger(messages, 2, m -> single[m % 2]);
	}

	@Test
	void deliveredOnceIsCountedWithItsLatency() {
		DeliveryLedger ledger = pairs(4);
		ledger.sent(0, 1_000);
		ledger.acked(0, 3_000);
		assertThat(ledger.received(0, 0, 6_000)).isTrue();
		assertThat(ledger.delivered()).isEqualTo(1);
		assertThat(ledger.deliveryLatencies().percentileNanos(100)).isEqualTo(5_000);
		assertThat(ledger.ackLatencies().percentileNanos(100)).isEqualTo(2_000);
		assertThat(ledger.missing()).isZero();
		assertThat(ledger.settled()).isTrue();
	}

	@Test
	void aSecondCopyIsADuplicateAndNotASecondDelivery() {
		DeliveryLedger ledger = pairs(4);
		ledger.sent(2, 1);
		ledger.acked(2, 2);
		assertThat(ledger.received(0, 2, 3)).isTrue();
		assertThat(ledger.received(0, 2, 4)).isFalse();
		assertThat(ledger.delivered()).isEqualTo(1);
		assertThat(ledger.duplicates()).isEqualTo(1);
		assertThat(ledger.deliveryLatencies().count()).isEqualTo(1);
	}

	@Test
	void aCopyAtTheWrongReceiverIsUnexpectedNotDelivered() {
		DeliveryLedger ledger = pairs(4);
		ledger.sent(1, 1);
		ledger.acked(1, 2);
		assertThat(ledger.received(0, 1, 3)).isFalse();
		assertThat(ledger.unexpected()).isEqualTo(1);
		assertThat(ledger.delivered()).isZero();
		assertThat(ledger.missing()).isEqualTo(1);
		assertThat(ledger.received(5, 1, 3)).isFalse();
		assertThat(ledger.received(1, 99, 3)).isFalse();
		assertThat(ledger.unexpected()).isEqualTo(3);
	}

	@Test
	void missingCountsAckedMessagesPerReceiverThatDidNotGetThem() {
		int[] everyone = { 0, 1, 2 };
		DeliveryLedger ledger = new DeliveryLedger(3, 3, m -> everyone);
		for (int m = 0; m < 3; m++) {
			ledger.sent(m, 10);
		}
		ledger.acked(0, 20);
		ledger.acked(1, 20);
		// message 2 is never acked: not counted as missing, but as unanswered
		ledger.received(0, 0, 30);
		ledger.received(1, 0, 30);
		ledger.received(2, 1, 30);
		ledger.received(0, 2, 30);
		assertThat(ledger.missing()).isEqualTo(1 + 2);
		assertThat(ledger.unanswered()).isEqualTo(1);
		assertThat(ledger.settled()).isFalse();
	}

	@Test
	void aSecondAckIsIgnored() {
		DeliveryLedger ledger = pairs(2);
		ledger.sent(0, 1);
		assertThat(ledger.acked(0, 2)).isTrue();
		assertThat(ledger.acked(0, 3)).isFalse();
		assertThat(ledger.acked(7, 3)).isFalse();
		assertThat(ledger.acked()).isEqualTo(1);
	}

	@Test
	void windowedCountsOnlyIncludeTimesInsideTheWindow() {
		DeliveryLedger ledger = pairs(4);
		ledger.window(100, 200);
		for (int m = 0; m < 4; m++) {
			ledger.sent(m, 50);
		}
		ledger.acked(0, 99);
		ledger.acked(1, 100);
		ledger.acked(2, 200);
		ledger.acked(3, 201);
		ledger.received(0, 0, 150);
		ledger.received(1, 1, 250);
		assertThat(ledger.ackedInWindow()).isEqualTo(2);
		assertThat(ledger.deliveredInWindow()).isEqualTo(1);
		assertThat(ledger.acked()).isEqualTo(4);
		assertThat(ledger.delivered()).isEqualTo(2);
	}

	@Test
	void concurrentReceiptsOfTheSameMessagesCountEachOnce() throws Exception {
		int messages = 20_000;
		int[] only = { 0 };
		DeliveryLedger ledger = new DeliveryLedger(messages, 1, m -> only);
		for (int m = 0; m < messages; m++) {
			ledger.sent(m, 1);
			ledger.acked(m, 2);
		}
		try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
			for (int t = 0; t < 4; t++) {
				pool.submit(() -> {
					for (int m = 0; m < messages; m++) {
						ledger.received(0, m, 3);
					}
				});
			}
		}
		assertThat(ledger.delivered()).isEqualTo(messages);
		assertThat(ledger.duplicates()).isEqualTo(3L * messages);
		assertThat(ledger.missing()).isZero();
		assertThat(ledger.deliveryLatencies().count()).isEqualTo(messages);
	}
}
