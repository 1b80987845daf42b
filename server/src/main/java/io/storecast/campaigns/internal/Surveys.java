package io.storecast.campaigns.internal;

import static io.storecast.campaigns.internal.Campaigns.likePrefix;
import static io.storecast.campaigns.internal.Campaigns.ts;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import io.storecast.coupons.CouponTemplateId;
import io.storecast.identity.CustomerId;
import io.storecast.identity.OrgNodeId;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * Surveys in {@code campaigns_surveys}; each customer's answers in {@code campaigns_survey_answers}
 * (one per question) and where they stand in {@code campaigns_survey_responses} (one per customer).
 * Who was invited is read from the trigger firings and the campaigns that carry the survey's card.
 */
@Repository
class Surveys {

	private static final TypeReference<List<Survey.Question>> QUESTIONS = new TypeReference<>() {
	};

	/** A customer's answer to one question; {@code fin} once it can no longer change. */
	record Answer(int question, List<Integer> options, boolean fin) {
	}

	/** A customer's response: completed and rewarded, or still going. */
	record Response(String channel, Instant startedAt, @Nullable Instant completedAt, @Nullable UUID couponId,
			@Nullable String rewardCode) {
	}

	private final JdbcClient jdbc;
	private final JsonMapper json;

	Surveys(JdbcClient jdbc, JsonMapper json) {
		this.jdbc = jdbc;
		this.json = json;
	}

	void insert(Survey s) {
		jdbc.sql("""
				INSERT INTO campaigns_surveys (id, title, questions, coupon_template_id, reward_code, scope_node_id, scope_path,
				                               created_by, created_at)
				VALUES (?, ?, CAST(? AS jsonb), ?, ?, ?, ?, ?, ?)""")
			.params(s.id(), s.title(), json.writeValueAsString(s.questions()),
					s.couponTemplateId() == null ? null : s.couponTemplateId().value(), s.rewardCode(), s.scopeNodeId().value(),
					s.scopePath(), s.createdBy(), ts(s.createdAt()))
			.update();
	}

	Optional<Survey> find(UUID id) {
		return jdbc.sql("SELECT * FROM campaigns_surveys WHERE id = ?").param(id).query(this::map).optional();
	}

	/** Surveys whose scope lies at or below the path, newest first, after the cursor. */
	List<Survey> list(String scopePrefix, @Nullable Instant afterCreated, @Nullable UUID afterId, int limit) {
		return jdbc.sql("""
				SELECT * FROM campaigns_surveys
				 WHERE scope_path LIKE :prefix
				   AND (CAST(:afterCreated AS timestamptz) IS NULL OR (created_at, id) < (:afterCreated, :afterId))
				 ORDER BY created_at DESC, id DESC LIMIT :limit""")
			.param("prefix", likePrefix(scopePrefix))
			.param("afterCreated", afterCreated == null ? null : ts(afterCreated))
			.param("afterId", afterId)
			.param("limit", limit)
			.query(this::map)
			.list();
	}

	private Survey map(ResultSet rs, int n) throws SQLException {
		UUID template = rs.getObject("coupon_template_id", UUID.class);
		return new Survey(rs.getObject("id", UUID.class), rs.getString("title"),
				json.readValue(rs.getString("questions"), QUESTIONS), template == null ? null : new CouponTemplateId(template),
				rs.getString("reward_code"), new OrgNodeId(rs.getObject("scope_node_id", UUID.class)), rs.getString("scope_path"),
				rs.getString("created_by"), rs.getTimestamp("created_at").toInstant(), Campaigns.instant(rs, "closed_at"),
				rs.getString("closed_by"));
	}

	// ---- invitations, answers, responses

	/**
	 * Every invitation to a survey: a customer handed its card by a trigger (the firing's store) or a
	 * campaign (the store that spoke), with when; a customer may be invited more than once.
	 */
	private static final String INVITATIONS = """
			WITH invitations AS (
			  SELECT r.customer_id, CAST(f.subject ->> 'store' AS uuid) AS store_id, r.decided_at AS at
			    FROM campaigns_trigger_recipients r
			    JOIN campaigns_trigger_firings f ON f.id = r.firing_id
			   WHERE r.status = 'HANDED_OFF' AND f.subject -> 'data' ->> 'surveyId' = :survey
			  UNION ALL
			  SELECT e.customer_id, e.store_id, e.handed_off_at
			    FROM campaigns_campaigns c
			    JOIN campaigns_recipients e ON e.campaign_id = c.id AND e.handed_off_at IS NOT NULL
			   WHERE c.definition -> 'offer' ->> 'surveyId' = :survey),
			-- each customer counts once, at the store of their first invitation
			invited AS (
			  SELECT DISTINCT ON (customer_id) customer_id, store_id FROM invitations ORDER BY customer_id, at, store_id)
			""";

	/** Whether a trigger or a campaign handed the survey's card to the customer. */
	boolean invited(UUID survey, CustomerId customer) {
		return jdbc.sql(INVITATIONS + "SELECT EXISTS (SELECT 1 FROM invitations WHERE customer_id = :customer)")
			.param("survey", survey.toString())
			.param("customer", customer.value())
			.query(Boolean.class)
			.single();
	}

	/** Starts the customer's response (once; a second start finds the first). */
	void start(UUID survey, CustomerId customer, String channel, Instant now) {
		jdbc.sql("""
				INSERT INTO campaigns_survey_responses (survey_id, customer_id, channel, started_at) VALUES (?, ?, ?, ?)
				ON CONFLICT DO NOTHING""")
			.params(survey, customer.value(), channel, ts(now))
			.update();
	}

	/** The customer's response, locked until the transaction ends (one click or request at a time). */
	Optional<Response> lockResponse(UUID survey, CustomerId customer) {
		return jdbc.sql("SELECT * FROM campaigns_survey_responses WHERE survey_id = ? AND customer_id = ? FOR UPDATE")
			.params(survey, customer.value())
			.query((rs, n) -> new Response(rs.getString("channel"), rs.getTimestamp("started_at").toInstant(),
					Campaigns.instant(rs, "completed_at"), rs.getObject("coupon_id", UUID.class), rs.getString("reward_code")))
			.optional();
	}

	/** The customer's answers, by question. */
	Map<Integer, Answer> answers(UUID survey, CustomerId customer) {
		Map<Integer, Answer> out = new java.util.TreeMap<>();
		jdbc.sql("SELECT question, CAST(options AS int[]) AS options, final FROM campaigns_survey_answers WHERE survey_id = ? AND customer_id = ?")
			.params(survey, customer.value())
			.query((rs, n) -> new Answer(rs.getInt("question"),
					Arrays.asList((Integer[]) rs.getArray("options").getArray()),
					rs.getBoolean("final")))
			.list()
			.forEach(a -> out.put(a.question(), a));
		return out;
	}

	/** Stores (or replaces a non-final) answer. */
	void answer(UUID survey, CustomerId customer, Answer answer, Instant now) {
		Integer[] options = answer.options().toArray(Integer[]::new);
		jdbc.sql("""
				INSERT INTO campaigns_survey_answers (survey_id, customer_id, question, options, final, answered_at)
				VALUES (?, ?, ?, CAST(? AS smallint[]), ?, ?)
				ON CONFLICT (survey_id, customer_id, question) DO UPDATE
				   SET options = excluded.options, final = excluded.final, answered_at = excluded.answered_at
				 WHERE NOT campaigns_survey_answers.final""")
			.params(survey, customer.value(), answer.question(), options, answer.fin(), ts(now))
			.update();
	}

	void complete(UUID survey, CustomerId customer, @Nullable UUID couponId, @Nullable String rewardCode, Instant now) {
		jdbc.sql("""
				UPDATE campaigns_survey_responses SET completed_at = ?, coupon_id = ?, reward_code = ?
				 WHERE survey_id = ? AND customer_id = ? AND completed_at IS NULL""")
			.params(ts(now), couponId, rewardCode, survey, customer.value())
			.update();
	}

	// ---- results

	/**
	 * @param store the store of the customers' first invitation (null: every store); {@code invited}
	 * customers handed the survey's card; {@code rewarded}: completions that carried a reward
	 */
	record Totals(@Nullable UUID store, long invited, long started, long completed, long rewarded) {
	}

	/** The totals per store of the first invitation, stores by their id. */
	List<Totals> totalsByStore(UUID survey) {
		return jdbc.sql(INVITATIONS + """
				SELECT i.store_id, count(*) AS invited, count(r.customer_id) AS started, count(r.completed_at) AS completed,
				       count(*) FILTER (WHERE r.coupon_id IS NOT NULL OR r.reward_code IS NOT NULL) AS rewarded
				  FROM invited i
				  LEFT JOIN campaigns_survey_responses r ON r.survey_id = CAST(:survey AS uuid) AND r.customer_id = i.customer_id
				 GROUP BY i.store_id ORDER BY i.store_id""")
			.param("survey", survey.toString())
			.query((rs, n) -> new Totals(rs.getObject("store_id", UUID.class), rs.getLong("invited"), rs.getLong("started"),
					rs.getLong("completed"), rs.getLong("rewarded")))
			.list();
	}

	Totals totals(UUID survey) {
		long invited = jdbc.sql(INVITATIONS + "SELECT count(*) FROM invited")
			.param("survey", survey.toString())
			.query(Long.class)
			.single();
		return jdbc.sql("""
				SELECT count(*) AS started, count(completed_at) AS completed,
				       count(*) FILTER (WHERE coupon_id IS NOT NULL OR reward_code IS NOT NULL) AS rewarded
				  FROM campaigns_survey_responses WHERE survey_id = ?""")
			.param(survey)
			.query((rs, n) -> new Totals(null, invited, rs.getLong("started"), rs.getLong("completed"), rs.getLong("rewarded")))
			.single();
	}

	/**
	 * Final answers per question, and per question and option how often it was chosen: {@code [answers,
	 * option 0, option 1, ...]} per question, for every store together (key null) and, {@code byStore},
	 * per store of the customers' first invitation (only then are the invitations read).
	 */
	Map<@Nullable UUID, Map<Integer, long[]>> counts(UUID survey, List<Survey.Question> questions, boolean byStore) {
		Map<@Nullable UUID, Map<Integer, long[]>> out = new java.util.HashMap<>();
		String answers = byStore ? INVITATIONS + """
				, answers AS (
				  SELECT a.question, a.options, i.store_id FROM campaigns_survey_answers a
				    LEFT JOIN invited i ON i.customer_id = a.customer_id
				   WHERE a.survey_id = CAST(:survey AS uuid) AND a.final)
				""" : """
				WITH answers AS (
				  SELECT a.question, a.options, CAST(NULL AS uuid) AS store_id FROM campaigns_survey_answers a
				   WHERE a.survey_id = CAST(:survey AS uuid) AND a.final)
				""";
		jdbc.sql(answers + """
				SELECT store_id, question, count(*) AS n, 0 AS opt FROM answers GROUP BY store_id, question
				UNION ALL
				SELECT store_id, question, count(*), o + 1 FROM answers, unnest(options) AS o GROUP BY store_id, question, o""")
			.param("survey", survey.toString())
			.query((rs, n) -> new Object[] { rs.getObject("store_id", UUID.class), rs.getInt("question"), rs.getInt("opt"),
					rs.getLong("n") })
			.list()
			.forEach(r -> {
				UUID store = (UUID) r[0];
				add(out.computeIfAbsent(null, k -> empty(questions)), r);
				if (store != null) {
					add(out.computeIfAbsent(store, k -> empty(questions)), r);
				}
			});
		out.computeIfAbsent(null, k -> empty(questions));
		return out;
	}

	private static Map<Integer, long[]> empty(List<Survey.Question> questions) {
		Map<Integer, long[]> counts = new java.util.TreeMap<>();
		for (int q = 0; q < questions.size(); q++) {
			counts.put(q, new long[questions.get(q).options().size() + 1]);
		}
		return counts;
	}

	private static void add(Map<Integer, long[]> counts, Object[] r) {
		long[] row = counts.get((Integer) r[1]);
		int opt = (Integer) r[2];
		if (row != null && opt < row.length) {
			row[opt] += (Long) r[3];
		}
	}

	/** Closes the survey (once: a second close keeps the first's time); false when it was closed already. */
	boolean close(UUID survey, String by, Instant now) {
		return jdbc.sql("UPDATE campaigns_surveys SET closed_at = ?, closed_by = ? WHERE id = ? AND closed_at IS NULL")
			.params(ts(now), by, survey)
			.update() == 1;
	}
}
