package io.storecast.delivery.internal;

import java.util.List;

import org.jspecify.annotations.Nullable;

import io.storecast.audience.Channel;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** A delivery's route as stored ({@code delivery_messages.route}). */
final class Route {

	private Route() {
	}

	/** @param fallbackAfterSeconds for in-app: go on if unread this long after it was stored */
	record Step(Channel channel, @Nullable Long fallbackAfterSeconds) {
	}

	static List<Step> parse(JsonMapper json, String stored) {
		return json.readValue(stored, new TypeReference<List<Step>>() {
		});
	}
}
