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
 * Who was invited is read from the trigger firings that carry the survey's card.
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
				rs.getString("created_by"), rs.getTimestamp("created_at").toInstant());
	}

	// ---- invitations, answers, responses

	/** Whether a trigger handed the survey's card to the customer. */
	boolean invited(UUID survey, CustomerId customer) {
		return jdbc.sql("""
				SELECT EXISTS (SELECT 1 FROM campaigns_trigger_recipients r
				                 JOIN campaigns_trigger_firings f ON f.id = r.firing_id
				                WHERE r.customer_id = ? AND r.status = 'HANDED_OFF'
				                  AND f.subject -> 'data' ->> 'surveyId' = ?)""")
			.params(customer.value(), survey.toString())
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

	/** @param invited customers handed the survey's card; {@code rewarded}: completions that carried a reward */
	record Totals(long invited, long started, long completed, long rewarded) {
	}

	Totals totals(UUID survey) {
		long invited = jdbc.sql("""
				SELECT count(DISTINCT r.customer_id) FROM campaigns_trigger_recipients r
				  JOIN campaigns_trigger_firings f ON f.id = r.firing_id
				 WHERE r.status = 'HANDED_OFF' AND f.subject -> 'data' ->> 'surveyId' = ?""")
			.param(survey.toString())
			.query(Long.class)
			.single();
		return jdbc.sql("""
				SELECT count(*) AS started, count(completed_at) AS completed,
				       count(*) FILTER (WHERE coupon_id IS NOT NULL OR reward_code IS NOT NULL) AS rewarded
				  FROM campaigns_survey_responses WHERE survey_id = ?""")
			.param(survey)
			.query((rs, n) -> new Totals(invited, rs.getLong("started"), rs.getLong("completed"), rs.getLong("rewarded")))
			.single();
	}

	/** Final answers per question, and per question and option how often it was chosen. */
	Map<Integer, long[]> counts(UUID survey, List<Survey.Question> questions) {
		Map<Integer, long[]> out = new java.util.TreeMap<>();
		for (int q = 0; q < questions.size(); q++) {
			// [answers, option 0, option 1, ...]
			out.put(q, new long[questions.get(q).options().size() + 1]);
		}
		jdbc.sql("""
				SELECT question, count(*) AS answers, 0 AS opt FROM campaigns_survey_answers
				 WHERE survey_id = :survey AND final GROUP BY question
				UNION ALL
				SELECT question, count(*), o + 1 FROM campaigns_survey_answers, unnest(options) AS o
				 WHERE survey_id = :survey AND final GROUP BY question, o""")
			.param("survey", survey)
			.query((rs, n) -> new long[] { rs.getInt("question"), rs.getInt("opt"), rs.getLong("answers") })
			.list()
			.forEach(r -> {
				long[] row = out.get((int) r[0]);
				if (row != null && r[1] < row.length) {
					row[(int) r[1]] = r[2];
				}
			});
		return out;
	}
}
