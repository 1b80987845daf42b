package io.storecast.coupons.internal;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import io.storecast.coupons.CouponStatus;
import io.storecast.coupons.CouponTemplateId;
import io.storecast.coupons.IssueChannel;
import io.storecast.identity.CustomerId;
import io.storecast.platform.PlannedEachCall;

/**
 * Issued coupons ({@code coupons_coupons}) and what each customer holds of each template
 * ({@code coupons_holdings}, the per-customer limits).
 */
@Repository
class IssuedCoupons {

	/** What a customer holds of a template: in all, and on {@code day} (the merchant's calendar). */
	record Holding(int issued, int limit, LocalDate day, int dayIssued) {
	}

	private final JdbcClient jdbc;
	private final JdbcTemplate template;

	IssuedCoupons(JdbcClient jdbc, JdbcTemplate template) {
		this.jdbc = jdbc;
		this.template = template;
	}

	/**
	 * Counts one more coupon of the template for the customer, under the holding row's lock, unless
	 * that would pass the limit or the daily limit: then nothing changes and the answer is empty.
	 */
	OptionalInt hold(CouponTemplateId template, CustomerId customer, int limit, @Nullable Integer dailyLimit,
			LocalDate today) {
		return jdbc.sql("""
				INSERT INTO coupons_holdings AS h (template_id, customer_id, issued, lim, day, day_issued)
				VALUES (?, ?, 1, ?, ?, 1)
				""" + COUNT_UNDER_LIMITS + " RETURNING issued")
			.params(template.value(), customer.value(), limit, today, dailyLimit, dailyLimit)
			.query(Integer.class)
			.optional()
			.map(OptionalInt::of)
			.orElse(OptionalInt.empty());
	}

	/** A holding counting one more coupon unless it is at the limit or (with one) the daily limit. */
	private static final String COUNT_UNDER_LIMITS = """
			ON CONFLICT (template_id, customer_id) DO UPDATE
			   SET issued = h.issued + 1,
			       day_issued = CASE WHEN h.day = EXCLUDED.day THEN h.day_issued + 1 ELSE 1 END,
			       day = EXCLUDED.day
			 WHERE h.issued < h.lim
			   AND (CAST(? AS int) IS NULL OR h.day <> EXCLUDED.day OR h.day_issued < CAST(? AS int))""";

	/** What {@link #issueAll} did with one draft it counted: the slot of its coupon, null when no slot had room. */
	record Counted(int draft, boolean full, @Nullable Integer slot) {
	}

	/**
	 * Issues a batch of one template's drafts in one statement (one round trip), as {@link #hold},
	 * {@link Templates#takeOne} and {@link #insert} do for one: counts one more coupon on each
	 * customer's holding whose limits allow it (each customer at most once; the holdings are locked
	 * in the database's order of customer ids, so that concurrent batches take them in the same
	 * order), locks free slots of the ACTIVE template with room for those counted ({@code SKIP
	 * LOCKED}, in slot order from {@code start}), hands the room out in the drafts' order, counts it
	 * on the slots, and inserts the coupons that got a slot.
	 * <p>
	 * The answer, in the drafts' order: each draft counted (by its position), whether its holding is
	 * now at the limit, and its slot — null when the locked room ran out before it (its holding stays
	 * counted: {@link #release} takes it back). A draft not in the answer was over a limit.
	 */
	List<Counted> issueAll(Template t, List<CouponRow> drafts, LocalDate today, int start) {
		CouponRow first = drafts.getFirst();
		return jdbc.sql("""
				WITH d AS (
				  SELECT * FROM unnest(CAST(? AS uuid[]), CAST(? AS text[]), CAST(? AS uuid[]), CAST(? AS text[]),
				                       CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]))
				           WITH ORDINALITY AS d(id, code, customer_id, channel, source, source_ref, issue_key, issued_by, k)),
				held AS (
				  INSERT INTO coupons_holdings AS h (template_id, customer_id, issued, lim, day, day_issued)
				  SELECT ?, d.customer_id, 1, ?, ?, 1 FROM d ORDER BY d.customer_id
				""" + COUNT_UNDER_LIMITS + """

				  RETURNING customer_id, issued >= lim AS full),
				counted AS MATERIALIZED (
				  SELECT d.*, held.full, row_number() OVER (ORDER BY d.k) AS n FROM d JOIN held USING (customer_id)),
				room AS MATERIALIZED (
				  SELECT slot, cap - issued AS units, (slot + ? - ?) % ? AS ord FROM coupons_stock_slots
				   WHERE template_id = ? AND issued < cap
				     AND EXISTS (SELECT 1 FROM coupons_templates t WHERE t.id = ? AND t.status = 'ACTIVE')
				   ORDER BY 3
				   LIMIT (SELECT count(*) + 1 FROM (
				            SELECT sum(cap - issued) OVER (ORDER BY (slot + ? - ?) % ?) - (cap - issued) AS before
				              FROM coupons_stock_slots WHERE template_id = ? AND issued < cap) w
				           WHERE w.before < (SELECT count(*) FROM counted))
				   FOR UPDATE SKIP LOCKED),
				alloc AS (
				  SELECT slot, units, sum(units) OVER (ORDER BY ord) - units AS before FROM room),
				assigned AS MATERIALIZED (
				  SELECT c.*, a.slot FROM counted c JOIN alloc a ON c.n > a.before AND c.n <= a.before + a.units),
				took AS (
				  UPDATE coupons_stock_slots s SET issued = s.issued + u.units
				    FROM (SELECT slot, count(*) AS units FROM assigned GROUP BY slot) u
				   WHERE s.template_id = ? AND s.slot = u.slot),
				coupons AS (
				  INSERT INTO coupons_coupons (id, code, template_id, customer_id, slot, status, channel, source, source_ref,
				    issue_key, issued_by, valid_from, valid_until, issued_at)
				  SELECT a.id, a.code, ?, a.customer_id, a.slot, ?, a.channel, a.source, a.source_ref, a.issue_key,
				         a.issued_by, ?, ?, ? FROM assigned a)
				SELECT c.k, c.full, a.slot FROM counted c LEFT JOIN assigned a ON a.k = c.k ORDER BY c.k""")
			.params(drafts.stream().map(CouponRow::id).toArray(UUID[]::new),
					drafts.stream().map(CouponRow::code).toArray(String[]::new),
					drafts.stream().map(c -> c.customerId().value()).toArray(UUID[]::new),
					drafts.stream().map(c -> c.channel().name()).toArray(String[]::new),
					drafts.stream().map(CouponRow::source).toArray(String[]::new),
					drafts.stream().map(CouponRow::sourceRef).toArray(String[]::new),
					drafts.stream().map(CouponRow::issueKey).toArray(String[]::new),
					drafts.stream().map(CouponRow::issuedBy).toArray(String[]::new),
					// held
					t.id().value(), t.perCustomerLimit(), today, t.perCustomerDailyLimit(), t.perCustomerDailyLimit(),
					// room
					t.slots(), start, t.slots(), t.id().value(), t.id().value(), t.slots(), start, t.slots(), t.id().value(),
					// took, coupons
					t.id().value(), t.id().value(), CouponStatus.ISSUED.name(), Timestamp.from(first.validFrom()),
					Timestamp.from(first.validUntil()), Timestamp.from(first.issuedAt()))
			.query((rs, n) -> new Counted(rs.getInt(1) - 1, rs.getBoolean(2), (Integer) rs.getObject(3)))
			.list();
	}

	/**
	 * Takes back one coupon counted today by {@link #issueAll} for each customer, in the same
	 * transaction (the batch had no stock for them). A holding the count created stays, at 0.
	 */
	void release(CouponTemplateId template, Collection<CustomerId> customers) {
		jdbc.sql("""
				UPDATE coupons_holdings SET issued = issued - 1, day_issued = day_issued - 1
				 WHERE template_id = ? AND customer_id = ANY(CAST(? AS uuid[]))""")
			.params(template.value(), uuids(customers))
			.update();
	}

	private static UUID[] uuids(Collection<CustomerId> customers) {
		return customers.stream().map(CustomerId::value).toArray(UUID[]::new);
	}

	Optional<Holding> holding(CouponTemplateId template, CustomerId customer) {
		return jdbc.sql("SELECT issued, lim, day, day_issued FROM coupons_holdings WHERE template_id = ? AND customer_id = ?")
			.params(template.value(), customer.value())
			.query((rs, n) -> new Holding(rs.getInt(1), rs.getInt(2), rs.getObject(3, LocalDate.class), rs.getInt(4)))
			.optional();
	}

	void insert(CouponRow c) {
		jdbc.sql("""
				INSERT INTO coupons_coupons (id, code, template_id, customer_id, slot, status, channel, source, source_ref,
				  issue_key, issued_by, valid_from, valid_until, issued_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")
			.params(c.id(), c.code(), c.templateId().value(), c.customerId().value(), c.slot(), c.status().name(),
					c.channel().name(), c.source(), c.sourceRef(), c.issueKey(), c.issuedBy(),
					Timestamp.from(c.validFrom()), Timestamp.from(c.validUntil()), Timestamp.from(c.issuedAt()))
			.update();
	}

	Optional<CouponRow> findByCode(String code) {
		return jdbc.sql("SELECT * FROM coupons_coupons WHERE code = ?").param(code).query(IssuedCoupons::map).optional();
	}

	Optional<CouponRow> findByIssueKey(String issueKey) {
		return jdbc.sql("SELECT * FROM coupons_coupons WHERE issue_key = ?")
			.param(issueKey)
			.query(IssuedCoupons::map)
			.optional();
	}

	/**
	 * The coupons issued under any of these keys, by key. Planned afresh on every call (an unnamed
	 * statement, not a prepared one): a prepared statement's generic plan, made while the table is
	 * new and nearly empty, is a sequential scan that stays cached as the table grows under a storm,
	 * and then each batch's lookup read the whole table (14 ms instead of 0.02 ms at 11,000 coupons,
	 * in one run out of two). A fresh plan sees the table's real size and takes the unique index.
	 */
	Map<String, CouponRow> findByIssueKeys(Collection<String> issueKeys) {
		if (issueKeys.isEmpty()) {
			return Map.of();
		}
		String[] keys = issueKeys.toArray(String[]::new);
		List<CouponRow> rows = template.query(
				PlannedEachCall.statement("SELECT * FROM coupons_coupons WHERE issue_key = ANY(CAST(? AS text[]))",
						(connection, statement) -> statement.setArray(1, connection.createArrayOf("text", keys))),
				IssuedCoupons::map);
		return rows.stream().collect(Collectors.toMap(CouponRow::issueKey, c -> c));
	}

	List<CouponRow> findByCodes(Collection<String> codes) {
		return jdbc.sql("SELECT * FROM coupons_coupons WHERE code = ANY(CAST(? AS text[]))")
			.param(codes.toArray(String[]::new))
			.query(IssuedCoupons::map)
			.list();
	}

	List<CouponRow> findByIds(Collection<UUID> ids) {
		return jdbc.sql("SELECT * FROM coupons_coupons WHERE id = ANY(CAST(? AS uuid[])) ORDER BY id")
			.param(ids.toArray(UUID[]::new))
			.query(IssuedCoupons::map)
			.list();
	}

	/** Locks the coupons with these codes, in code order (so two redemptions never deadlock). */
	List<CouponRow> lockByCodes(Collection<String> codes) {
		return jdbc.sql("SELECT * FROM coupons_coupons WHERE code = ANY(CAST(? AS text[])) ORDER BY code FOR UPDATE")
			.param(codes.toArray(String[]::new))
			.query(IssuedCoupons::map)
			.list();
	}

	/** Locks coupons by id, in id order. */
	List<CouponRow> lockByIds(Collection<UUID> ids) {
		return jdbc.sql("SELECT * FROM coupons_coupons WHERE id = ANY(CAST(? AS uuid[])) ORDER BY id FOR UPDATE")
			.param(ids.toArray(UUID[]::new))
			.query(IssuedCoupons::map)
			.list();
	}

	/** A customer's coupons, newest first, optionally of one status. */
	List<CouponRow> ofCustomer(CustomerId customer, @Nullable CouponStatus status, @Nullable UUID after, int limit) {
		return jdbc.sql("""
				SELECT * FROM coupons_coupons
				 WHERE customer_id = ? AND (CAST(? AS text) IS NULL OR status = CAST(? AS text))
				   AND (CAST(? AS uuid) IS NULL OR id < CAST(? AS uuid))
				 ORDER BY id DESC LIMIT ?""")
			.params(customer.value(), name(status), name(status), after, after, limit)
			.query(IssuedCoupons::map)
			.list();
	}

	/** A template's coupons, newest first, optionally of one status. */
	List<CouponRow> ofTemplate(CouponTemplateId template, @Nullable CouponStatus status, @Nullable UUID after,
			int limit) {
		return jdbc.sql("""
				SELECT * FROM coupons_coupons
				 WHERE template_id = ? AND (CAST(? AS text) IS NULL OR status = CAST(? AS text))
				   AND (CAST(? AS uuid) IS NULL OR id < CAST(? AS uuid))
				 ORDER BY id DESC LIMIT ?""")
			.params(template.value(), name(status), name(status), after, after, limit)
			.query(IssuedCoupons::map)
			.list();
	}

	void markRedeemed(UUID id, Instant at) {
		jdbc.sql("UPDATE coupons_coupons SET status = 'REDEEMED', redeemed_at = ? WHERE id = ?")
			.params(Timestamp.from(at), id)
			.update();
	}

	/** After a rollback: usable again (ISSUED), or EXPIRED when its validity ended meanwhile. */
	void markReturned(UUID id, CouponStatus status, Instant now) {
		jdbc.sql("""
				UPDATE coupons_coupons SET status = ?, redeemed_at = NULL,
				       expired_at = CASE WHEN ? = 'EXPIRED' THEN CAST(? AS timestamptz) ELSE expired_at END
				 WHERE id = ?""")
			.params(status.name(), status.name(), Timestamp.from(now), id)
			.update();
	}

	/** Revokes an unused coupon; false when it is not (or no longer) ISSUED. */
	boolean revoke(UUID id, String reason, Instant now) {
		return jdbc.sql("""
				UPDATE coupons_coupons SET status = 'REVOKED', revoked_at = ?, revoke_reason = ?
				 WHERE id = ? AND status = 'ISSUED'""")
			.params(Timestamp.from(now), reason, id)
			.update() == 1;
	}

	/**
	 * Expires up to {@code limit} issued coupons whose validity ended by {@code now}, skipping rows
	 * another transaction holds (a redemption in progress decides first); returns what it expired. The
	 * pick is a MATERIALIZED CTE so that it runs once (see {@code Templates.TAKE_ANY}).
	 */
	List<CouponRow> expireDue(Instant now, int limit) {
		return jdbc.sql("""
				WITH due AS MATERIALIZED (
				  SELECT id FROM coupons_coupons WHERE status = 'ISSUED' AND valid_until <= ?
				   ORDER BY valid_until LIMIT ? FOR UPDATE SKIP LOCKED)
				UPDATE coupons_coupons c SET status = 'EXPIRED', expired_at = ?
				  FROM due
				 WHERE c.id = due.id
				RETURNING c.*""")
			.params(Timestamp.from(now), limit, Timestamp.from(now))
			.query(IssuedCoupons::map)
			.list();
	}

	/**
	 * Marks up to {@code limit} unused coupons ending before {@code now + before} as reminded; returns
	 * them. A coupon issued when its end was already that close (a flash sale's coupon for today) is
	 * not: its holder has just been handed it with its end date, and a storm's thousands of coupons
	 * would otherwise all be announced as expiring a minute after they were claimed.
	 */
	List<CouponRow> remindDue(Instant now, Duration before, int limit) {
		return jdbc.sql("""
				WITH due AS MATERIALIZED (
				  SELECT id FROM coupons_coupons
				   WHERE status = 'ISSUED' AND valid_until > ? AND valid_until <= ? AND reminded_at IS NULL
				     AND issued_at < valid_until - CAST(? AS bigint) * interval '1 millisecond'
				   ORDER BY valid_until LIMIT ? FOR UPDATE SKIP LOCKED)
				UPDATE coupons_coupons c SET reminded_at = ?
				  FROM due
				 WHERE c.id = due.id
				RETURNING c.*""")
			.params(Timestamp.from(now), Timestamp.from(now.plus(before)), before.toMillis(), limit, Timestamp.from(now))
			.query(IssuedCoupons::map)
			.list();
	}

	private static @Nullable String name(@Nullable CouponStatus status) {
		return status == null ? null : status.name();
	}

	static CouponRow map(ResultSet rs, int row) throws SQLException {
		return new CouponRow(rs.getObject("id", UUID.class), rs.getString("code"),
				new CouponTemplateId(rs.getObject("template_id", UUID.class)),
				new CustomerId(rs.getObject("customer_id", UUID.class)), rs.getInt("slot"),
				CouponStatus.valueOf(rs.getString("status")), IssueChannel.valueOf(rs.getString("channel")),
				rs.getString("source"), rs.getString("source_ref"), rs.getString("issue_key"), rs.getString("issued_by"),
				Templates.instant(rs, "valid_from"), Templates.instant(rs, "valid_until"),
				Templates.instant(rs, "issued_at"), Templates.nullableInstant(rs, "redeemed_at"),
				Templates.nullableInstant(rs, "expired_at"), Templates.nullableInstant(rs, "revoked_at"));
	}
}
