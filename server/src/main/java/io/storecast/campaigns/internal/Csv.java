package io.storecast.campaigns.internal;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

import io.storecast.platform.ApiException;

/**
 * Results as CSV (RFC 4180) for a spreadsheet: UTF-8 with a byte order mark so that Excel reads the
 * Chinese names, cells quoted where needed and never read as a formula; asked for with
 * {@code format=csv} or {@code Accept: text/csv}.
 */
final class Csv {

	static final MediaType MEDIA_TYPE = new MediaType("text", "csv", StandardCharsets.UTF_8);
	/** The label of the totals' row. */
	static final String TOTAL = "合计 Total";

	private Csv() {
	}

	/** Whether CSV is asked for: {@code format} csv (or json), else an Accept naming text/csv; another format is 400. */
	private static boolean wanted(@Nullable String format, @Nullable String accept) {
		if (format == null) {
			return accept != null && accept.toLowerCase(Locale.ROOT).contains("text/csv");
		}
		return switch (format.toLowerCase(Locale.ROOT)) {
			case "csv" -> true;
			case "json" -> false;
			default -> throw ApiException.badRequest("validation-failed", "format", "format is json or csv");
		};
	}

	/**
	 * The results as JSON, or as a CSV download named {@code file} when it is asked for (a bad
	 * {@code format} is refused before the results are read).
	 */
	static <T> ResponseEntity<?> results(@Nullable String format, @Nullable String accept,
			java.util.function.Supplier<T> results, java.util.function.Function<T, String> file,
			java.util.function.Function<T, CharSequence> csv) {
		boolean wanted = wanted(format, accept);
		T view = results.get();
		return wanted ? attachment(file.apply(view), csv.apply(view))
				: ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(view);
	}

	/** A new document: the byte order mark. */
	static StringBuilder document() {
		return new StringBuilder("\uFEFF");
	}

	/** The document as a download named {@code file}. */
	private static ResponseEntity<byte[]> attachment(String file, CharSequence document) {
		return ResponseEntity.ok()
			.contentType(MEDIA_TYPE)
			.header(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"" + file + "\"")
			.body(document.toString().getBytes(StandardCharsets.UTF_8));
	}

	static String cell(@Nullable String text) {
		if (text == null) {
			return "";
		}
		// a leading = + - @ would be a formula in a spreadsheet
		String safe = !text.isEmpty() && "=+-@".indexOf(text.charAt(0)) >= 0 ? "'" + text : text;
		return safe.contains(",") || safe.contains("\"") || safe.contains("\n") || safe.contains("\r")
				? "\"" + safe.replace("\"", "\"\"") + "\"" : safe;
	}
}
