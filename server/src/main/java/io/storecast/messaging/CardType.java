package io.storecast.messaging;

import tools.jackson.databind.JsonNode;

/**
 * A kind of card message (product, coupon, promotion, order, action ...). Modules register their
 * own as beans; a CARD message whose {@code card} names no registered type is refused.
 */
public interface CardType {

	/** The name clients use in {@code {"card": "<name>", "payload": {...}}}. */
	String name();

	/**
	 * Checks a payload; throws {@link io.storecast.platform.ApiException} (400, code
	 * {@code invalid-card}, naming the field as {@code payload.<field>}) when it is not acceptable.
	 */
	void validate(JsonNode payload);
}
