package io.storecast.campaigns.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import java.util.UUID;

import org.junit.jupiter.api.Test;

class TriggerRulesUnitTest {

	@Test
	void a_birthday_on_29_february_is_kept_on_the_28th_in_other_years() {
		LocalDate leapling = LocalDate.of(1992, 2, 29);
		assertThat(TriggerBirthdays.occurrence(leapling, 2027)).isEqualTo(LocalDate.of(2027, 2, 28));
		assertThat(TriggerBirthdays.occurrence(leapling, 2028)).isEqualTo(LocalDate.of(2028, 2, 29));
		assertThat(TriggerBirthdays.occurrence(LocalDate.of(1990, 12, 31), 2027)).isEqualTo(LocalDate.of(2027, 12, 31));
	}

	@Test
	void a_firing_and_a_customer_fit_one_delivery_key() {
		UUID firing = UUID.fromString("01a20816-b39c-79c9-9069-caeca595cb83");
		String compact = TriggerRendering.compact(firing);
		assertThat(compact).hasSize(22).matches("[A-Za-z0-9_-]+");
		assertThat(TriggerRendering.compact(new UUID(firing.getMostSignificantBits(), firing.getLeastSignificantBits() + 1)))
			.isNotEqualTo(compact);
		String key = compact + ":" + UUID.randomUUID();
		assertThat(key).hasSizeLessThanOrEqualTo(64).matches("[A-Za-z0-9._:-]{1,64}");
	}
}
