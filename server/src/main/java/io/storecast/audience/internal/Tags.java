package io.storecast.audience.internal;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Tags in {@code audience_tags} and who carries them in {@code audience_customer_tags}. */
@Repository
class Tags {

	/** A tag; {@code rule} is the JSON condition of a RULE tag. */
	record Tag(UUID id, String name, String kind, @Nullable String description, @Nullable String rule, int ruleVersion,
			String createdBy, Instant createdAt, Instant updatedAt) {

		boolean isRule() {
			return "RULE".equals(kind);
		}
	}

	/** A tag with how many customers carry it. */
	record Counted(Tag tag, long members) {
	}

	/** A customer carrying a tag. */
	record Member(UUID customerId, String source, String assignedBy, Instant assignedAt) {
	}

	private final JdbcClient jdbc;

	Tags(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	Optional<Tag> find(UUID id) {
		return jdbc.sql("SELECT * FROM audience_tags WHERE id = ?").param(id).query(Tags::map).optional();
	}

	Optional<Tag> findByName(String name) {
		return jdbc.sql("SELECT * FROM audience_tags WHERE lower(name) = lower(?)").param(name).query(Tags::map).optional();
	}

	/** Locks the tag's row until the transaction ends (a rule change against incremental evaluations). */
	Optional<Tag> lock(UUID id) {
		return jdbc.sql("SELECT * FROM audience_tags WHERE id = ? FOR UPDATE").param(id).query(Tags::map).optional();
	}

	/** Every rule tag, share-locked: a rule cannot change while one customer's tags are being evaluated. */
	List<Tag> ruleTagsForEvaluation() {
		return jdbc.sql("SELECT * FROM audience_tags WHERE kind = 'RULE' ORDER BY id FOR SHARE").query(Tags::map).list();
	}

	List<Tag> ruleTags() {
		return jdbc.sql("SELECT * FROM audience_tags WHERE kind = 'RULE' ORDER BY id").query(Tags::map).list();
	}

	/** Tags with their member counts, within the given stores' customers (null: everyone). */
	List<Counted> list(@Nullable Collection<UUID> stores) {
		return jdbc.sql("""
				SELECT t.*, (SELECT count(*) FROM audience_customer_tags ct
				              WHERE ct.tag_id = t.id
				                AND (CAST(? AS uuid[]) IS NULL OR EXISTS (
				                     SELECT 1 FROM audience_profiles p WHERE p.customer_id = ct.customer_id
				                        AND p.home_store_id = ANY(CAST(? AS uuid[]))))) AS members
				  FROM audience_tags t ORDER BY lower(t.name)""")
			.params(stores == null ? null : Rows.uuids(stores), stores == null ? null : Rows.uuids(stores))
			.query((rs, n) -> new Counted(map(rs, n), rs.getLong("members")))
			.list();
	}

	void insert(Tag tag) {
		jdbc.sql("""
				INSERT INTO audience_tags (id, name, kind, description, rule, rule_version, created_by, created_at, updated_at)
				VALUES (?, ?, ?, ?, CAST(? AS jsonb), ?, ?, ?, ?)""")
			.params(tag.id(), tag.name(), tag.kind(), tag.description(), tag.rule(), tag.ruleVersion(), tag.createdBy(),
					Timestamp.from(tag.createdAt()), Timestamp.from(tag.updatedAt()))
			.update();
	}

	/** Inserts a manual tag unless one of that name exists; returns the tag of that name. */
	Tag ensureManual(String name, String by, Instant now) {
		jdbc.sql("""
				INSERT INTO audience_tags (id, name, kind, created_by, created_at, updated_at)
				VALUES (?, ?, 'MANUAL', ?, ?, ?) ON CONFLICT DO NOTHING""")
			.params(io.storecast.platform.Ids.newId(), name, by, Timestamp.from(now), Timestamp.from(now))
			.update();
		return findByName(name).orElseThrow();
	}

	void update(Tag tag) {
		jdbc.sql("UPDATE audience_tags SET description = ?, rule = CAST(? AS jsonb), rule_version = ?, updated_at = ? WHERE id = ?")
			.params(tag.description(), tag.rule(), tag.ruleVersion(), Timestamp.from(tag.updatedAt()), tag.id())
			.update();
	}

	void delete(UUID id) {
		jdbc.sql("DELETE FROM audience_tags WHERE id = ?").param(id).update();
	}

	/** True when the customer did not carry the tag before. */
	boolean assign(UUID tag, UUID customer, String source, String by, Instant at) {
		return jdbc.sql("""
				INSERT INTO audience_customer_tags (tag_id, customer_id, source, assigned_by, assigned_at)
				VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING""")
			.params(tag, customer, source, by, Timestamp.from(at))
			.update() == 1;
	}

	/** True when the customer carried the tag. */
	boolean unassign(UUID tag, UUID customer) {
		return jdbc.sql("DELETE FROM audience_customer_tags WHERE tag_id = ? AND customer_id = ?")
			.params(tag, customer)
			.update() == 1;
	}

	boolean carries(UUID customer, String name) {
		return jdbc.sql("""
				SELECT EXISTS (SELECT 1 FROM audience_customer_tags ct JOIN audience_tags t ON t.id = ct.tag_id
				                WHERE ct.customer_id = ? AND lower(t.name) = lower(?))""")
			.params(customer, name)
			.query(Boolean.class)
			.single();
	}

	List<UUID> tagIdsOf(UUID customer) {
		return jdbc.sql("SELECT tag_id FROM audience_customer_tags WHERE customer_id = ?").param(customer).query(UUID.class).list();
	}

	List<String> namesOf(UUID customer) {
		return jdbc.sql("""
				SELECT t.name FROM audience_customer_tags ct JOIN audience_tags t ON t.id = ct.tag_id
				 WHERE ct.customer_id = ? ORDER BY lower(t.name)""")
			.param(customer)
			.query(String.class)
			.list();
	}

	/** The tag's carriers in id order after {@code after}, within the given stores' customers (null: everyone). */
	List<Member> members(UUID tag, @Nullable Collection<UUID> stores, @Nullable UUID after, int limit) {
		return jdbc.sql("""
				SELECT ct.* FROM audience_customer_tags ct
				 WHERE ct.tag_id = ? AND (CAST(? AS uuid) IS NULL OR ct.customer_id > ?)
				   AND (CAST(? AS uuid[]) IS NULL OR EXISTS (SELECT 1 FROM audience_profiles p
				        WHERE p.customer_id = ct.customer_id AND p.home_store_id = ANY(CAST(? AS uuid[]))))
				 ORDER BY ct.customer_id LIMIT ?""")
			.params(tag, after, after, stores == null ? null : Rows.uuids(stores), stores == null ? null : Rows.uuids(stores),
					limit)
			.query((rs, n) -> new Member(rs.getObject("customer_id", UUID.class), rs.getString("source"),
					rs.getString("assigned_by"), Rows.instant(rs, "assigned_at")))
			.list();
	}

	/**
	 * Makes the rule tag's carriers exactly the customers matching {@code where} (a predicate over
	 * {@code audience_profiles p}), in one statement. Returns {members, added, removed}.
	 */
	long[] reconcile(UUID tag, SqlCompiler.Sql where, Instant now) {
		String sql = """
				WITH matching AS MATERIALIZED (SELECT p.customer_id FROM audience_profiles p WHERE %s),
				     removed AS (DELETE FROM audience_customer_tags ct
				                  WHERE ct.tag_id = ?
				                    AND NOT EXISTS (SELECT 1 FROM matching m WHERE m.customer_id = ct.customer_id)
				                 RETURNING 1),
				     added AS (INSERT INTO audience_customer_tags (tag_id, customer_id, source, assigned_by, assigned_at)
				               SELECT ?, m.customer_id, 'RULE', 'rule', ? FROM matching m
				               ON CONFLICT DO NOTHING RETURNING 1)
				SELECT (SELECT count(*) FROM matching) AS members, (SELECT count(*) FROM added) AS added,
				       (SELECT count(*) FROM removed) AS removed""".formatted(where.text());
		List<Object> params = new java.util.ArrayList<>(where.params());
		params.add(tag);
		params.add(tag);
		params.add(Timestamp.from(now));
		return jdbc.sql(sql)
			.params(params)
			.query((rs, n) -> new long[] { rs.getLong("members"), rs.getLong("added"), rs.getLong("removed") })
			.single();
	}

	private static Tag map(ResultSet rs, int n) throws SQLException {
		return new Tag(rs.getObject("id", UUID.class), rs.getString("name"), rs.getString("kind"),
				rs.getString("description"), rs.getString("rule"), rs.getInt("rule_version"), rs.getString("created_by"),
				Rows.instant(rs, "created_at"), Rows.instant(rs, "updated_at"));
	}
}
