package io.storecast.audience.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.storecast.audience.Channel;
import io.storecast.audience.SegmentId;
import io.storecast.audience.Topic;
import io.storecast.platform.ApiException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The condition language without a database: parsing, the SQL it compiles to, and rules that can never hold. */
class ConditionLanguageUnitTest {

	static final JsonMapper JSON = JsonMapper.builder().build();
	static final Instant NOW = Instant.parse("2026-11-23T04:00:00Z");
	static final UUID EAST_STORE_1 = UUID.randomUUID();
	static final UUID EAST_STORE_2 = UUID.randomUUID();
	static final UUID SOUTH_STORE = UUID.randomUUID();
	static final UUID EARRINGS_TAG = UUID.randomUUID();
	static final SegmentId A = new SegmentId(UUID.randomUUID());
	static final SegmentId B = new SegmentId(UUID.randomUUID());

	/** Tags 耳钉爱好者; org EAST (2 stores), SOUTH (1), HQ; segments A (refers to B) and B (refers to A). */
	static final ConditionParser.Resolver RESOLVER = new ConditionParser.Resolver() {
		@Override
		public Optional<UUID> tagId(String name) {
			return name.equals("耳钉爱好者") ? Optional.of(EARRINGS_TAG) : Optional.empty();
		}

		@Override
		public Optional<ConditionParser.SegmentRefTarget> segment(String idOrName) {
			if (idOrName.equals("A") || idOrName.equals(A.toString())) {
				return Optional.of(new ConditionParser.SegmentRefTarget(A, "A"));
			}
			if (idOrName.equals("B") || idOrName.equals(B.toString())) {
				return Optional.of(new ConditionParser.SegmentRefTarget(B, "B"));
			}
			return Optional.empty();
		}

		@Override
		public Optional<ConditionParser.OrgTarget> org(String code) {
			return switch (code) {
				case "EAST" -> Optional.of(new ConditionParser.OrgTarget("EAST", false, List.of(EAST_STORE_1, EAST_STORE_2)));
				case "SOUTH" -> Optional.of(new ConditionParser.OrgTarget("SOUTH", false, List.of(SOUTH_STORE)));
				case "HQ" -> Optional.of(new ConditionParser.OrgTarget("HQ", true, List.of(EAST_STORE_1, EAST_STORE_2, SOUTH_STORE)));
				default -> Optional.empty();
			};
		}

		@Override
		public Optional<Topic> topic(Topic topic) {
			return Optional.of(topic);
		}

		@Override
		public ZoneId zone() {
			return ZoneId.of("Asia/Shanghai");
		}
	};

	static final SqlCompiler.SegmentSource SEGMENTS = (id, path) -> id.equals(A)
			? ConditionParser.segment(json(Map.of("field", "segment", "op", "in", "value", B.toString())), "A", RESOLVER)
			: ConditionParser.segment(json(Map.of("field", "segment", "op", "in", "value", A.toString())), "B", RESOLVER);

	@Test
	void user_values_travel_as_parameters_never_as_sql_text() {
		String evil = "GOLD'); DROP TABLE audience_profiles; --";
		SqlCompiler.Sql sql = compile(Map.of("all", List.of(leaf("memberLevel", "eq", evil), leaf("orderCount", "gte", 2),
				leaf("favouriteCategory", "in", List.of("耳饰", evil)), leaf("subscription", "has", "tag:" + evil))));
		assertThat(sql.text()).doesNotContain("DROP").doesNotContain("GOLD").doesNotContain("耳饰");
		assertThat(sql.params()).contains(evil, 2L);
		assertThat(sql.text()).isEqualTo("((p.member_level IS NOT NULL AND p.member_level = ?) AND p.order_count >= ? AND "
				+ "p.favourite_categories && CAST(? AS text[]) AND EXISTS (SELECT 1 FROM audience_subscriptions s WHERE "
				+ "s.customer_id = p.customer_id AND s.topic = ?))");
		assertThat(sql.text().chars().filter(c -> c == '?').count()).isEqualTo(sql.params().size());
	}

	@Test
	void every_leaf_compiles_with_as_many_parameters_as_placeholders() {
		List<Map<String, Object>> leaves = List.of(leaf("memberLevel", "notIn", List.of("GOLD")), leaf("memberLevel", "exists", false),
				leaf("lifecycle", "in", List.of("NEW", "DORMANT")), leaf("lifecycle", "ne", "ACTIVE"),
				leaf("org", "in", List.of("EAST")), leaf("org", "notIn", List.of("SOUTH")), leaf("org", "in", "HQ"),
				leaf("birthday", "inNextDays", 7), leaf("birthday", "month", 2), leaf("registeredAt", "after", "2026-01-01"),
				leaf("lastPurchaseAt", "olderThanDays", 90), leaf("lastClickAt", "before", "2026-11-01T00:00:00Z"),
				leaf("totalSpendFen", "between", List.of(100, 200_000)), leaf("tag", "in", List.of("耳钉爱好者")),
				leaf("consent", "granted", "SMS"), leaf("consent", "granted", "IN_APP"), leaf("consent", "withdrawn", "SMS"),
				leaf("timeZone", "eq", "Asia/Tokyo"),
				Map.of("purchases", Map.of("category", List.of("耳饰"), "withinDays", 180, "org", "EAST"), "measure",
						"orders", "op", "gte", "value", 2),
				Map.of("purchases", Map.of("product", "P-1"), "measure", "amountFen", "op", "lt", "value", 100));
		for (Map<String, Object> leaf : leaves) {
			for (SqlCompiler.Mode mode : SqlCompiler.Mode.values()) {
				SqlCompiler.Sql sql = compile(Map.of("not", leaf), mode);
				assertThat(sql.text().chars().filter(c -> c == '?').count()).as("%s %s", leaf, sql.text())
					.isEqualTo(sql.params().size());
			}
		}
	}

	@Test
	void purchase_counts_where_zero_qualifies_take_everyone_else_out_rather_than_in() {
		SqlCompiler.Sql atLeastTwo = compile(Map.of("purchases", Map.of("category", "耳饰"), "measure", "orders", "op", "gte",
				"value", 2));
		assertThat(atLeastTwo.text()).startsWith("p.customer_id IN (SELECT pu.customer_id").contains("HAVING (count(DISTINCT");
		SqlCompiler.Sql fewerThanTwo = compile(Map.of("purchases", Map.of("category", "耳饰"), "measure", "orders", "op", "lt",
				"value", 2));
		assertThat(fewerThanTwo.text()).startsWith("p.customer_id NOT IN (").contains("HAVING NOT (count(DISTINCT");
		SqlCompiler.Sql one = compile(Map.of("purchases", Map.of("category", "耳饰"), "measure", "orders", "op", "lt", "value", 2),
				SqlCompiler.Mode.ROW);
		assertThat(one.text()).startsWith("(SELECT count(DISTINCT pu.order_id) < ? FROM audience_purchases pu WHERE "
				+ "pu.customer_id = p.customer_id");
		assertThat(one.params().getFirst()).isEqualTo(2L);
	}

	@Test
	void an_any_of_sets_is_one_semi_join_against_their_union() {
		SqlCompiler.Sql sql = compile(Map.of("any", List.of(leaf("tag", "has", "耳钉爱好者"),
				leaf("subscription", "in", List.of("tag:新款耳钉", "category:耳饰")),
				Map.of("all", List.of(Map.of("purchases", Map.of("category", "耳饰", "withinDays", 180), "measure", "orders", "op",
						"gte", "value", 1), leaf("consent", "granted", "IN_APP"))))));
		assertThat(sql.text()).startsWith("p.customer_id IN (SELECT * FROM ((SELECT ct.customer_id")
			.contains(") UNION (SELECT s.customer_id")
			.contains("EXCEPT (SELECT c.customer_id FROM audience_consents c WHERE c.channel = ? AND NOT c.granted)")
			.doesNotContain(" OR ");
		assertThat(sql.text().chars().filter(c -> c == '?').count()).isEqualTo(sql.params().size());
		assertThat(sql.params().get(1)).isInstanceOf(String[].class);
		// an alternative over a profile column keeps the row form
		assertThat(compile(Map.of("any", List.of(leaf("tag", "has", "耳钉爱好者"), leaf("orderCount", "gte", 3)))).text())
			.contains(" OR ");
	}

	@Test
	void unknown_fields_operators_and_values_are_named_by_their_path() {
		problem(Map.of("all", List.of(leaf("orderCount", "gte", 1), leaf("shoeSize", "gt", 40))), "unknown-condition-field",
				"condition.all[1].field");
		problem(Map.of("any", List.of(Map.of("not", leaf("orderCount", "like", 1)))), "unknown-condition-operator",
				"condition.any[0].not.op");
		problem(leaf("tag", "gte", 1), "unknown-condition-operator", "condition.op");
		problem(leaf("orderCount", "gte", 1.5), "invalid-condition-value", "condition.value");
		problem(leaf("birthday", "month", 13), "invalid-condition-value", "condition.value");
		problem(leaf("lastPurchaseAt", "withinDays", -1), "invalid-condition-value", "condition.value");
		problem(leaf("registeredAt", "before", "yesterday"), "invalid-condition-value", "condition.value");
		problem(leaf("memberLevel", "in", List.of()), "invalid-condition-value", "condition.value");
		problem(leaf("consent", "granted", "FAX"), "invalid-condition-value", "condition.value");
		problem(leaf("subscription", "has", "weather"), "invalid-condition-value", "condition.value");
		problem(Map.of("field", "orderCount", "op", "gte"), "invalid-condition-value", "condition.value");
		problem(Map.of("field", "orderCount", "op", "gte", "value", 1, "weight", 2), "invalid-condition", "condition.weight");
		problem(Map.of("purchases", Map.of(), "measure", "money", "op", "gte", "value", 1), "invalid-condition",
				"condition.measure");
		problem(Map.of("all", "everyone"), "invalid-condition", "condition.all");
		assertThatThrownBy(() -> ConditionParser.segment(JSON.readTree("[1]"), "condition", RESOLVER))
			.isInstanceOf(ApiException.class)
			.hasMessageContaining("must be an object");
		// too deep
		Object deep = leaf("orderCount", "gte", 1);
		for (int i = 0; i < 20; i++) {
			deep = Map.of("not", deep);
		}
		problem((Map<String, Object>) deep, "invalid-condition", "condition" + ".not".repeat(13));
	}

	@Test
	void segments_referring_back_to_themselves_are_cycles() {
		Condition a = ConditionParser.segment(json(leaf("segment", "in", "B")), "condition", RESOLVER);
		assertThatThrownBy(() -> SqlCompiler.compileSegment(A, a, context(SqlCompiler.Mode.SET)))
			.isInstanceOf(ApiException.class)
			.satisfies(e -> assertThat(((ApiException) e).code()).isEqualTo("segment-cycle"));
	}

	@Test
	void rules_that_can_never_hold_are_refused_with_the_part_named() {
		never(Map.of("all", List.of(leaf("orderCount", "gte", 5), leaf("orderCount", "lt", 3))), "rule.all[1]");
		never(leaf("orderCount", "lt", 0), "rule");
		never(Map.of("all", List.of(leaf("totalSpendFen", "eq", 100), leaf("totalSpendFen", "ne", 100))), "rule.all[1]");
		never(Map.of("all", List.of(leaf("lastPurchaseAt", "withinDays", 30), leaf("lastPurchaseAt", "olderThanDays", 60))),
				"rule.all[1]");
		never(Map.of("all", List.of(leaf("lastPurchaseAt", "exists", false), leaf("lastPurchaseAt", "withinDays", 30))),
				"rule.all[1]");
		never(Map.of("all", List.of(leaf("memberLevel", "eq", "GOLD"), leaf("memberLevel", "in", List.of("SILVER")))),
				"rule.all[1]");
		never(Map.of("all", List.of(leaf("memberLevel", "in", List.of("GOLD")), leaf("memberLevel", "notIn", List.of("GOLD")))),
				"rule.all[1]");
		never(Map.of("all", List.of(leaf("lifecycle", "eq", "NEW"), leaf("lifecycle", "ne", "NEW"))), "rule.all[1]");
		never(Map.of("all", List.of(leaf("org", "in", "EAST"), leaf("org", "in", "SOUTH"))), "rule.all[1]");
		never(Map.of("all", List.of(leaf("birthday", "month", 2), leaf("birthday", "month", 3))), "rule.all[1]");
		never(Map.of("any", List.of(leaf("orderCount", "lt", 0), leaf("totalSpendFen", "lt", 0))), "rule");
		never(Map.of("all", List.of(Map.of("all", List.of(leaf("orderCount", "gt", 10))), leaf("orderCount", "between", List.of(0, 3)))),
				"rule.all[0]", false);
		never(Map.of("all", List.of(Map.of("purchases", Map.of("category", "耳饰"), "measure", "orders", "op", "gte", "value", 3),
				Map.of("purchases", Map.of("category", "耳饰"), "measure", "orders", "op", "lte", "value", 2))), "rule.all[1]");
		never(Map.of("not", Map.of("all", List.of())), "rule");

		possible(Map.of("all", List.of(leaf("orderCount", "gte", 2), leaf("orderCount", "lt", 3))));
		possible(Map.of("any", List.of(leaf("orderCount", "lt", 0), leaf("totalSpendFen", "gt", 0))));
		possible(Map.of("all", List.of(leaf("lastPurchaseAt", "withinDays", 60), leaf("lastPurchaseAt", "olderThanDays", 30))));
		possible(Map.of("all", List.of(leaf("org", "in", "EAST"), leaf("org", "notIn", "SOUTH"))));
		possible(Map.of("purchases", Map.of("withinDays", 90), "measure", "amountFen", "op", "gte", "value", 200_000));
		// rules may not look at tags, segments or consent
		assertThatThrownBy(() -> ConditionParser.rule(json(leaf("tag", "has", "耳钉爱好者")), "rule", RESOLVER))
			.isInstanceOf(ApiException.class)
			.satisfies(e -> assertThat(((ApiException) e).code()).isEqualTo("field-not-allowed-in-rule"));
	}

	@Test
	void birthdays_in_the_next_days_wrap_the_year_and_remember_the_29th_of_february() {
		assertThat(SqlCompiler.monthDays(LocalDate.of(2026, 12, 30), 3)).containsExactly(1230, 1231, 101, 102);
		assertThat(SqlCompiler.monthDays(LocalDate.of(2027, 2, 27), 1)).containsExactly(227, 228, 229);
		assertThat(SqlCompiler.monthDays(LocalDate.of(2028, 2, 28), 1)).containsExactly(228, 229);
		assertThat(SqlCompiler.monthDays(LocalDate.of(2026, 5, 1), 366)).hasSize(366);
	}

	// --- helpers ----------------------------------------------------------------------------------

	static Map<String, Object> leaf(String field, String op, Object value) {
		return Map.of("field", field, "op", op, "value", value);
	}

	static JsonNode json(Object value) {
		return JSON.valueToTree(value);
	}

	static SqlCompiler.Context context(SqlCompiler.Mode mode) {
		return new SqlCompiler.Context(NOW, LocalDate.of(2026, 11, 23), Duration.ofDays(30), Duration.ofDays(90),
				Set.of(Channel.IN_APP), mode, SEGMENTS);
	}

	static SqlCompiler.Sql compile(Map<String, Object> condition) {
		return compile(condition, SqlCompiler.Mode.SET);
	}

	static SqlCompiler.Sql compile(Map<String, Object> condition, SqlCompiler.Mode mode) {
		return SqlCompiler.compile(ConditionParser.segment(json(condition), "condition", RESOLVER), context(mode));
	}

	static void problem(Map<String, Object> condition, String code, String field) {
		assertThatThrownBy(() -> ConditionParser.segment(json(condition), "condition", RESOLVER))
			.isInstanceOf(ApiException.class)
			.satisfies(e -> {
				ApiException api = (ApiException) e;
				assertThat(api.code()).as(api.getMessage()).isEqualTo(code);
				assertThat(api.fieldProblems()).extracting(ApiException.FieldProblem::field).containsExactly(field);
			});
	}

	static void never(Map<String, Object> rule, String path) {
		never(rule, path, true);
	}

	static void never(Map<String, Object> rule, String path, boolean exact) {
		Condition condition = ConditionParser.rule(json(rule), "rule", RESOLVER);
		assertThatThrownBy(() -> Satisfiability.requirePossible(condition, NOW)).as(rule.toString())
			.isInstanceOf(ApiException.class)
			.satisfies(e -> {
				ApiException api = (ApiException) e;
				assertThat(api.code()).isEqualTo("rule-never-true");
				if (exact) {
					assertThat(api.fieldProblems().getFirst().field()).as(api.getMessage()).isEqualTo(path);
				}
			});
	}

	static void possible(Map<String, Object> rule) {
		Satisfiability.requirePossible(ConditionParser.rule(json(rule), "rule", RESOLVER), NOW);
	}
}
