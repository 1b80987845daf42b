package io.storecast.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.stream.LongStream;

import org.junit.jupiter.api.Test;

class LatenciesTest {

	@Test
	void nearestRankPercentilesOfOneToAHundred() {
		Latencies l = Latencies.of(LongStream.rangeClosed(1, 100).map(i -> 101 - i).toArray()); // any order
		assertThat(l.count()).isEqualTo(100);
		assertThat(l.percentileNanos(0)).isEqualTo(1);
		assertThat(l.percentileNanos(50)).isEqualTo(50);
		assertThat(l.percentileNanos(99)).isEqualTo(99);
		assertThat(l.percentileNanos(99.9)).isEqualTo(100);
		assertThat(l.percentileNanos(100)).isEqualTo(100);
	}

	@Test
	void p99OfAThousandSamplesIgnoresTheTopTen() {
		long[] samples = LongStream.rangeClosed(1, 1000).toArray();
		for (int i = 990; i < 1000; i++) {
			samples[i] = 1_000_000; // ten outliers
		}
		Latencies l = Latencies.of(samples);
		assertThat(l.percentileNanos(99)).isEqualTo(990);
		assertThat(l.percentileNanos(99.1)).isEqualTo(1_000_000);
	}

	@Test
	void oneSampleIsEveryPercentile() {
		Latencies l = Latencies.of(7);
		assertThat(l.percentileNanos(1)).isEqualTo(7);
		assertThat(l.percentileNanos(50)).isEqualTo(7);
		assertThat(l.percentileNanos(100)).isEqualTo(7);
	}

	@Test
	void millisecondsFromNanoseconds() {
		Latencies l = Latencies.of(1_500_000, 2_000_000, 250_000_000);
		assertThat(l.percentileMillis(50)).isCloseTo(2.0, within(1e-9));
		assertThat(l.maxMillis()).isCloseTo(250.0, within(1e-9));
	}

	@Test
	void recordersOfSeveralThreadsMerge() {
		Latencies.Recorder a = new Latencies.Recorder();
		Latencies.Recorder b = new Latencies.Recorder();
		for (long i = 1; i <= 3000; i++) { // grows past the initial capacity
			(i % 2 == 0 ? a : b).record(i);
		}
		Latencies l = Latencies.merge(List.of(a, b));
		assertThat(l.count()).isEqualTo(3000);
		assertThat(l.percentileNanos(50)).isEqualTo(1500);
		assertThat(l.percentileNanos(100)).isEqualTo(3000);
	}

	@Test
	void noSamplesOrABadPercentileIsAnError() {
		assertThatThrownBy(() -> Latencies.of().percentileNanos(50)).isInstanceOf(IllegalStateException.class);
		assertThatThrownBy(() -> Latencies.of(1).percentileNanos(101)).isInstanceOf(IllegalArgumentException.class);
		assertThatThrownBy(() -> Latencies.of(1).percentileNanos(Double.NaN))
			.isInstanceOf(IllegalArgumentException.class);
	}
}
