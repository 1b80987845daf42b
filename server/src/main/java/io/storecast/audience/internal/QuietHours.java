package io.storecast.audience.internal;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;

/**
 * When marketing may go out: a daily send window in a time zone, and a calendar of days that have no
 * window (holidays) or one of their own. A moment outside the window is deferred to the next
 * opening, never dropped. Free of Spring and of the database.
 */
final class QuietHours {

	/** Half-open {@code [start, end)} on one local day. */
	record Window(LocalTime start, LocalTime end) {

		Window {
			if (!end.isAfter(start)) {
				throw new IllegalArgumentException("a send window ends after it starts");
			}
		}
	}

	/** How a day is special: {@code window} null means no marketing at all that day. */
	record Day(@Nullable Window window) {

		static final Day CLOSED = new Day(null);
	}

	/**
	 * The verdict: open now, or deferred until {@code next}, because of {@code reason} ({@code
	 * quiet-hours} or {@code holiday}).
	 */
	record Verdict(boolean open, @Nullable Instant next, @Nullable String reason) {

		static final Verdict OPEN = new Verdict(true, null, null);
	}

	static final int HORIZON_DAYS = 400;

	private QuietHours() {
	}

	/**
	 * @param special the day's exception, or null for an ordinary day
	 */
	static Verdict at(Instant at, ZoneId zone, Window normal, Function<LocalDate, @Nullable Day> special) {
		LocalDate today = at.atZone(zone).toLocalDate();
		Day todaySpecial = special.apply(today);
		for (int i = 0; i < HORIZON_DAYS; i++) {
			LocalDate day = today.plusDays(i);
			Day s = i == 0 ? todaySpecial : special.apply(day);
			Window w = s == null ? normal : s.window();
			if (w == null) {
				continue;
			}
			Instant open = ZonedDateTime.of(day, w.start(), zone).toInstant();
			Instant close = ZonedDateTime.of(day, w.end(), zone).toInstant();
			if (i == 0 && !at.isBefore(open) && at.isBefore(close)) {
				return Verdict.OPEN;
			}
			if (at.isBefore(open)) {
				return new Verdict(false, open, todaySpecial != null ? "holiday" : "quiet-hours");
			}
		}
		// a calendar with no window for more than a year: wait as long as it says
		return new Verdict(false, ZonedDateTime.of(today.plusDays(HORIZON_DAYS), normal.start(), zone).toInstant(), "holiday");
	}
}
