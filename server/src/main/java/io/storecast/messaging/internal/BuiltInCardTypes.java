package io.storecast.messaging.internal;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.storecast.messaging.CardType;
import io.storecast.platform.ApiException;
import tools.jackson.databind.JsonNode;

/**
 * The card types every installation has, each described by the shape of its payload so that all of
 * them refuse bad input the same precise way (code {@code invalid-card}, the field named).
 */
@Configuration(proxyBeanMethods = false)
class BuiltInCardTypes {

	private static final List<String> ORDER_STATUSES = List.of("CREATED", "PAID", "SHIPPED", "OUT_FOR_DELIVERY", "DELIVERED",
			"CANCELLED", "REFUNDED");

	private static final Pattern BUTTON_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
	private static final Pattern UUID = Pattern
		.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

	@Bean
	CardType productCard() {
		return card("product", null, required("productId", text(1, 128)), required("name", text(1, 200)),
				required("priceFen", fen()), optional("imageUrl", url()), optional("skuId", text(1, 128)),
				optional("storeId", uuid()), optional("text", text(0, 1000)));
	}

	@Bean
	CardType couponCard() {
		return card("coupon", null, required("templateId", text(1, 128)), required("title", text(1, 100)),
				optional("discountFen", fen()), optional("thresholdFen", fen()),
				optional("percentOff", integer(1, 100)), optional("validUntil", instant()),
				optional("claimAction", text(1, 64)), optional("text", text(0, 4000)), optional("campaignId", uuid()));
	}

	@Bean
	CardType promotionCard() {
		return card("promotion", BuiltInCardTypes::endsAfterStart, required("title", text(1, 100)),
				optional("text", text(0, 1000)), optional("imageUrl", url()), optional("link", url()),
				optional("startsAt", instant()), optional("endsAt", instant()));
	}

	@Bean
	CardType orderCard() {
		return card("order", null, required("orderId", text(1, 128)), required("status", oneOf(ORDER_STATUSES)),
				optional("carrier", text(1, 64)), optional("trackingNumber", text(1, 64)),
				optional("totalFen", fen()), optional("expectedDelivery", dateOrInstant()),
				optional("title", text(1, 100)), optional("text", text(0, 1000)), optional("imageUrl", url()));
	}

	@Bean
	CardType actionCard() {
		Shape button = new Shape("a button", null, List.of(
				required("id", matching(BUTTON_ID, "must be 1 to 64 letters, digits, '_' or '-'")),
				required("label", text(1, 20))));
		return card("action", null, required("title", text(1, 100)), optional("text", text(0, 1000)),
				required("buttons", array(1, 5, button).and(distinct("id"))));
	}

	private static CardType card(String name, @Nullable Check rule, Field... fields) {
		return new ShapedCard(name, new Shape("a " + name + " card", rule, List.of(fields)));
	}

	private static void endsAfterStart(JsonNode payload, String path) {
		JsonNode startsAt = payload.get("startsAt");
		JsonNode endsAt = payload.get("endsAt");
		if (startsAt != null && !startsAt.isNull() && endsAt != null && !endsAt.isNull()
				&& !Instant.parse(endsAt.stringValue()).isAfter(Instant.parse(startsAt.stringValue()))) {
			throw invalid(path + ".endsAt", "must be after startsAt");
		}
	}

	/** A card type whose payload is an object of known fields. */
	record ShapedCard(String name, Shape shape) implements CardType {

		@Override
		public void validate(JsonNode payload) {
			shape.check(payload, "payload");
		}
	}

	/** Checks one JSON value, naming it by {@code path} when refusing it. */
	@FunctionalInterface
	interface Check {

		void check(JsonNode value, String path);

		default Check and(Check next) {
			return (value, path) -> {
				check(value, path);
				next.check(value, path);
			};
		}
	}

	/**
	 * One named field of a {@link Shape}.
	 *
	 * @param required whether the field must be present (an explicit null counts as absent)
	 */
	record Field(String name, boolean required, Check check) {
	}

	/**
	 * An object with known fields; any other field is refused so that a misspelt optional field is
	 * reported instead of silently ignored.
	 *
	 * @param noun what the object is, for the unknown-field refusal
	 * @param rule a check across fields, run once every field passed
	 */
	record Shape(String noun, @Nullable Check rule, List<Field> fields) implements Check {

		@Override
		public void check(JsonNode value, String path) {
			if (!value.isObject()) {
				throw invalid(path, "must be a JSON object");
			}
			for (String name : value.propertyNames()) {
				if (fields.stream().noneMatch(field -> field.name().equals(name))) {
					throw invalid(path + "." + name, "is not a field of " + noun);
				}
			}
			for (Field field : fields) {
				JsonNode fieldValue = value.get(field.name());
				if (fieldValue != null && !fieldValue.isNull()) {
					field.check().check(fieldValue, path + "." + field.name());
				}
				else if (field.required()) {
					throw invalid(path + "." + field.name(), "is required");
				}
			}
			if (rule != null) {
				rule.check(value, path);
			}
		}
	}

	private static Field required(String name, Check check) {
		return new Field(name, true, check);
	}

	private static Field optional(String name, Check check) {
		return new Field(name, false, check);
	}

	/** A string of {@code min} to {@code max} code points; when min > 0 it must not be blank either. */
	private static Check text(int min, int max) {
		return (value, path) -> {
			String text = string(value, path);
			int length = text.codePointCount(0, text.length());
			if (min > 0 && text.isBlank()) {
				throw invalid(path, "must not be blank");
			}
			if (length < min) {
				throw invalid(path, "must be at least " + min + " characters");
			}
			if (length > max) {
				throw invalid(path, "must be at most " + max + " characters");
			}
		};
	}

	private static Check matching(Pattern pattern, String requirement) {
		return (value, path) -> {
			if (!pattern.matcher(string(value, path)).matches()) {
				throw invalid(path, requirement);
			}
		};
	}

	private static Check oneOf(List<String> allowed) {
		return (value, path) -> {
			if (!allowed.contains(string(value, path))) {
				throw invalid(path, "must be one of " + String.join(", ", allowed));
			}
		};
	}

	private static Check uuid() {
		return matching(UUID, "must be a UUID");
	}

	/** An absolute http or https URL: cards are opened in browsers, where other schemes are a hazard. */
	private static Check url() {
		return text(1, 2048).and((value, path) -> {
			try {
				URI uri = new URI(value.stringValue());
				String scheme = uri.getScheme();
				if (scheme != null && (scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
						&& uri.getHost() != null && !uri.getHost().isEmpty()) {
					return;
				}
			}
			catch (URISyntaxException ex) {
				// refused below
			}
			throw invalid(path, "must be an http or https URL");
		});
	}

	private static Check integer(long min, long max) {
		return (value, path) -> {
			if (!value.isIntegralNumber()) {
				throw invalid(path, "must be an integer");
			}
			if (!value.canConvertToLong() || value.longValue() < min || value.longValue() > max) {
				throw invalid(path, max == Long.MAX_VALUE ? "must be at least " + min
						: "must be between " + min + " and " + max);
			}
		};
	}

	/** An amount of money: always whole fen, never a decimal that rounds differently on each client. */
	private static Check fen() {
		return integer(0, Long.MAX_VALUE);
	}

	private static Check instant() {
		return (value, path) -> {
			try {
				Instant.parse(string(value, path));
			}
			catch (DateTimeParseException ex) {
				throw invalid(path, "must be an ISO-8601 instant such as 2026-05-01T10:00:00Z");
			}
		};
	}

	private static Check dateOrInstant() {
		return (value, path) -> {
			String text = string(value, path);
			try {
				if (text.contains("T")) {
					Instant.parse(text);
				}
				else {
					LocalDate.parse(text);
				}
			}
			catch (DateTimeParseException ex) {
				throw invalid(path, "must be an ISO-8601 date or instant such as 2026-05-01");
			}
		};
	}

	/** An array of {@code min} to {@code max} items, each checked as {@code path[i]}. */
	private static Check array(int min, int max, Check item) {
		return (value, path) -> {
			if (!value.isArray()) {
				throw invalid(path, "must be an array");
			}
			if (value.size() < min || value.size() > max) {
				throw invalid(path, "must have " + min + " to " + max + " items");
			}
			for (int i = 0; i < value.size(); i++) {
				item.check(value.get(i), path + "[" + i + "]");
			}
		};
	}

	/** No two items of an (already checked) array of objects have the same value of {@code field}. */
	private static Check distinct(String field) {
		return (value, path) -> {
			Map<JsonNode, Integer> first = new HashMap<>();
			for (int i = 0; i < value.size(); i++) {
				JsonNode key = value.get(i).get(field);
				Integer earlier = key == null || key.isNull() ? null : first.putIfAbsent(key, i);
				if (earlier != null) {
					throw invalid(path + "[" + i + "]." + field, "must differ from " + path + "[" + earlier + "]." + field);
				}
			}
		};
	}

	private static String string(JsonNode value, String path) {
		if (!value.isString()) {
			throw invalid(path, "must be a string");
		}
		return value.stringValue();
	}

	private static ApiException invalid(String field, String detail) {
		return ApiException.badRequest("invalid-card", field, detail);
	}
}
