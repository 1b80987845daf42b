package io.storecast.catalog;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * The kinds of tag a product carries, so that "a gift for a teacher for 教师节" is two exact
 * matches rather than a text search: occasion (中秋, 春节, 母亲节 …), recipient (老师, 妈妈, 长辈 …),
 * style and material. Written in lower case in JSON and CSV ({@code occasion}).
 */
public enum TagDimension {

	OCCASION, RECIPIENT, STYLE, MATERIAL;

	@JsonValue
	public String key() {
		return name().toLowerCase(Locale.ROOT);
	}

	public static Optional<TagDimension> find(String key) {
		return Arrays.stream(values()).filter(d -> d.name().equalsIgnoreCase(key.trim())).findFirst();
	}

	@JsonCreator
	static TagDimension fromJson(String key) {
		return find(key).orElseThrow(() -> new IllegalArgumentException(
				"unknown tag dimension '" + key + "'; allowed: occasion, recipient, style, material"));
	}

	@Override
	public String toString() {
		return key();
	}
}
