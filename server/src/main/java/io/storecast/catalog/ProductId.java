package io.storecast.catalog;

import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** Identifies a product inside Storecast; the merchant's own id is its {@code externalId}. */
public record ProductId(@JsonValue UUID value) {

	@JsonCreator
	public static ProductId of(UUID value) {
		return new ProductId(value);
	}

	public static ProductId valueOf(String text) {
		return new ProductId(UUID.fromString(text));
	}

	@Override
	public String toString() {
		return value.toString();
	}
}
