package io.storecast.audience;

import java.util.Locale;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * Something a customer can follow, written {@code kind:value}: {@code category:耳饰} (a catalog
 * category), {@code tag:新款耳钉} (a topic the merchant announces, such as new earrings) or
 * {@code store:<store id>}.
 */
public record Topic(Kind kind, String value) {

	public enum Kind {
		CATEGORY, TAG, STORE
	}

	public static final int MAX_VALUE_LENGTH = 64;

	public Topic {
		if (value == null || value.isBlank() || value.length() > MAX_VALUE_LENGTH || value.chars().anyMatch(Character::isISOControl)) {
			throw new IllegalArgumentException("a topic's value must be 1-" + MAX_VALUE_LENGTH + " printable characters");
		}
		value = value.strip();
	}

	/** Parses {@code kind:value}; throws IllegalArgumentException saying what is wrong. */
	@JsonCreator
	public static Topic parse(String text) {
		int colon = text == null ? -1 : text.indexOf(':');
		if (colon <= 0) {
			throw new IllegalArgumentException("a topic is written kind:value, e.g. category:耳饰, tag:新款耳钉 or store:SH-NJR");
		}
		String kind = text.substring(0, colon).strip().toUpperCase(Locale.ROOT);
		Kind k;
		try {
			k = Kind.valueOf(kind);
		}
		catch (IllegalArgumentException e) {
			throw new IllegalArgumentException("unknown topic kind '" + text.substring(0, colon)
					+ "': one of category, tag, store");
		}
		return new Topic(k, text.substring(colon + 1));
	}

	@JsonValue
	@Override
	public String toString() {
		return kind.name().toLowerCase(Locale.ROOT) + ":" + value;
	}
}
