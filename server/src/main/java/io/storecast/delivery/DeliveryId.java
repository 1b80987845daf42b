package io.storecast.delivery;

import java.util.UUID;

/** One message to one customer, whatever channels it goes through. */
public record DeliveryId(UUID value) {

	@Override
	public String toString() {
		return value.toString();
	}
}
