package io.storecast.identity;

import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** Identifies a staff member. */
public record StaffId(@JsonValue UUID value) {

	@JsonCreator
	public static StaffId of(UUID value) {
		return new StaffId(value);
	}

	public static StaffId valueOf(String text) {
		return new StaffId(UUID.fromString(text));
	}

	@Override
	public String toString() {
		return value.toString();
	}
}
