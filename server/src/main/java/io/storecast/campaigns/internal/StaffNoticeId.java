package io.storecast.campaigns.internal;

import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** Identifies a staff notice. */
record StaffNoticeId(@JsonValue UUID value) {

	@JsonCreator
	public static StaffNoticeId of(UUID value) {
		return new StaffNoticeId(value);
	}

	public static StaffNoticeId valueOf(String text) {
		return new StaffNoticeId(UUID.fromString(text));
	}

	@Override
	public String toString() {
		return value.toString();
	}
}
