package io.storecast.identity;

import java.time.DayOfWeek;
import java.time.LocalTime;
import java.time.ZonedDateTime;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * A store's weekly opening hours in its own time zone; a day that is absent is closed. Intervals
 * are half-open, {@code [open, close)}, and do not cross midnight.
 */
public record OpeningHours(Map<DayOfWeek, List<Interval>> days) {

	public OpeningHours {
		EnumMap<DayOfWeek, List<Interval>> copy = new EnumMap<>(DayOfWeek.class);
		days.forEach((day, intervals) -> {
			if (!intervals.isEmpty()) {
				copy.put(day, List.copyOf(intervals));
			}
		});
		days = java.util.Collections.unmodifiableMap(copy);
	}

	@JsonCreator
	public static OpeningHours of(Map<DayOfWeek, List<Interval>> days) {
		return new OpeningHours(days == null ? Map.of() : days);
	}

	@JsonValue
	public Map<DayOfWeek, List<Interval>> days() {
		return days;
	}

	public static OpeningHours none() {
		return new OpeningHours(Map.of());
	}

	/** Every day from {@code open} to {@code close}. */
	public static OpeningHours daily(LocalTime open, LocalTime close) {
		EnumMap<DayOfWeek, List<Interval>> days = new EnumMap<>(DayOfWeek.class);
		for (DayOfWeek day : DayOfWeek.values()) {
			days.put(day, List.of(new Interval(open, close)));
		}
		return new OpeningHours(days);
	}

	/** Whether the store is open at {@code time}, which must be in the store's own zone. */
	public boolean isOpenAt(ZonedDateTime time) {
		LocalTime local = time.toLocalTime();
		return days.getOrDefault(time.getDayOfWeek(), List.of())
			.stream()
			.anyMatch(i -> !local.isBefore(i.open()) && local.isBefore(i.close()));
	}

	/** One opening interval of a day. */
	public record Interval(@JsonFormat(pattern = "HH:mm") LocalTime open,
			@JsonFormat(pattern = "HH:mm") LocalTime close) {

		public Interval {
			if (open == null || close == null) {
				throw new IllegalArgumentException("an interval needs both open and close");
			}
			if (!close.isAfter(open)) {
				throw new IllegalArgumentException("close (" + close + ") must be after open (" + open + ")");
			}
		}
	}
}
