package io.storecast.audience.internal;

import java.sql.Date;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import io.storecast.identity.CustomerProfile;

/** Profiles in {@code audience_profiles}: identity's fields copied, purchase and engagement facts derived. */
@Repository
class Profiles {

	/** A profile row. */
	record Row(UUID customerId, @Nullable UUID homeStoreId, @Nullable String memberLevel, @Nullable LocalDate birthday,
			@Nullable String phone, Instant registeredAt, @Nullable String timeZone, @Nullable Instant firstPurchaseAt,
			@Nullable Instant lastPurchaseAt, int orderCount, long totalSpendFen, List<String> favouriteCategories,
			@Nullable Instant lastReadAt, @Nullable Instant lastClickAt, Instant updatedAt) {
	}

	private final JdbcClient jdbc;

	Profiles(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	/**
	 * The customers born on one of these days of the year ({@code month * 100 + day}) whose home store
	 * is one of the stores, after {@code after} in id order: the birthday index, then the stores.
	 */
	List<Row> bornOn(int[] monthDays, UUID[] stores, @Nullable UUID after, int limit) {
		return jdbc.sql("""
				SELECT * FROM audience_profiles
				 WHERE birthday_md = ANY(:days) AND home_store_id = ANY(:stores)
				   AND (CAST(:after AS uuid) IS NULL OR customer_id > :after)
				 ORDER BY customer_id LIMIT :limit""")
			.param("days", monthDays)
			.param("stores", stores)
			.param("after", after)
			.param("limit", limit)
			.query(Profiles::map)
			.list();
	}

	Optional<Row> find(UUID customer) {
		return jdbc.sql("SELECT * FROM audience_profiles WHERE customer_id = ?").param(customer).query(Profiles::map).optional();
	}

	boolean exists(UUID customer) {
		return jdbc.sql("SELECT EXISTS (SELECT 1 FROM audience_profiles WHERE customer_id = ?)")
			.param(customer)
			.query(Boolean.class)
			.single();
	}

	/** Creates the profile or refreshes identity's fields in it (the derived facts stay). */
	void upsertIdentity(CustomerProfile c, Instant now) {
		LocalDate birthday = c.birthday();
		jdbc.sql("""
				INSERT INTO audience_profiles (customer_id, home_store_id, member_level, birthday, birthday_md, phone,
				                               registered_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?)
				ON CONFLICT (customer_id) DO UPDATE
				   SET home_store_id = EXCLUDED.home_store_id, member_level = EXCLUDED.member_level,
				       birthday = EXCLUDED.birthday, birthday_md = EXCLUDED.birthday_md, phone = EXCLUDED.phone,
				       updated_at = EXCLUDED.updated_at""")
			.params(c.id().value(), c.homeStoreId() == null ? null : c.homeStoreId().value(), c.memberLevel(),
					birthday == null ? null : Date.valueOf(birthday),
					birthday == null ? null : (short) (birthday.getMonthValue() * 100 + birthday.getDayOfMonth()),
					c.phone(), Timestamp.from(c.createdAt()), Timestamp.from(now))
			.update();
	}

	void setTimeZone(UUID customer, @Nullable String zone, Instant now) {
		jdbc.sql("UPDATE audience_profiles SET time_zone = ?, updated_at = ? WHERE customer_id = ?")
			.params(zone, Timestamp.from(now), customer)
			.update();
	}

	/** Recomputes one customer's purchase facts from their kept purchase lines. */
	void recomputeFacts(UUID customer, Instant now) {
		jdbc.sql("""
				UPDATE audience_profiles p
				   SET first_purchase_at = f.first_at, last_purchase_at = f.last_at, order_count = f.orders,
				       total_spend_fen = f.spend,
				       favourite_categories = coalesce((
				         SELECT array_agg(c.category ORDER BY c.n DESC, c.category)
				           FROM (SELECT category, count(DISTINCT order_id) AS n FROM audience_purchases
				                  WHERE customer_id = ? AND category IS NOT NULL
				                  GROUP BY category ORDER BY n DESC, category LIMIT 3) c), '{}'),
				       updated_at = ?
				  FROM (SELECT min(paid_at) AS first_at, max(paid_at) AS last_at, count(DISTINCT order_id) AS orders,
				               coalesce(sum(amount_fen), 0) AS spend
				          FROM audience_purchases WHERE customer_id = ?) f
				 WHERE p.customer_id = ?""")
			.params(customer, Timestamp.from(now), customer, customer)
			.update();
	}

	/** Recomputes every customer's purchase facts in two statements; returns the profiles with purchases. */
	int recomputeAllFacts(Instant now) {
		jdbc.sql("""
				UPDATE audience_profiles p
				   SET first_purchase_at = NULL, last_purchase_at = NULL, order_count = 0, total_spend_fen = 0,
				       favourite_categories = '{}', updated_at = ?
				 WHERE p.order_count <> 0
				   AND NOT EXISTS (SELECT 1 FROM audience_purchases pu WHERE pu.customer_id = p.customer_id)""")
			.param(Timestamp.from(now))
			.update();
		return jdbc.sql("""
				WITH f AS (SELECT customer_id, min(paid_at) AS first_at, max(paid_at) AS last_at,
				                  count(DISTINCT order_id) AS orders, sum(amount_fen) AS spend
				             FROM audience_purchases GROUP BY customer_id),
				     ranked AS (SELECT customer_id, category, n,
				                       row_number() OVER (PARTITION BY customer_id ORDER BY n DESC, category) AS r
				                  FROM (SELECT customer_id, category, count(DISTINCT order_id) AS n FROM audience_purchases
				                         WHERE category IS NOT NULL GROUP BY customer_id, category) x),
				     c AS (SELECT customer_id, array_agg(category ORDER BY n DESC, category) AS cats
				             FROM ranked WHERE r <= 3 GROUP BY customer_id)
				UPDATE audience_profiles p
				   SET first_purchase_at = f.first_at, last_purchase_at = f.last_at, order_count = f.orders,
				       total_spend_fen = f.spend, favourite_categories = coalesce(c.cats, '{}'), updated_at = ?
				  FROM f LEFT JOIN c ON c.customer_id = f.customer_id
				 WHERE p.customer_id = f.customer_id""")
			.param(Timestamp.from(now))
			.update();
	}

	/** Moves the engagement time forward (never back: events may arrive out of order). */
	void engaged(UUID customer, boolean click, Instant at) {
		String column = click ? "last_click_at" : "last_read_at";
		jdbc.sql("UPDATE audience_profiles SET " + column + " = greatest(" + column + ", ?), updated_at = ? WHERE customer_id = ?")
			.params(Timestamp.from(at), Timestamp.from(Instant.now()), customer)
			.update();
	}

	/** Profile ids in order after {@code after}, for walking everyone in pages. */
	List<UUID> ids(@Nullable UUID after, int limit) {
		return jdbc.sql("SELECT customer_id FROM audience_profiles WHERE (CAST(? AS uuid) IS NULL OR customer_id > ?) ORDER BY customer_id LIMIT ?")
			.params(after, after, limit)
			.query(UUID.class)
			.list();
	}

	List<UUID> withPhone(String phone) {
		return jdbc.sql("SELECT customer_id FROM audience_profiles WHERE phone = ? ORDER BY customer_id")
			.param(phone)
			.query(UUID.class)
			.list();
	}

	long count() {
		return jdbc.sql("SELECT count(*) FROM audience_profiles").query(Long.class).single();
	}

	private static Row map(ResultSet rs, int n) throws SQLException {
		Date birthday = rs.getDate("birthday");
		return new Row(rs.getObject("customer_id", UUID.class), Rows.uuid(rs, "home_store_id"), rs.getString("member_level"),
				birthday == null ? null : birthday.toLocalDate(), rs.getString("phone"), Rows.instant(rs, "registered_at"),
				rs.getString("time_zone"), Rows.instant(rs, "first_purchase_at"), Rows.instant(rs, "last_purchase_at"),
				rs.getInt("order_count"), rs.getLong("total_spend_fen"), Rows.texts(rs, "favourite_categories"),
				Rows.instant(rs, "last_read_at"), Rows.instant(rs, "last_click_at"), Rows.instant(rs, "updated_at"));
	}
}
