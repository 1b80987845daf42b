package io.storecast.delivery;

import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** One message to one customer, whatever channels it goes through. */
public record DeliveryId(@JsonValue UUID value) {

	@JsonCreator
	public static DeliveryId of(UUID value) {
		return new DeliveryId(value);
	}

	@Override
	public String toString() {
		return value.toString();
	}
}
