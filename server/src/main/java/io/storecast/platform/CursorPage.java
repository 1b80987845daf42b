package io.storecast.platform;

import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * One page of a listing; pass {@code nextCursor} back as {@code after} to read the next page, which
 * is absent on the last one.
 */
public record CursorPage<T>(List<T> items, @Nullable String nextCursor) {

	public static final int DEFAULT_LIMIT = 50;
	public static final int MAX_LIMIT = 200;

	/**
	 * A page from a query that fetched one row more than {@code limit}: that extra row only tells
	 * that there is a next page, whose cursor is the last item's.
	 */
	public static <T> CursorPage<T> of(List<T> fetched, int limit, java.util.function.Function<T, String> cursor) {
		List<T> items = fetched.size() > limit ? List.copyOf(fetched.subList(0, limit)) : List.copyOf(fetched);
		return new CursorPage<>(items, fetched.size() > limit ? cursor.apply(items.getLast()) : null);
	}

	/** Checks a requested page size, answering 400 for one out of range. */
	public static int limit(@Nullable Integer requested) {
		if (requested == null) {
			return DEFAULT_LIMIT;
		}
		if (requested < 1 || requested > MAX_LIMIT) {
			throw ApiException.badRequest("invalid-limit", "limit",
					"limit must be between 1 and " + MAX_LIMIT + ", was " + requested);
		}
		return requested;
	}
}
