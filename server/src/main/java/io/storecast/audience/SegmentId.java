package io.storecast.audience;

import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** Identifies a segment. */
public record SegmentId(@JsonValue UUID value) {

	@JsonCreator
	public static SegmentId of(UUID value) {
		return new SegmentId(value);
	}

	public static SegmentId valueOf(String text) {
		return new SegmentId(UUID.fromString(text));
	}

	@Override
	public String toString() {
		return value.toString();
	}
}
