package io.storecast.orders;

import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** Identifies an order inside Storecast; the merchant's own order number is its {@code externalId}. */
public record OrderId(@JsonValue UUID value) {

	@JsonCreator
	public static OrderId of(UUID value) {
		return new OrderId(value);
	}

	public static OrderId valueOf(String text) {
		return new OrderId(UUID.fromString(text));
	}

	@Override
	public String toString() {
		return value.toString();
	}
}
