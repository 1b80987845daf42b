package io.storecast.identity;

import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** Identifies a customer (member) of the merchant. */
public record CustomerId(@JsonValue UUID value) {

	@JsonCreator
	public static CustomerId of(UUID value) {
		return new CustomerId(value);
	}

	public static CustomerId valueOf(String text) {
		return new CustomerId(UUID.fromString(text));
	}

	@Override
	public String toString() {
		return value.toString();
	}
}
