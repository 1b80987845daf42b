package io.storecast.audience.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** Send windows, time zones, holidays and daylight saving, without a database. */
class QuietHoursUnitTest {

	static final QuietHours.Window NINE_TO_EIGHT = new QuietHours.Window(LocalTime.of(9, 0), LocalTime.of(20, 0));
	static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");

	@Test
	void inside_the_window_goes_now_and_outside_waits_for_the_next_opening() {
		assertThat(at("2026-11-23T03:00:00Z", SHANGHAI, Map.of()).open()).isTrue();
		// 22:30 in Shanghai: tomorrow 09:00
		QuietHours.Verdict late = at("2026-11-23T14:30:00Z", SHANGHAI, Map.of());
		assertThat(late.open()).isFalse();
		assertThat(late.next()).isEqualTo(Instant.parse("2026-11-24T01:00:00Z"));
		assertThat(late.reason()).isEqualTo("quiet-hours");
		// 07:00: today 09:00
		assertThat(at("2026-11-22T23:00:00Z", SHANGHAI, Map.of()).next()).isEqualTo(Instant.parse("2026-11-23T01:00:00Z"));
		// exactly 20:00 is closed (the window is half-open), exactly 09:00 open
		assertThat(at("2026-11-23T12:00:00Z", SHANGHAI, Map.of()).open()).isFalse();
		assertThat(at("2026-11-23T01:00:00Z", SHANGHAI, Map.of()).open()).isTrue();
	}

	@Test
	void holidays_close_a_day_or_give_it_a_window_of_its_own() {
		Map<LocalDate, QuietHours.Day> golden = Map.of(LocalDate.of(2026, 10, 1), QuietHours.Day.CLOSED,
				LocalDate.of(2026, 10, 2), QuietHours.Day.CLOSED,
				LocalDate.of(2026, 10, 3), new QuietHours.Day(new QuietHours.Window(LocalTime.of(14, 0), LocalTime.of(16, 0))));
		QuietHours.Verdict eve = at("2026-09-30T13:00:00Z", SHANGHAI, golden);
		assertThat(eve.reason()).isEqualTo("quiet-hours");
		assertThat(eve.next()).isEqualTo(Instant.parse("2026-10-03T06:00:00Z"));
		QuietHours.Verdict onHoliday = at("2026-10-01T03:00:00Z", SHANGHAI, golden);
		assertThat(onHoliday.reason()).isEqualTo("holiday");
		assertThat(onHoliday.next()).isEqualTo(Instant.parse("2026-10-03T06:00:00Z"));
		assertThat(at("2026-10-03T07:00:00Z", SHANGHAI, golden).open()).isTrue();
		assertThat(at("2026-10-03T09:00:00Z", SHANGHAI, golden).next()).isEqualTo(Instant.parse("2026-10-04T01:00:00Z"));
	}

	@Test
	void the_window_is_local_time_whatever_the_offset_and_daylight_saving() {
		ZoneId newYork = ZoneId.of("America/New_York");
		// 2026-03-08 is the spring-forward day in New York: 09:00 EDT is 13:00 UTC
		assertThat(at("2026-03-08T12:30:00Z", newYork, Map.of()).next()).isEqualTo(Instant.parse("2026-03-08T13:00:00Z"));
		// the day before, 09:00 EST is 14:00 UTC
		assertThat(at("2026-03-07T12:30:00Z", newYork, Map.of()).next()).isEqualTo(Instant.parse("2026-03-07T14:00:00Z"));
		assertThat(at("2026-03-08T13:30:00Z", newYork, Map.of()).open()).isTrue();
	}

	static QuietHours.Verdict at(String instant, ZoneId zone, Map<LocalDate, QuietHours.Day> days) {
		return QuietHours.at(Instant.parse(instant), zone, NINE_TO_EIGHT, days::get);
	}
}
