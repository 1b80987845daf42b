package io.storecast.audience.internal;

import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** Walks stored condition JSON for what it names (segments, tags), without resolving anything else. */
final class References {

	private References() {
	}

	/** A copy in which references to segments by name are replaced by their ids (so a rename breaks nothing). */
	static JsonNode normalised(JsonNode condition, ConditionParser.Resolver resolver) {
		JsonNode copy = condition.deepCopy();
		walk(copy, node -> {
			if ("segment".equals(node.path("field").asString(null)) && node.path("value").isString()) {
				resolver.segment(node.path("value").asString())
					.ifPresent(target -> node.put("value", target.id().toString()));
			}
		});
		return copy;
	}

	/** Ids of the segments the condition refers to. */
	static Set<String> segments(JsonNode condition) {
		Set<String> out = new HashSet<>();
		walk(condition, node -> {
			if ("segment".equals(node.path("field").asString(null)) && node.path("value").isString()) {
				out.add(node.path("value").asString());
			}
		});
		return out;
	}

	/** Names of the tags the condition refers to, lower case. */
	static Set<String> tags(JsonNode condition) {
		Set<String> out = new HashSet<>();
		walk(condition, node -> {
			if ("tag".equals(node.path("field").asString(null))) {
				JsonNode value = node.path("value");
				if (value.isString()) {
					out.add(value.asString().strip().toLowerCase(Locale.ROOT));
				}
				else if (value.isArray()) {
					value.forEach(v -> out.add(v.asString("").strip().toLowerCase(Locale.ROOT)));
				}
			}
		});
		return out;
	}

	private static void walk(JsonNode node, java.util.function.Consumer<ObjectNode> visit) {
		if (node instanceof ObjectNode object) {
			visit.accept(object);
			object.values().forEach(child -> walk(child, visit));
		}
		else if (node.isArray()) {
			node.forEach(child -> walk(child, visit));
		}
	}
}
