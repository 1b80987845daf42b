package io.storecast.audience.internal;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

import io.storecast.audience.Channel;
import io.storecast.audience.Lifecycle;
import io.storecast.audience.SegmentId;
import io.storecast.audience.Topic;
import io.storecast.audience.internal.Condition.Field;
import io.storecast.audience.internal.Condition.Kind;
import io.storecast.audience.internal.Condition.Measure;
import io.storecast.audience.internal.Condition.Op;
import io.storecast.platform.ApiException;
import tools.jackson.databind.JsonNode;

/**
 * Reads a condition tree from JSON, checking every part against the field and operator whitelists
 * and resolving names (tags, org nodes, segments) to ids. Any problem is a 400 naming the part by its
 * JSON path. Nothing here builds SQL: see {@link SqlCompiler}.
 */
final class ConditionParser {

	static final int MAX_NODES = 200;
	static final int MAX_DEPTH = 12;
	static final int MAX_LIST = 1000;
	static final int MAX_DAYS = 36_600;

	/** Looks names up; implemented over the module's tables and the org directory. */
	interface Resolver {

		Optional<UUID> tagId(String name);

		/** A segment by id or name: its id and name. */
		Optional<SegmentRefTarget> segment(String idOrName);

		/** An org node by code or id. */
		Optional<OrgTarget> org(String codeOrId);

		/** How a text value of a topic is normalised ({@code store:SH-NJR} becomes {@code store:<id>}); empty if unknown. */
		Optional<Topic> topic(Topic topic);

		/** The merchant's zone, for dates written without a time. */
		ZoneId zone();
	}

	record SegmentRefTarget(SegmentId id, String name) {
	}

	record OrgTarget(String code, boolean headOffice, List<UUID> stores) {
	}

	private final Resolver resolver;
	private final boolean forRule;
	private int nodes;

	private ConditionParser(Resolver resolver, boolean forRule) {
		this.resolver = resolver;
		this.forRule = forRule;
	}

	/** A segment's condition. */
	static Condition segment(JsonNode json, String path, Resolver resolver) {
		return new ConditionParser(resolver, false).node(json, path, 0);
	}

	/** A rule tag's condition: facts only (no tags, segments or consent), so rules never depend on each other. */
	static Condition rule(JsonNode json, String path, Resolver resolver) {
		return new ConditionParser(resolver, true).node(json, path, 0);
	}

	private Condition node(@Nullable JsonNode json, String path, int depth) {
		if (json == null || !json.isObject()) {
			throw invalid(path, "must be an object: {\"all\": [...]}, {\"any\": [...]}, {\"not\": {...}}, "
					+ "{\"field\": ..., \"op\": ..., \"value\": ...} or {\"purchases\": {...}, \"measure\": ..., \"op\": ..., \"value\": ...}");
		}
		if (++nodes > MAX_NODES) {
			throw invalid(path, "the condition has more than " + MAX_NODES + " parts");
		}
		if (depth > MAX_DEPTH) {
			throw invalid(path, "the condition is nested deeper than " + MAX_DEPTH + " levels");
		}
		if (json.has("all") || json.has("any")) {
			String key = json.has("all") ? "all" : "any";
			onlyKeys(json, path, key);
			JsonNode items = json.get(key);
			if (!items.isArray()) {
				throw invalid(path + "." + key, "must be a list of conditions");
			}
			if (key.equals("any") && items.isEmpty()) {
				throw invalid(path + ".any", "needs at least one condition (an empty any matches nobody)");
			}
			List<Condition> parsed = new ArrayList<>();
			for (int i = 0; i < items.size(); i++) {
				parsed.add(node(items.get(i), path + "." + key + "[" + i + "]", depth + 1));
			}
			return key.equals("all") ? new Condition.All(path, List.copyOf(parsed)) : new Condition.Any(path, List.copyOf(parsed));
		}
		if (json.has("not")) {
			onlyKeys(json, path, "not");
			return new Condition.Not(path, node(json.get("not"), path + ".not", depth + 1));
		}
		if (json.has("purchases")) {
			onlyKeys(json, path, "purchases", "measure", "op", "value");
			return purchases(json, path);
		}
		if (json.has("field")) {
			onlyKeys(json, path, "field", "op", "value");
			return leaf(json, path);
		}
		Iterator<String> names = json.propertyNames().iterator();
		String first = names.hasNext() ? names.next() : null;
		throw invalid(first == null ? path : path + "." + first, first == null ? "an empty condition"
				: "'" + first + "' is not part of the condition language: use all, any, not, field or purchases");
	}

	private static void onlyKeys(JsonNode json, String path, String... allowed) {
		Set<String> ok = Set.of(allowed);
		for (String name : json.propertyNames()) {
			if (!ok.contains(name)) {
				throw invalid(path + "." + name, "'" + name + "' does not belong here (allowed: "
						+ String.join(", ", allowed) + ")");
			}
		}
	}

	private Condition leaf(JsonNode json, String path) {
		JsonNode fieldNode = json.get("field");
		String fieldName = fieldNode.isString() ? fieldNode.asString() : fieldNode.toString();
		Field field = Arrays.stream(Field.values()).filter(f -> f.json.equals(fieldName)).findFirst().orElseThrow(
				() -> ApiException.badRequest("unknown-condition-field", path + ".field", "Unknown field '" + fieldName
						+ "' at " + path + ": one of " + String.join(", ", Arrays.stream(Field.values()).map(f -> f.json).toList())));
		if (forRule && (field == Field.TAG || field == Field.SEGMENT || field == Field.CONSENT)) {
			throw ApiException.badRequest("field-not-allowed-in-rule", path + ".field", "A rule tag's condition may not use '"
					+ field.json + "' (at " + path + "): rules look at customer facts only, so they never depend on each other");
		}
		Op op = op(json, path, field.kind.ops, field.json);
		JsonNode value = json.get("value");
		String vpath = path + ".value";
		if (value == null || value.isNull()) {
			throw value(vpath, "is required for " + field.json + " " + op.json);
		}
		if (op == Op.EXISTS) {
			return new Condition.Exists(path, field, bool(value, vpath));
		}
		return switch (field.kind) {
			case NUMBER -> {
				long[] ab = numbers(op, value, vpath);
				yield new Condition.NumberTest(path, field, op, ab[0], ab[1]);
			}
			case TEXT -> {
				List<String> values = op == Op.EQ || op == Op.NE ? List.of(text(value, vpath)) : texts(value, vpath);
				if (field == Field.TIME_ZONE) {
					values.forEach(v -> zone(v, vpath));
				}
				yield new Condition.TextTest(path, field, op, values);
			}
			case LIFECYCLE -> {
				List<String> names = op == Op.EQ || op == Op.NE ? List.of(text(value, vpath)) : texts(value, vpath);
				Set<Lifecycle> set = EnumSet.noneOf(Lifecycle.class);
				for (String n : names) {
					try {
						set.add(Lifecycle.valueOf(n.toUpperCase(Locale.ROOT)));
					}
					catch (IllegalArgumentException e) {
						throw value(vpath, "'" + n + "' is not a lifecycle: one of NEW, ACTIVE, DORMANT");
					}
				}
				yield new Condition.LifecycleTest(path, set, op == Op.NE || op == Op.NOT_IN);
			}
			case ORG -> {
				List<String> refs = value.isString() ? List.of(value.asString()) : texts(value, vpath);
				Set<UUID> stores = new LinkedHashSet<>();
				boolean everyone = false;
				List<String> codes = new ArrayList<>();
				for (String ref : refs) {
					OrgTarget target = resolver.org(ref)
						.orElseThrow(() -> ApiException.badRequest("unknown-org-node", vpath,
								"No org node '" + ref + "' (at " + vpath + "): give a code such as EAST or SH-NJR, or an id"));
					everyone |= target.headOffice();
					stores.addAll(target.stores());
					codes.add(target.code());
				}
				yield new Condition.OrgTest(path, List.copyOf(codes), List.copyOf(stores), everyone, op == Op.NOT_IN);
			}
			case TIME -> switch (op) {
				case WITHIN_DAYS, OLDER_THAN_DAYS -> new Condition.TimeTest(path, field, op, days(value, vpath, MAX_DAYS), null);
				default -> new Condition.TimeTest(path, field, op, 0, instant(value, vpath));
			};
			case BIRTHDAY -> {
				if (op == Op.MONTH) {
					int month = (int) integer(value, vpath);
					if (month < 1 || month > 12) {
						throw value(vpath, "a month is 1-12");
					}
					yield new Condition.BirthdayTest(path, op, month);
				}
				yield new Condition.BirthdayTest(path, op, days(value, vpath, 366));
			}
			case FAVOURITE -> new Condition.FavouriteTest(path,
					op == Op.HAS ? List.of(text(value, vpath)) : texts(value, vpath));
			case TAG -> {
				List<String> names = op == Op.HAS ? List.of(text(value, vpath)) : texts(value, vpath);
				List<UUID> ids = new ArrayList<>();
				for (String n : names) {
					ids.add(resolver.tagId(n)
						.orElseThrow(() -> ApiException.badRequest("unknown-tag", vpath,
								"No tag '" + n + "' (at " + vpath + "); create it first or check its name")));
				}
				yield new Condition.TagTest(path, names, List.copyOf(ids));
			}
			case SUBSCRIPTION -> {
				List<String> raw = op == Op.HAS ? List.of(text(value, vpath)) : texts(value, vpath);
				List<String> topics = new ArrayList<>();
				for (String t : raw) {
					Topic topic;
					try {
						topic = Topic.parse(t);
					}
					catch (IllegalArgumentException e) {
						throw value(vpath, e.getMessage());
					}
					topics.add(resolver.topic(topic)
						.orElseThrow(() -> ApiException.badRequest("unknown-org-node", vpath,
								"No store '" + topic.value() + "' (at " + vpath + ")"))
						.toString());
				}
				yield new Condition.SubscriptionTest(path, List.copyOf(topics));
			}
			case CONSENT -> {
				String channel = text(value, vpath);
				try {
					yield new Condition.ConsentTest(path, Channel.valueOf(channel.toUpperCase(Locale.ROOT)), op == Op.GRANTED);
				}
				catch (IllegalArgumentException e) {
					throw value(vpath, "'" + channel + "' is not a channel: one of IN_APP, SMS, WEBHOOK");
				}
			}
			case SEGMENT -> {
				String ref = text(value, vpath);
				SegmentRefTarget target = resolver.segment(ref)
					.orElseThrow(() -> ApiException.badRequest("unknown-segment", vpath,
							"No segment '" + ref + "' (at " + vpath + ")"));
				yield new Condition.SegmentRef(path, target.id(), target.name());
			}
		};
	}

	private Condition purchases(JsonNode json, String path) {
		JsonNode filters = json.get("purchases");
		String fpath = path + ".purchases";
		if (!filters.isObject()) {
			throw invalid(fpath, "must be an object of filters: category, product, org, withinDays (all optional)");
		}
		onlyKeys(filters, fpath, "category", "product", "org", "withinDays");
		List<String> categories = filters.has("category") ? textOrTexts(filters.get("category"), fpath + ".category") : List.of();
		List<String> products = filters.has("product") ? textOrTexts(filters.get("product"), fpath + ".product") : List.of();
		// null: any store (no org filter, or the head office among them)
		List<UUID> stores = null;
		if (filters.has("org")) {
			Set<UUID> under = new LinkedHashSet<>();
			boolean everywhere = false;
			for (String ref : textOrTexts(filters.get("org"), fpath + ".org")) {
				OrgTarget t = resolver.org(ref)
					.orElseThrow(() -> ApiException.badRequest("unknown-org-node", fpath + ".org", "No org node '" + ref
							+ "' (at " + fpath + ".org)"));
				everywhere |= t.headOffice();
				under.addAll(t.stores());
			}
			stores = everywhere ? null : List.copyOf(under);
		}
		Integer withinDays = filters.has("withinDays") ? days(filters.get("withinDays"), fpath + ".withinDays", MAX_DAYS) : null;
		JsonNode measureNode = json.get("measure");
		String mpath = path + ".measure";
		if (measureNode == null || !measureNode.isString()) {
			throw invalid(mpath, "is required: orders, quantity or amountFen");
		}
		Measure measure = Arrays.stream(Measure.values())
			.filter(m -> m.json.equals(measureNode.asString()))
			.findFirst()
			.orElseThrow(() -> invalid(mpath, "'" + measureNode.asString() + "' is not a measure: orders, quantity or amountFen"));
		Op op = op(json, path, Kind.NUMBER.ops, "purchases");
		JsonNode value = json.get("value");
		if (value == null || value.isNull()) {
			throw value(path + ".value", "is required");
		}
		long[] ab = numbers(op, value, path + ".value");
		return new Condition.PurchaseTest(path, categories, products, stores, withinDays,
				measure, op, ab[0], ab[1]);
	}

	private static Op op(JsonNode json, String path, Set<Op> allowed, String what) {
		JsonNode opNode = json.get("op");
		String opath = path + ".op";
		String allowedNames = String.join(", ", allowed.stream().sorted().map(o -> o.json).toList());
		if (opNode == null || !opNode.isString()) {
			throw ApiException.badRequest("unknown-condition-operator", opath,
					"An operator is required at " + opath + " for " + what + ": one of " + allowedNames);
		}
		String name = opNode.asString();
		Optional<Op> op = Arrays.stream(Op.values()).filter(o -> o.json.equals(name)).findFirst();
		if (op.isEmpty() || !allowed.contains(op.get())) {
			throw ApiException.badRequest("unknown-condition-operator", opath, "Operator '" + name + "' (at " + opath
					+ ") does not apply to " + what + ": one of " + allowedNames);
		}
		return op.get();
	}

	private static long[] numbers(Op op, JsonNode value, String path) {
		if (op == Op.BETWEEN) {
			if (!value.isArray() || value.size() != 2) {
				throw value(path, "between takes [min, max]");
			}
			long a = integer(value.get(0), path + "[0]");
			long b = integer(value.get(1), path + "[1]");
			if (a > b) {
				throw value(path, "between [" + a + ", " + b + "]: min is above max");
			}
			return new long[] { a, b };
		}
		return new long[] { integer(value, path), 0 };
	}

	private static long integer(JsonNode value, String path) {
		if (!value.isIntegralNumber() || !value.canConvertToLong()) {
			throw value(path, "must be a whole number (money in fen)");
		}
		return value.asLong();
	}

	private static int days(JsonNode value, String path, int max) {
		long n = integer(value, path);
		if (n < 0 || n > max) {
			throw value(path, "must be a number of days between 0 and " + max);
		}
		return (int) n;
	}

	private static boolean bool(JsonNode value, String path) {
		if (!value.isBoolean()) {
			throw value(path, "must be true or false");
		}
		return value.asBoolean();
	}

	private static String text(JsonNode value, String path) {
		if (!value.isString() || value.asString().isBlank() || value.asString().length() > 200) {
			throw value(path, "must be a non-blank string of at most 200 characters");
		}
		return value.asString().strip();
	}

	private static List<String> texts(JsonNode value, String path) {
		if (!value.isArray() || value.isEmpty() || value.size() > MAX_LIST) {
			throw value(path, "must be a list of 1-" + MAX_LIST + " strings");
		}
		List<String> out = new ArrayList<>();
		for (int i = 0; i < value.size(); i++) {
			out.add(text(value.get(i), path + "[" + i + "]"));
		}
		return List.copyOf(new LinkedHashSet<>(out));
	}

	private static List<String> textOrTexts(JsonNode value, String path) {
		return value.isString() ? List.of(text(value, path)) : texts(value, path);
	}

	private Instant instant(JsonNode value, String path) {
		String text = text(value, path);
		try {
			return text.contains("T") ? Instant.parse(text) : LocalDate.parse(text).atStartOfDay(resolver.zone()).toInstant();
		}
		catch (DateTimeParseException e) {
			try {
				return java.time.OffsetDateTime.parse(text).toInstant();
			}
			catch (DateTimeParseException again) {
				throw value(path, "'" + text + "' is not an ISO date (2026-09-01) or instant (2026-09-01T08:00:00Z)");
			}
		}
	}

	static ZoneId zone(String text, String path) {
		try {
			return ZoneId.of(text);
		}
		catch (java.time.DateTimeException e) {
			throw ApiException.badRequest("invalid-time-zone", path,
					"'" + text + "' is not a time-zone id such as Asia/Shanghai");
		}
	}

	static ApiException invalid(String path, String detail) {
		return ApiException.badRequest("invalid-condition", path, "Invalid condition at " + path + ": " + detail);
	}

	static ApiException value(String path, String detail) {
		return ApiException.badRequest("invalid-condition-value", path, "Invalid value at " + path + ": " + detail);
	}
}
