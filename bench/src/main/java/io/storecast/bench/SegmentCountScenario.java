package io.storecast.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import tools.jackson.databind.JsonNode;

/**
 * {@code segment-count}: a million customers ({@link AudienceData}), the rule tag 耳钉爱好者 created
 * over REST (so its first evaluation over everyone is measured too), then five representative
 * segments counted over HTTP ({@code GET /api/v1/audience/segments/{id}/count}, as the owner): each
 * warmed up 3 times, then counted {@code -Dbench.segment.rounds} (20) times; p50/p99 of the request
 * as the client sees it, and the count. The plan of each count (EXPLAIN ANALYZE, from the server's
 * explain endpoint) goes to stderr. Scale: {@code -Dbench.audience.customers} (1000000).
 */
final class SegmentCountScenario implements Scenario {

	static final String NAME = "segment-count";
	static final double TARGET_MS = 1000;

	@Override
	public String name() {
		return NAME;
	}

	static Map<String, Object> leaf(String field, String op, Object value) {
		return Map.of("field", field, "op", op, "value", value);
	}

	/** The five segments, by the metric prefix they report under. */
	static Map<String, Map<String, Object>> segments() {
		Map<String, Map<String, Object>> s = new LinkedHashMap<>();
		s.put("earring_lovers_east", Map.of("all", List.of(leaf("tag", "has", "耳钉爱好者"), leaf("org", "in", List.of("EAST")))));
		s.put("dormant_vips", Map.of("all", List.of(leaf("lifecycle", "eq", "DORMANT"),
				leaf("memberLevel", "in", List.of("GOLD", "DIAMOND")))));
		s.put("big_spenders_active_90d", Map.of("all", List.of(leaf("totalSpendFen", "gte", 300_000),
				leaf("lastPurchaseAt", "withinDays", 90))));
		s.put("sms_birthdays_7d", Map.of("all", List.of(leaf("birthday", "inNextDays", 7), leaf("consent", "granted", "SMS"))));
		s.put("new_earrings_audience", Map.of("any", List.of(leaf("tag", "has", "耳钉爱好者"),
				leaf("subscription", "in", List.of("tag:新款耳钉", "category:耳饰")),
				Map.of("all", List.of(Map.of("purchases", Map.of("category", "耳饰", "withinDays", 180), "measure", "orders", "op",
						"gte", "value", 1), leaf("consent", "granted", "IN_APP"))))));
		return s;
	}

	@Override
	public boolean run(Results results) throws Exception {
		int customers = Integer.getInteger("bench.audience.customers", 1_000_000);
		int rounds = Integer.getInteger("bench.segment.rounds", 20);
		boolean ok = true;
		try (AudienceData data = AudienceData.start(NAME, customers)) {
			results.emit(NAME, "generate_seconds", data.generate(), "s");
			results.emit(NAME, "customers", data.count("SELECT count(*) FROM audience_profiles"), "customers");

			long started = System.nanoTime();
			JsonNode rule = data.ok(data.call("POST", "/api/v1/audience/tags", Map.of("name", "耳钉爱好者", "rule",
					Map.of("purchases", Map.of("category", "耳饰"), "measure", "orders", "op", "gte", "value", 2))),
					"creating the rule tag");
			double ruleSeconds = (System.nanoTime() - started) / 1e9;
			results.emit(NAME, "rule_tag_first_evaluation", ruleSeconds, "s");
			results.emit(NAME, "rule_tag_members", rule.path("tag").path("members").asLong(), "customers");
			Bench.progress("%s: rule tag 耳钉爱好者 over %,d customers: %,d members in %.1f s", NAME, customers,
					rule.path("tag").path("members").asLong(), ruleSeconds);

			for (Map.Entry<String, Map<String, Object>> e : segments().entrySet()) {
				String id = data.ok(data.call("POST", "/api/v1/audience/segments", Map.of("name", e.getKey(), "condition",
						e.getValue())), "creating segment " + e.getKey()).path("id").asString();
				String path = "/api/v1/audience/segments/" + id + "/count";
				long count = 0;
				for (int i = 0; i < 3; i++) {
					count = data.ok(data.call("GET", path, null), "counting").path("count").asLong();
				}
				Latencies.Recorder recorder = new Latencies.Recorder();
				for (int i = 0; i < rounds; i++) {
					long sent = System.nanoTime();
					data.ok(data.call("GET", path, null), "counting");
					recorder.record(System.nanoTime() - sent);
				}
				Latencies l = Latencies.merge(List.of(recorder));
				results.emit(NAME, e.getKey() + "_count", count, "customers");
				results.emit(NAME, e.getKey() + "_p50", l.percentileMillis(50), "ms");
				results.emit(NAME, e.getKey() + "_p99", l.percentileMillis(99), "ms");
				JsonNode plan = data.ok(data.call("GET", "/api/v1/audience/segments/" + id + "/explain", null), "explain");
				StringBuilder text = new StringBuilder();
				plan.path("plan").forEach(line -> text.append("    ").append(line.asString()).append('\n'));
				Bench.progress("%s: %s = %,d customers, p50 %.0f ms, p99 %.0f ms; plan:\n%s", NAME, e.getKey(), count,
						l.percentileMillis(50), l.percentileMillis(99), text);
				if (l.percentileMillis(99) > TARGET_MS) {
					Bench.progress("%s: %s above the target of %.0f ms", NAME, e.getKey(), TARGET_MS);
				}
				ok &= count > 0;
			}
		}
		return ok;
	}
}
