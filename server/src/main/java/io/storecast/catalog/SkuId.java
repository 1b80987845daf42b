package io.storecast.catalog;

import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** Identifies a SKU inside Storecast; the merchant's own id is its {@code externalId}. */
public record SkuId(@JsonValue UUID value) {

	@JsonCreator
	public static SkuId of(UUID value) {
		return new SkuId(value);
	}

	public static SkuId valueOf(String text) {
		return new SkuId(UUID.fromString(text));
	}

	@Override
	public String toString() {
		return value.toString();
	}
}
