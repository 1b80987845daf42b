package io.storecast.audience.internal;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import io.storecast.audience.CustomerTagged;
import io.storecast.audience.CustomerUntagged;
import io.storecast.audience.RuleTagReevaluated;
import io.storecast.identity.CustomerId;
import io.storecast.platform.ApiException;
import tools.jackson.databind.json.JsonMapper;

/**
 * Keeps rule tags current. Incrementally: when a customer's facts change (an order paid or taken
 * back, engagement, their profile), every rule is evaluated for that customer in one query and the
 * differences applied. In bulk: when a rule is created or changed, on a rebuild, and every
 * {@code storecast.audience.rule-refresh} (rules looking back N days change with time alone), a
 * rule's carriers are reconciled with its condition over everyone in one statement.
 * <p>
 * Incremental evaluations share-lock the rule rows and a rule change locks its row, so an
 * evaluation never mixes an old rule with a new bulk result.
 */
@Service
class RuleEvaluation {

	private static final Logger log = LoggerFactory.getLogger(RuleEvaluation.class);

	private final Tags tags;
	private final Conditions conditions;
	private final JdbcClient jdbc;
	private final JsonMapper json;
	private final ApplicationEventPublisher events;
	private final TransactionTemplate tx;
	private final Clock clock;

	RuleEvaluation(Tags tags, Conditions conditions, JdbcClient jdbc, JsonMapper json, ApplicationEventPublisher events,
			TransactionTemplate tx, Clock clock) {
		this.tags = tags;
		this.conditions = conditions;
		this.jdbc = jdbc;
		this.json = json;
		this.events = events;
		this.tx = tx;
		this.clock = clock;
	}

	/** Evaluates every rule for one customer, in the caller's transaction; publishes what changed. */
	void evaluate(UUID customer) {
		List<Tags.Tag> rules = tags.ruleTagsForEvaluation();
		if (rules.isEmpty()) {
			return;
		}
		List<Tags.Tag> usable = new ArrayList<>();
		StringBuilder select = new StringBuilder("SELECT ");
		List<Object> params = new ArrayList<>();
		for (Tags.Tag rule : rules) {
			SqlCompiler.Sql sql;
			try {
				sql = conditions.compile(conditions.parseRule(json.readTree(rule.rule())), SqlCompiler.Mode.ROW, null);
			}
			catch (ApiException broken) {
				log.warn("Rule tag '{}' cannot be evaluated and is skipped: {}", rule.name(), broken.getMessage());
				continue;
			}
			select.append(usable.isEmpty() ? "" : ", ").append("(").append(sql.text()).append(") AS r").append(usable.size());
			params.addAll(sql.params());
			usable.add(rule);
		}
		if (usable.isEmpty()) {
			return;
		}
		select.append(" FROM audience_profiles p WHERE p.customer_id = ?");
		params.add(customer);
		List<Boolean> matches = jdbc.sql(select.toString()).params(params).query((rs, n) -> {
			List<Boolean> row = new ArrayList<>();
			for (int i = 0; i < usable.size(); i++) {
				row.add(rs.getBoolean(i + 1));
			}
			return row;
		}).optional().orElse(null);
		if (matches == null) {
			return;
		}
		Set<UUID> carried = new HashSet<>(tags.tagIdsOf(customer));
		Instant now = clock.instant();
		for (int i = 0; i < usable.size(); i++) {
			Tags.Tag rule = usable.get(i);
			boolean match = matches.get(i);
			if (match && !carried.contains(rule.id())) {
				tags.assign(rule.id(), customer, "RULE", "rule", now);
				events.publishEvent(new CustomerTagged(new CustomerId(customer), rule.name(), "RULE", now));
			}
			else if (!match && carried.contains(rule.id())) {
				tags.unassign(rule.id(), customer);
				events.publishEvent(new CustomerUntagged(new CustomerId(customer), rule.name(), "RULE", now));
			}
		}
	}

	/** Reconciles one rule tag over everyone, in the caller's transaction. Returns {members, added, removed}. */
	long[] reconcile(Tags.Tag rule, Condition condition) {
		Instant now = clock.instant();
		long[] result = tags.reconcile(rule.id(), conditions.compile(condition, SqlCompiler.Mode.SET, null, now), now);
		if (result[1] + result[2] > 10_000) {
			// a bulk change the planner should know of before the next segment counts (autovacuum comes later)
			jdbc.sql("ANALYZE audience_customer_tags").update();
		}
		events.publishEvent(new RuleTagReevaluated(rule.name(), result[0], result[1], result[2], now));
		return result;
	}

	/** Reconciles every rule tag, each in a transaction of its own (its row locked). */
	void reconcileAll(String why) {
		for (Tags.Tag listed : tags.ruleTags()) {
			try {
				tx.executeWithoutResult(s -> tags.lock(listed.id()).ifPresent(rule -> {
					long[] r = reconcile(rule, conditions.parseRule(json.readTree(rule.rule())));
					log.debug("Rule tag '{}' ({}): {} customers, +{} -{}", rule.name(), why, r[0], r[1], r[2]);
				}));
			}
			catch (ApiException broken) {
				log.warn("Rule tag '{}' cannot be evaluated ({}): {}", listed.name(), why, broken.getMessage());
			}
		}
	}

	/**
	 * Rules that look back N days change with time alone: re-evaluated now and then, by db-scheduler's
	 * recurring task ({@link AudienceConfiguration}), on one node of a cluster at a time; reconciling
	 * is idempotent and each rule's row is locked while it runs.
	 */
	void refresh() {
		reconcileAll("periodic refresh");
	}
}
