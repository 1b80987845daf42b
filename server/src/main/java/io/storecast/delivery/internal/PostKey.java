package io.storecast.delivery.internal;

import java.util.Optional;
import java.util.UUID;

/**
 * The idempotency key of an in-app post: {@code <delivery id>:<step>}. The channel posts under it
 * (a re-leased attempt of the same step stores nothing twice), and a read receipt's posts are mapped
 * back to their deliveries by it ({@link InAppReads}).
 */
record PostKey(UUID deliveryId, int step) {

	static String of(UUID deliveryId, int step) {
		return deliveryId + ":" + step;
	}

	/** The key's delivery and step; empty for a key of another module's post. */
	static Optional<PostKey> parse(String key) {
		int colon = key.lastIndexOf(':');
		if (colon <= 0) {
			return Optional.empty();
		}
		try {
			return Optional.of(new PostKey(UUID.fromString(key.substring(0, colon)), Integer.parseInt(key.substring(colon + 1))));
		}
		catch (IllegalArgumentException notOurs) {
			return Optional.empty();
		}
	}
}
