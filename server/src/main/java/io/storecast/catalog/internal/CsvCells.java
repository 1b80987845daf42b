package io.storecast.catalog.internal;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.commons.csv.CSVRecord;
import org.jspecify.annotations.Nullable;

import io.storecast.platform.ApiException;

/**
 * Reading typed values from CSV cells the way Chinese spreadsheets and POS systems write them; a
 * bad cell is a 400-style problem naming its column, which the import turns into a row error.
 */
final class CsvCells {

	private static final Pattern YUAN = Pattern.compile("[¥￥]?\\s*(-?)(\\d{1,12})(?:\\.(\\d{1,2}))?");
	private static final Pattern LIST_SEPARATOR = Pattern.compile("[|、;；]");
	private static final DateTimeFormatter LOCAL_TIME = DateTimeFormatter.ofPattern("uuuu-M-d['T'][' ']H:mm[:ss]");
	private static final DateTimeFormatter LOCAL_DATE = DateTimeFormatter.ofPattern("uuuu-M-d");

	private CsvCells() {
	}

	/** The cell's text, or null when the column is absent or the cell blank. */
	static @Nullable String text(CSVRecord record, String column) {
		if (!record.isMapped(column) || !record.isSet(column)) {
			return null;
		}
		String value = record.get(column);
		return value == null || value.isBlank() ? null : value.strip();
	}

	static boolean has(CSVRecord record, String column) {
		return record.isMapped(column);
	}

	static long integer(String value, String column) {
		try {
			return Long.parseLong(value.replace(",", "").strip());
		}
		catch (NumberFormatException e) {
			throw ApiException.badRequest("invalid-value", column, "'" + value + "' is not a whole number");
		}
	}

	/** A price in yuan as people write it ("199", "199.9", "¥1,299.00") in fen, exactly. */
	static long yuan(String value, String column) {
		Matcher m = YUAN.matcher(value.replace(",", "").strip());
		if (!m.matches()) {
			throw ApiException.badRequest("invalid-price", column,
					"'" + value + "' is not a price in yuan with at most two decimals, e.g. 199.00");
		}
		String cents = m.group(3) == null ? "00" : (m.group(3) + "0").substring(0, 2);
		long fen = Long.parseLong(m.group(2)) * 100 + Long.parseLong(cents);
		return m.group(1).isEmpty() ? fen : -fen;
	}

	static boolean bool(String value, String column) {
		return switch (value.strip().toLowerCase(Locale.ROOT)) {
			case "true", "1", "yes", "y", "是", "上架" -> true;
			case "false", "0", "no", "n", "否", "下架" -> false;
			default -> throw ApiException.badRequest("invalid-value", column,
					"'" + value + "' is not true or false (also 1/0, yes/no, 是/否)");
		};
	}

	/**
	 * A time: ISO-8601 with an offset ({@code 2026-09-01T10:00:00+08:00}), or a local date-time or
	 * date in the merchant's zone ({@code 2026-09-01 10:00}, {@code 2026/9/1}).
	 */
	static Instant time(String value, String column, ZoneId zone) {
		String text = value.strip().replace('/', '-');
		try {
			return OffsetDateTime.parse(text).toInstant();
		}
		catch (DateTimeParseException notIso) {
			// a local time, below
		}
		try {
			return LocalDateTime.parse(text, LOCAL_TIME).atZone(zone).toInstant();
		}
		catch (DateTimeParseException notLocal) {
			// a date, below
		}
		try {
			return LocalDate.parse(text, LOCAL_DATE).atStartOfDay(zone).toInstant();
		}
		catch (DateTimeParseException e) {
			throw ApiException.badRequest("invalid-value", column,
					"'" + value + "' is not a time such as 2026-09-01 10:00 or 2026-09-01T10:00:00+08:00");
		}
	}

	/** The items of a list cell, separated by |, 、 or ;. */
	static List<String> list(@Nullable String value) {
		List<String> items = new ArrayList<>();
		if (value != null) {
			for (String item : LIST_SEPARATOR.split(value)) {
				if (!item.isBlank()) {
					items.add(item.strip());
				}
			}
		}
		return items;
	}
}
