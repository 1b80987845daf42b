package io.storecast.campaigns.internal;

import static io.storecast.campaigns.internal.Campaigns.instant;
import static io.storecast.campaigns.internal.Campaigns.likePrefix;
import static io.storecast.campaigns.internal.Campaigns.ts;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import io.storecast.identity.CustomerId;
import io.storecast.identity.OrgNodeId;
import io.storecast.platform.Ids;
import tools.jackson.databind.json.JsonMapper;

/**
 * Triggers in {@code campaigns_triggers}; the events they fired on in {@code campaigns_trigger_firings}
 * (one per trigger and event) and the customers each firing reaches in
 * {@code campaigns_trigger_recipients} (one per firing and customer: nobody is reached twice).
 */
@Repository
class Triggers {

	enum Status {
		PLANNED, HANDED_OFF, DEFERRED, SKIPPED
	}

	/**
	 * What a firing's messages speak of.
	 *
	 * @param values template variables of the event ({@code product}, {@code order}, ...)
	 * @param card an in-app card ({@code type} plus its fields) sent instead of the in-app text, which
	 * becomes the card's {@code text}; null sends the text
	 * @param data the webhook's {@code data}
	 * @param store the store that speaks (the order's); null: each customer's home store
	 */
	record Subject(Map<String, String> values, @Nullable Map<String, Object> card, Map<String, Object> data,
			@Nullable OrgNodeId store) {
	}

	record Firing(UUID id, UUID triggerId, String eventKey, Subject subject) {
	}

	/** Where a recipient stands after a decision. */
	record Outcome(CustomerId customerId, Status status, @Nullable String reason, @Nullable Instant dueAt,
			@Nullable UUID deliveryId) {
	}

	record Row(UUID firingId, String eventKey, CustomerId customerId, Status status, @Nullable String reason,
			Instant dueAt, @Nullable UUID deliveryId, Instant plannedAt, @Nullable Instant decidedAt) {
	}

	private final JdbcClient jdbc;
	private final JsonMapper json;

	Triggers(JdbcClient jdbc, JsonMapper json) {
		this.jdbc = jdbc;
		this.json = json;
	}

	// ---- triggers

	void insert(Trigger t) {
		jdbc.sql("""
				INSERT INTO campaigns_triggers (id, name, kind, purpose, definition, scope_node_id, scope_path, enabled,
				                                created_by, created_at, updated_at)
				VALUES (?, ?, ?, ?, CAST(? AS jsonb), ?, ?, ?, ?, ?, ?)""")
			.params(t.id(), t.name(), t.kind().name(), t.purpose().name(), json.writeValueAsString(t.definition()),
					t.scopeNodeId().value(), t.scopePath(), t.enabled(), t.createdBy(), ts(t.createdAt()), ts(t.updatedAt()))
			.update();
	}

	/** Replaces the definition (the kind stays); recipients already reached are not reached again. */
	void replace(Trigger t) {
		jdbc.sql("""
				UPDATE campaigns_triggers SET name = ?, definition = CAST(? AS jsonb), scope_node_id = ?, scope_path = ?,
				       enabled = ?, updated_at = ?
				 WHERE id = ?""")
			.params(t.name(), json.writeValueAsString(t.definition()), t.scopeNodeId().value(), t.scopePath(), t.enabled(),
					ts(t.updatedAt()), t.id())
			.update();
	}

	void setEnabled(UUID id, boolean enabled, Instant now) {
		jdbc.sql("UPDATE campaigns_triggers SET enabled = ?, updated_at = ? WHERE id = ?")
			.params(enabled, ts(now), id)
			.update();
	}

	Optional<Trigger> find(UUID id) {
		return jdbc.sql("SELECT * FROM campaigns_triggers WHERE id = ?").param(id).query(this::map).optional();
	}

	/** The enabled triggers of a kind. */
	List<Trigger> enabled(Trigger.Kind kind) {
		return jdbc.sql("SELECT * FROM campaigns_triggers WHERE kind = ? AND enabled ORDER BY created_at, id")
			.param(kind.name())
			.query(this::map)
			.list();
	}

	/** Triggers whose scope lies at or below the path, newest first, after the cursor ({@code <createdAt>_<id>}). */
	List<Trigger> list(String scopePrefix, Trigger.@Nullable Kind kind, @Nullable Instant afterCreated,
			@Nullable UUID afterId, int limit) {
		return jdbc.sql("""
				SELECT * FROM campaigns_triggers
				 WHERE scope_path LIKE :prefix AND (CAST(:kind AS text) IS NULL OR kind = :kind)
				   AND (CAST(:afterCreated AS timestamptz) IS NULL OR (created_at, id) < (:afterCreated, :afterId))
				 ORDER BY created_at DESC, id DESC LIMIT :limit""")
			.param("prefix", likePrefix(scopePrefix))
			.param("kind", kind == null ? null : kind.name())
			.param("afterCreated", afterCreated == null ? null : ts(afterCreated))
			.param("afterId", afterId)
			.param("limit", limit)
			.query(this::map)
			.list();
	}

	private Trigger map(ResultSet rs, int n) throws SQLException {
		return new Trigger(rs.getObject("id", UUID.class), rs.getString("name"), Trigger.Kind.valueOf(rs.getString("kind")),
				json.readValue(rs.getString("definition"), Trigger.Definition.class),
				new OrgNodeId(rs.getObject("scope_node_id", UUID.class)), rs.getString("scope_path"), rs.getBoolean("enabled"),
				rs.getString("created_by"), rs.getTimestamp("created_at").toInstant(), rs.getTimestamp("updated_at").toInstant());
	}

	// ---- firings and recipients

	/** The firing of the trigger for the event: created now, or the one an earlier run created. */
	Firing fire(UUID trigger, String eventKey, Subject subject, Instant now) {
		jdbc.sql("""
				INSERT INTO campaigns_trigger_firings (id, trigger_id, event_key, subject, created_at)
				VALUES (?, ?, ?, CAST(? AS jsonb), ?) ON CONFLICT (trigger_id, event_key) DO NOTHING""")
			.params(Ids.newId(), trigger, eventKey, json.writeValueAsString(subject), ts(now))
			.update();
		return jdbc.sql("SELECT * FROM campaigns_trigger_firings WHERE trigger_id = ? AND event_key = ?")
			.params(trigger, eventKey)
			.query(this::mapFiring)
			.single();
	}

	Optional<Firing> firing(UUID id) {
		return jdbc.sql("SELECT * FROM campaigns_trigger_firings WHERE id = ?").param(id).query(this::mapFiring).optional();
	}

	private Firing mapFiring(ResultSet rs, int n) throws SQLException {
		return new Firing(rs.getObject("id", UUID.class), rs.getObject("trigger_id", UUID.class), rs.getString("event_key"),
				json.readValue(rs.getString("subject"), Subject.class));
	}

	/** Adds the customers to the firing as PLANNED, due at {@code due}; ones already there stay as they are. */
	int plan(Firing firing, List<CustomerId> customers, Instant due, Instant now) {
		if (customers.isEmpty()) {
			return 0;
		}
		return jdbc.sql("""
				INSERT INTO campaigns_trigger_recipients (firing_id, customer_id, trigger_id, status, due_at, planned_at)
				SELECT ?, c, ?, 'PLANNED', ?, ? FROM unnest(CAST(? AS uuid[])) AS c
				ON CONFLICT DO NOTHING""")
			.params(firing.id(), firing.triggerId(), ts(due), ts(now),
					customers.stream().map(CustomerId::toString).toArray(String[]::new))
			.update();
	}

	/**
	 * The firing's planned or deferred recipients whose time has come, in customer order, locked until
	 * the transaction ends; rows another run holds are passed over (so two runs never decide one).
	 */
	List<CustomerId> lockDue(UUID firing, Instant now, int limit) {
		return jdbc.sql("""
				SELECT customer_id FROM campaigns_trigger_recipients
				 WHERE firing_id = ? AND status IN ('PLANNED', 'DEFERRED') AND due_at <= ?
				 ORDER BY customer_id LIMIT ? FOR UPDATE SKIP LOCKED""")
			.params(firing, ts(now), limit)
			.query((rs, n) -> new CustomerId(rs.getObject(1, UUID.class)))
			.list();
	}

	/** Firings with recipients whose time has come, at most {@code limit}. */
	List<UUID> firingsDue(Instant now, int limit) {
		return jdbc.sql("""
				SELECT DISTINCT firing_id FROM campaigns_trigger_recipients
				 WHERE status IN ('PLANNED', 'DEFERRED') AND due_at <= ? LIMIT ?""")
			.params(ts(now), limit)
			.query(UUID.class)
			.list();
	}

	/** Records the outcomes of one chunk of a firing in one statement. */
	void record(UUID firing, List<Outcome> outcomes, Instant now) {
		if (outcomes.isEmpty()) {
			return;
		}
		String[] customers = column(outcomes, o -> o.customerId().toString());
		String[] statuses = column(outcomes, o -> o.status().name());
		String[] reasons = column(outcomes, Outcome::reason);
		String[] dues = column(outcomes, o -> o.dueAt() == null ? null : o.dueAt().toString());
		String[] deliveries = column(outcomes, o -> o.deliveryId() == null ? null : o.deliveryId().toString());
		jdbc.sql("""
				UPDATE campaigns_trigger_recipients r
				   SET status = u.status, reason = u.reason, due_at = coalesce(u.due_at, r.due_at), delivery_id = u.delivery_id,
				       decided_at = ?
				  FROM unnest(CAST(? AS uuid[]), CAST(? AS text[]), CAST(? AS text[]), CAST(CAST(? AS text[]) AS timestamptz[]),
				              CAST(? AS uuid[])) AS u(customer_id, status, reason, due_at, delivery_id)
				 WHERE r.firing_id = ? AND r.customer_id = u.customer_id""")
			.params(ts(now), customers, statuses, reasons, dues, deliveries, firing)
			.update();
	}

	private static String[] column(List<Outcome> outcomes, java.util.function.Function<Outcome, @Nullable String> value) {
		return outcomes.stream().map(value).toArray(String[]::new);
	}

	/** Recipients per status, and skipped ones per reason ({@code SKIPPED:<reason>}), and the firings (of which restocks). */
	Map<String, Long> counts(UUID trigger) {
		Map<String, Long> counts = new LinkedHashMap<>();
		jdbc.sql("""
				SELECT CASE WHEN status = 'SKIPPED' THEN 'SKIPPED:' || reason ELSE status END, count(*)
				  FROM campaigns_trigger_recipients WHERE trigger_id = ? GROUP BY 1 ORDER BY 1""")
			.param(trigger)
			.query(rs -> {
				counts.put(rs.getString(1), rs.getLong(2));
			});
		jdbc.sql("""
				SELECT count(*), count(*) FILTER (WHERE event_key LIKE 'restock:%')
				  FROM campaigns_trigger_firings WHERE trigger_id = ?""")
			.param(trigger)
			.query(rs -> {
				counts.put("firings", rs.getLong(1));
				counts.put("restocks", rs.getLong(2));
			});
		return counts;
	}

	/**
	 * The trigger's recipients, newest first, optionally of one status or customer, after the cursor
	 * ({@code <plannedAt>_<firing>_<customer>}).
	 */
	List<Row> page(UUID trigger, @Nullable Status status, @Nullable CustomerId customer, @Nullable Instant afterPlanned,
			@Nullable UUID afterFiring, @Nullable UUID afterCustomer, int limit) {
		return jdbc.sql("""
				SELECT r.*, f.event_key FROM campaigns_trigger_recipients r JOIN campaigns_trigger_firings f ON f.id = r.firing_id
				 WHERE r.trigger_id = :trigger AND (CAST(:status AS text) IS NULL OR r.status = :status)
				   AND (CAST(:customer AS uuid) IS NULL OR r.customer_id = :customer)
				   AND (CAST(:afterPlanned AS timestamptz) IS NULL
				        OR (r.planned_at, r.firing_id, r.customer_id) < (:afterPlanned, :afterFiring, :afterCustomer))
				 ORDER BY r.planned_at DESC, r.firing_id DESC, r.customer_id DESC LIMIT :limit""")
			.param("trigger", trigger)
			.param("status", status == null ? null : status.name())
			.param("customer", customer == null ? null : customer.value())
			.param("afterPlanned", afterPlanned == null ? null : ts(afterPlanned))
			.param("afterFiring", afterFiring)
			.param("afterCustomer", afterCustomer)
			.param("limit", limit)
			.query((rs, n) -> new Row(rs.getObject("firing_id", UUID.class), rs.getString("event_key"),
					new CustomerId(rs.getObject("customer_id", UUID.class)), Status.valueOf(rs.getString("status")),
					rs.getString("reason"), rs.getTimestamp("due_at").toInstant(), rs.getObject("delivery_id", UUID.class),
					rs.getTimestamp("planned_at").toInstant(), instant(rs, "decided_at")))
			.list();
	}
}
