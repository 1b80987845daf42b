package io.storecast.campaigns.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.storecast.campaigns.CampaignId;
import io.storecast.identity.CustomerId;

class AbStatisticsUnitTest {

	@Test
	void the_wilson_interval_stays_within_0_and_1_and_is_not_empty_at_the_ends() {
		// 0 of 12: [0, z²/(n+z²)]; 8 of 8: [n/(n+z²), 1]
		assertThat(AbStatistics.wilson(0, 12)).isEqualTo(new AbStatistics.Interval(0.0, 0.2425, 0.95));
		assertThat(AbStatistics.wilson(8, 8)).isEqualTo(new AbStatistics.Interval(0.6756, 1.0, 0.95));
		AbStatistics.Interval half = AbStatistics.wilson(50, 100);
		assertThat(half.lower()).isCloseTo(0.4038, within(0.0001));
		assertThat(half.upper()).isCloseTo(0.5962, within(0.0001));
		assertThat(AbStatistics.wilson(0, 0)).isNull();
	}

	@Test
	void revenue_per_recipient_has_a_normal_interval_from_mean_and_sample_variance() {
		// values 0, 0, 22600, 22600: mean 11300, s² = 4·11300²/3, half-width 1.96·s/2
		double s = Math.sqrt(4 * 11_300.0 * 11_300.0 / 3);
		AbStatistics.Interval i = AbStatistics.mean(4, 45_200, 2 * 22_600.0 * 22_600.0);
		assertThat(i.upper()).isCloseTo(11_300 + 1.959964 * s / 2, within(0.01));
		// the lower end of a revenue interval is not below 0
		assertThat(i.lower()).isZero();
		assertThat(AbStatistics.mean(1, 100, 10_000)).isNull();
	}

	@Test
	void the_split_is_deterministic_and_follows_the_percentages() {
		Campaign.AbTest test = new Campaign.AbTest(List.of(new Campaign.AbTest.Variant("A", null, null),
				new Campaign.AbTest.Variant("B", null, null)), List.of(70, 30), 0.5, Campaign.Metric.CLICK_RATE,
				Campaign.WinnerMode.MANUAL, null);
		CampaignId campaign = new CampaignId(UUID.randomUUID());
		Map<String, Integer> counts = new HashMap<>();
		for (int i = 0; i < 20_000; i++) {
			CustomerId customer = new CustomerId(UUID.randomUUID());
			String variant = AbSplit.variant(campaign, customer, test);
			assertThat(AbSplit.variant(campaign, customer, test)).isEqualTo(variant);
			counts.merge(String.valueOf(variant), 1, Integer::sum);
		}
		assertThat(counts.get("null") / 20_000.0).isCloseTo(0.5, within(0.02));
		assertThat(counts.get("A") / 20_000.0).isCloseTo(0.35, within(0.02));
		assertThat(counts.get("B") / 20_000.0).isCloseTo(0.15, within(0.02));
	}
}
