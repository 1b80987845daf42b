package io.storecast.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.DayOfWeek;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class OpeningHoursUnitTest {

	static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");

	@Test
	void open_is_half_open_in_the_stores_zone() {
		OpeningHours hours = OpeningHours.daily(LocalTime.of(10, 0), LocalTime.of(22, 0));
		ZonedDateTime monday = ZonedDateTime.of(2026, 11, 23, 10, 0, 0, 0, SHANGHAI);
		assertThat(hours.isOpenAt(monday)).isTrue();
		assertThat(hours.isOpenAt(monday.minusNanos(1))).isFalse();
		assertThat(hours.isOpenAt(monday.withHour(22))).isFalse();
		assertThat(hours.isOpenAt(monday.withHour(21).withMinute(59))).isTrue();
		// 03:00 UTC is 11:00 in Shanghai
		assertThat(hours.isOpenAt(ZonedDateTime.of(2026, 11, 23, 3, 0, 0, 0, ZoneId.of("UTC")).withZoneSameInstant(SHANGHAI)))
			.isTrue();
	}

	@Test
	void absent_or_empty_days_are_closed() {
		OpeningHours hours = new OpeningHours(Map.of(DayOfWeek.MONDAY,
				List.of(new OpeningHours.Interval(LocalTime.of(9, 0), LocalTime.of(12, 0))), DayOfWeek.TUESDAY, List.of()));
		assertThat(hours.days()).containsOnlyKeys(DayOfWeek.MONDAY);
		assertThat(hours.isOpenAt(ZonedDateTime.of(2026, 11, 24, 10, 0, 0, 0, SHANGHAI))).isFalse();
		assertThat(OpeningHours.none().isOpenAt(ZonedDateTime.of(2026, 11, 23, 10, 0, 0, 0, SHANGHAI))).isFalse();
	}

	@Test
	void an_interval_must_close_after_it_opens() {
		assertThatThrownBy(() -> new OpeningHours.Interval(LocalTime.of(22, 0), LocalTime.of(10, 0)))
			.hasMessageContaining("must be after");
		assertThatThrownBy(() -> new OpeningHours.Interval(LocalTime.NOON, LocalTime.NOON)).isInstanceOf(IllegalArgumentException.class);
	}
}
