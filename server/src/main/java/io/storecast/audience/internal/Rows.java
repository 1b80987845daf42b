package io.storecast.audience.internal;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

/** Small helpers for reading and writing rows. */
final class Rows {

	private Rows() {
	}

	static @Nullable Instant instant(ResultSet rs, String column) throws SQLException {
		Timestamp t = rs.getTimestamp(column);
		return t == null ? null : t.toInstant();
	}

	static @Nullable Timestamp ts(@Nullable Instant instant) {
		return instant == null ? null : Timestamp.from(instant);
	}

	static @Nullable UUID uuid(ResultSet rs, String column) throws SQLException {
		return rs.getObject(column, UUID.class);
	}

	static List<String> texts(ResultSet rs, String column) throws SQLException {
		Array array = rs.getArray(column);
		if (array == null) {
			return List.of();
		}
		Object[] values = (Object[]) array.getArray();
		return Arrays.stream(values).map(String::valueOf).toList();
	}

	static String[] uuids(java.util.Collection<UUID> ids) {
		return ids.stream().map(UUID::toString).toArray(String[]::new);
	}
}
