package io.storecast.campaigns.internal;

import java.time.Instant;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

/**
 * Where a newest-first page continues: after the row created at {@code createdAt} with {@code id}
 * (cursor {@code <createdAt>_<id>}), or from the newest when both are null.
 */
record NewestFirst(@Nullable Instant createdAt, @Nullable UUID id) {

	static NewestFirst after(@Nullable String cursor) {
		if (cursor == null) {
			return new NewestFirst(null, null);
		}
		try {
			int cut = cursor.lastIndexOf('_');
			return new NewestFirst(Instant.parse(cursor.substring(0, cut)), UUID.fromString(cursor.substring(cut + 1)));
		}
		catch (RuntimeException e) {
			throw ScopedAccess.invalidCursor();
		}
	}

	static String cursor(Instant createdAt, Object id) {
		return createdAt + "_" + id;
	}
}
