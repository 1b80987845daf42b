package io.storecast.audience;

import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** Identifies a segment snapshot: the segment's members fixed at one moment. */
public record SnapshotId(@JsonValue UUID value) {

	@JsonCreator
	public static SnapshotId of(UUID value) {
		return new SnapshotId(value);
	}

	public static SnapshotId valueOf(String text) {
		return new SnapshotId(UUID.fromString(text));
	}

	@Override
	public String toString() {
		return value.toString();
	}
}
