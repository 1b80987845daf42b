package io.storecast.coupons.internal;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.TransactionStatus;

import io.storecast.coupons.CouponKind;
import io.storecast.coupons.CouponTemplateId;
import io.storecast.identity.OrgNodeId;

/**
 * Templates ({@code coupons_templates}) and their stock slots ({@code coupons_stock_slots}). The
 * slots are the only place stock is counted: a claim adds one to a slot with room, so the number
 * issued is their sum, and no slot can pass its cap (a CHECK holds it even against a bug here).
 */
@Repository
class Templates {

	/** A template's counters: issued, redeemed (active redemptions) and their discount. */
	record Counts(long issued, long redeemed, long redeemedFen) {
	}

	private final JdbcClient jdbc;

	Templates(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	/** Writes a new template and its stock split over {@code t.slots()} slots (in the caller's transaction). */
	void insert(Template t) {
		jdbc.sql("""
				INSERT INTO coupons_templates (id, name, description, kind, discount_fen, threshold_fen, percent_off, cap_fen,
				  gift_sku, face_value_fen, valid_from, valid_until, valid_days, stock, budget_fen, slots, per_customer_limit,
				  per_customer_daily_limit, products, categories, stores, exclusive, stack_group, max_per_order,
				  new_customers_only, member_levels, win_back, status, created_by, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, CAST(? AS text[]), CAST(? AS text[]),
				  CAST(? AS uuid[]), ?, ?, ?, ?, CAST(? AS text[]), ?, ?, ?, ?, ?)""")
			.params(t.id().value(), t.name(), t.description(), t.kind().name(), t.discountFen(), t.thresholdFen(),
					t.percentOff(), t.capFen(), t.giftSku(), t.faceValueFen(), Timestamp.from(t.validFrom()),
					Timestamp.from(t.validUntil()), t.validDays(), t.stock(), t.budgetFen(), t.slots(),
					t.perCustomerLimit(), t.perCustomerDailyLimit(), t.products().toArray(String[]::new),
					t.categories().toArray(String[]::new), t.stores().stream().map(OrgNodeId::value).toArray(UUID[]::new),
					t.exclusive(), t.stackGroup(), t.maxPerOrder(), t.newCustomersOnly(),
					t.memberLevels().toArray(String[]::new), t.winBack(), t.status().name(), t.createdBy(),
					Timestamp.from(t.createdAt()), Timestamp.from(t.updatedAt()))
			.update();
		int base = t.stock() / t.slots();
		int extra = t.stock() % t.slots();
		Integer[] caps = new Integer[t.slots()];
		for (int i = 0; i < caps.length; i++) {
			caps[i] = base + (i < extra ? 1 : 0);
		}
		jdbc.sql("""
				INSERT INTO coupons_stock_slots (template_id, slot, cap)
				SELECT ?, s.ord - 1, s.cap FROM unnest(CAST(? AS int[])) WITH ORDINALITY AS s(cap, ord)""")
			.params(t.id().value(), caps)
			.update();
	}

	Optional<Template> find(CouponTemplateId id) {
		return jdbc.sql("SELECT * FROM coupons_templates WHERE id = ?").param(id.value()).query(Templates::map).optional();
	}

	/** Newest first, after the template {@code after} (a cursor). */
	List<Template> list(@Nullable CouponTemplateId after, Template.@Nullable Status status, int limit) {
		return jdbc.sql("""
				SELECT * FROM coupons_templates
				 WHERE (CAST(? AS uuid) IS NULL OR id < CAST(? AS uuid)) AND (CAST(? AS text) IS NULL OR status = CAST(? AS text))
				 ORDER BY id DESC LIMIT ?""")
			.params(after == null ? null : after.value(), after == null ? null : after.value(),
					status == null ? null : status.name(), status == null ? null : status.name(), limit)
			.query(Templates::map)
			.list();
	}

	boolean setStatus(CouponTemplateId id, Template.Status status, Instant now) {
		return jdbc.sql("UPDATE coupons_templates SET status = ?, updated_at = ? WHERE id = ?")
			.params(status.name(), Timestamp.from(now), id.value())
			.update() == 1;
	}

	Counts counts(CouponTemplateId id) {
		return jdbc.sql("""
				SELECT coalesce(sum(issued), 0), coalesce(sum(redeemed), 0), coalesce(sum(redeemed_fen), 0)
				  FROM coupons_stock_slots WHERE template_id = ?""")
			.param(id.value())
			.query((rs, n) -> new Counts(rs.getLong(1), rs.getLong(2), rs.getLong(3)))
			.single();
	}

	// --- the hot path -----------------------------------------------------------------------------

	/**
	 * Takes one unit of stock, in the caller's transaction, from a slot with room. First from a slot
	 * nobody holds (starting at {@code start}, so that concurrent claims spread over the slots); when
	 * every slot with room is held by another claim, it waits for one of them, inside a savepoint: a
	 * wait that ends on a slot just filled rolls back to the savepoint, which lets go of that row's
	 * lock (PostgreSQL keeps the lock of a row whose recheck failed), so waiting claims never hold
	 * each other up in a cycle. Only an ACTIVE template gives stock. Returns the slot, or empty when no
	 * slot has room left (sold out) or the template is paused.
	 */
	Optional<Integer> takeOne(CouponTemplateId id, int slots, int start, TransactionStatus tx) {
		Optional<Integer> slot = jdbc.sql(TAKE_ANY).params(id.value(), id.value(), slots, start, slots, id.value())
			.query(Integer.class)
			.optional();
		while (slot.isEmpty()) {
			Optional<Integer> target = jdbc.sql("""
					SELECT slot FROM coupons_stock_slots
					 WHERE template_id = ? AND issued < cap
					   AND EXISTS (SELECT 1 FROM coupons_templates t WHERE t.id = ? AND t.status = 'ACTIVE')
					 ORDER BY (slot + ? - ?) % ? LIMIT 1""")
				.params(id.value(), id.value(), slots, start, slots)
				.query(Integer.class)
				.optional();
			if (target.isEmpty()) {
				return target;
			}
			Object savepoint = tx.createSavepoint();
			slot = jdbc.sql("""
					UPDATE coupons_stock_slots SET issued = issued + 1
					 WHERE template_id = ? AND slot = ? AND issued < cap
					   AND EXISTS (SELECT 1 FROM coupons_templates t WHERE t.id = ? AND t.status = 'ACTIVE')
					RETURNING slot""")
				.params(id.value(), target.get(), id.value())
				.query(Integer.class)
				.optional();
			if (slot.isPresent()) {
				tx.releaseSavepoint(savepoint);
			}
			else {
				tx.rollbackToSavepoint(savepoint);
			}
		}
		return slot;
	}

	/**
	 * One unit from the first slot with room that no other transaction holds, from the rotated start.
	 * The pick is a MATERIALIZED CTE so that it runs once: as a joined subquery the planner may rescan
	 * it per slot row, and a rescan after the first update can pick (and update) a second slot.
	 */
	private static final String TAKE_ANY = """
			WITH pick AS MATERIALIZED (
			  SELECT slot FROM coupons_stock_slots
			   WHERE template_id = ? AND issued < cap
			     AND EXISTS (SELECT 1 FROM coupons_templates t WHERE t.id = ? AND t.status = 'ACTIVE')
			   ORDER BY (slot + ? - ?) % ? LIMIT 1 FOR UPDATE SKIP LOCKED)
			UPDATE coupons_stock_slots s SET issued = s.issued + 1
			  FROM pick
			 WHERE s.template_id = ? AND s.slot = pick.slot
			RETURNING s.slot""";

	/**
	 * Whether any slot of the ACTIVE template has room, by the latest committed counts (and this
	 * transaction's): slots other claims hold may still have some.
	 */
	boolean hasRoom(CouponTemplateId id) {
		return jdbc.sql("""
				SELECT EXISTS (SELECT 1 FROM coupons_stock_slots WHERE template_id = ? AND issued < cap
				                  AND EXISTS (SELECT 1 FROM coupons_templates t WHERE t.id = ? AND t.status = 'ACTIVE'))""")
			.params(id.value(), id.value())
			.query(Boolean.class)
			.single();
	}

	/** Counts a redemption (delta 1) or its rollback (delta -1) on the slot the coupon came from. */
	void countRedemption(CouponTemplateId id, int slot, int delta, long discountFen) {
		jdbc.sql("""
				UPDATE coupons_stock_slots SET redeemed = redeemed + ?, redeemed_fen = redeemed_fen + ?
				 WHERE template_id = ? AND slot = ?""")
			.params(delta, delta * discountFen, id.value(), slot)
			.update();
	}

	private static Template map(ResultSet rs, int row) throws SQLException {
		return new Template(new CouponTemplateId(rs.getObject("id", UUID.class)), rs.getString("name"),
				rs.getString("description"), CouponKind.valueOf(rs.getString("kind")), nullableLong(rs, "discount_fen"),
				rs.getLong("threshold_fen"), nullableInt(rs, "percent_off"), nullableLong(rs, "cap_fen"),
				rs.getString("gift_sku"), nullableLong(rs, "face_value_fen"), instant(rs, "valid_from"),
				instant(rs, "valid_until"), nullableInt(rs, "valid_days"), rs.getInt("stock"),
				nullableLong(rs, "budget_fen"), rs.getInt("slots"), rs.getInt("per_customer_limit"),
				nullableInt(rs, "per_customer_daily_limit"), strings(rs.getArray("products")),
				strings(rs.getArray("categories")), uuids(rs.getArray("stores")).stream().map(OrgNodeId::new).toList(),
				rs.getBoolean("exclusive"), rs.getString("stack_group"), rs.getInt("max_per_order"),
				rs.getBoolean("new_customers_only"), new LinkedHashSet<>(strings(rs.getArray("member_levels"))),
				rs.getBoolean("win_back"), Template.Status.valueOf(rs.getString("status")), rs.getString("created_by"),
				instant(rs, "created_at"), instant(rs, "updated_at"));
	}

	static Instant instant(ResultSet rs, String column) throws SQLException {
		return rs.getTimestamp(column).toInstant();
	}

	static @Nullable Instant nullableInstant(ResultSet rs, String column) throws SQLException {
		Timestamp ts = rs.getTimestamp(column);
		return ts == null ? null : ts.toInstant();
	}

	static @Nullable Long nullableLong(ResultSet rs, String column) throws SQLException {
		long v = rs.getLong(column);
		return rs.wasNull() ? null : v;
	}

	static @Nullable Integer nullableInt(ResultSet rs, String column) throws SQLException {
		int v = rs.getInt(column);
		return rs.wasNull() ? null : v;
	}

	private static List<String> strings(@Nullable Array array) throws SQLException {
		return array == null ? List.of() : List.of((String[]) array.getArray());
	}

	private static List<UUID> uuids(@Nullable Array array) throws SQLException {
		return array == null ? List.of() : new ArrayList<>(Arrays.asList((UUID[]) array.getArray()));
	}
}
