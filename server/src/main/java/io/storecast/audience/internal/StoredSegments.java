package io.storecast.audience.internal;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Segments in {@code audience_segments}, their snapshots and the snapshots' members. */
@Repository
class StoredSegments {

	/** Members per row of a snapshot ({@code audience_snapshot_pages}). */
	static final int PAGE = 1000;

	/** A stored segment; {@code condition} is its JSON condition tree. */
	record Row(UUID id, String name, @Nullable String description, String condition, String createdBy, Instant createdAt,
			Instant updatedAt) {
	}

	/** A stored snapshot. */
	record Snapshot(UUID id, UUID segmentId, String key, @Nullable UUID scopeNode, long memberCount, Instant createdAt) {
	}

	private final JdbcClient jdbc;

	StoredSegments(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	Optional<Row> find(UUID id) {
		return jdbc.sql("SELECT * FROM audience_segments WHERE id = ?").param(id).query(StoredSegments::map).optional();
	}

	Optional<Row> findByName(String name) {
		return jdbc.sql("SELECT * FROM audience_segments WHERE lower(name) = lower(?)")
			.param(name)
			.query(StoredSegments::map)
			.optional();
	}

	List<Row> list() {
		return jdbc.sql("SELECT * FROM audience_segments ORDER BY lower(name)").query(StoredSegments::map).list();
	}

	void insert(Row row) {
		jdbc.sql("""
				INSERT INTO audience_segments (id, name, description, condition, created_by, created_at, updated_at)
				VALUES (?, ?, ?, CAST(? AS jsonb), ?, ?, ?)""")
			.params(row.id(), row.name(), row.description(), row.condition(), row.createdBy(),
					Timestamp.from(row.createdAt()), Timestamp.from(row.updatedAt()))
			.update();
	}

	void update(Row row) {
		jdbc.sql("UPDATE audience_segments SET name = ?, description = ?, condition = CAST(? AS jsonb), updated_at = ? WHERE id = ?")
			.params(row.name(), row.description(), row.condition(), Timestamp.from(row.updatedAt()), row.id())
			.update();
	}

	/**
	 * Deletes a segment with its snapshots and their members, unless one of its snapshots is held
	 * (false, nothing deleted); in a transaction.
	 */
	boolean delete(UUID id) {
		// members have no foreign key to their snapshot (V29): they go first, then the segment and, by
		// cascade, its snapshots. The segment's row is locked first, in the caller's transaction: a
		// snapshot being written holds a key-share lock on it (its foreign key), so this waits until that
		// snapshot has committed and its members are seen and deleted too; a snapshot started later
		// waits for this delete and then fails on its foreign key.
		// waits too for a held snapshot being written; one held later finds the segment gone
		jdbc.sql("SELECT 1 FROM audience_segments WHERE id = ? FOR UPDATE").param(id).query(Integer.class).optional();
		if (jdbc.sql("SELECT EXISTS (SELECT 1 FROM audience_snapshots WHERE segment_id = ? AND held)").param(id)
			.query(Boolean.class)
			.single()) {
			return false;
		}
		jdbc.sql("""
				DELETE FROM audience_snapshot_pages m USING audience_snapshots s
				 WHERE s.segment_id = ? AND m.snapshot_id = s.id""").param(id).update();
		jdbc.sql("DELETE FROM audience_segments WHERE id = ?").param(id).update();
		return true;
	}

	/** Serialises changes of segments (their references are checked for cycles against all the others). */
	void lockAll() {
		jdbc.sql("SELECT pg_advisory_xact_lock(hashtext('audience_segments'))").query(Object.class).list();
	}

	long count(SqlCompiler.Sql where) {
		return jdbc.sql("SELECT count(*) FROM audience_profiles p WHERE " + where.text())
			.params(where.params())
			.query(Long.class)
			.single();
	}

	List<UUID> sample(SqlCompiler.Sql where, int limit) {
		List<Object> params = new ArrayList<>(where.params());
		params.add(limit);
		return jdbc.sql("SELECT p.customer_id FROM audience_profiles p WHERE " + where.text()
				+ " ORDER BY p.customer_id LIMIT ?")
			.params(params)
			.query(UUID.class)
			.list();
	}

	boolean contains(SqlCompiler.Sql where, UUID customer) {
		List<Object> params = new ArrayList<>(where.params());
		params.add(customer);
		return jdbc.sql("SELECT EXISTS (SELECT 1 FROM audience_profiles p WHERE " + where.text() + " AND p.customer_id = ?)")
			.params(params)
			.query(Boolean.class)
			.single();
	}

	/** EXPLAIN (ANALYZE, BUFFERS) of the count, for operators asking why a segment is slow. */
	List<String> explainCount(SqlCompiler.Sql where) {
		return jdbc.sql("EXPLAIN (ANALYZE, BUFFERS) SELECT count(*) FROM audience_profiles p WHERE " + where.text())
			.params(where.params())
			.query(String.class)
			.list();
	}

	Optional<Snapshot> findSnapshot(UUID id) {
		return jdbc.sql("SELECT * FROM audience_snapshots WHERE id = ?").param(id).query(StoredSegments::snapshot).optional();
	}

	Optional<Snapshot> findSnapshot(UUID segment, String key) {
		return jdbc.sql("SELECT * FROM audience_snapshots WHERE segment_id = ? AND key = ?")
			.params(segment, key)
			.query(StoredSegments::snapshot)
			.optional();
	}

	List<Snapshot> snapshotsOf(UUID segment) {
		return jdbc.sql("SELECT * FROM audience_snapshots WHERE segment_id = ? ORDER BY created_at DESC LIMIT 100")
			.param(segment)
			.query(StoredSegments::snapshot)
			.list();
	}

	/** Claims (segment, key); false when a snapshot under that key exists (or is being written by another call). */
	boolean claimSnapshot(UUID id, UUID segment, String key, @Nullable UUID scope, Instant at) {
		return jdbc.sql("""
				INSERT INTO audience_snapshots (id, segment_id, key, scope_node, member_count, created_at)
				VALUES (?, ?, ?, ?, 0, ?) ON CONFLICT (segment_id, key) DO NOTHING""")
			.params(id, segment, key, scope, Timestamp.from(at))
			.update() == 1;
	}

	void release(UUID segment, String key) {
		jdbc.sql("UPDATE audience_snapshots SET held = false WHERE segment_id = ? AND key = ? AND held")
			.params(segment, key)
			.update();
	}

	/** Holds the snapshot under (segment, key) (its segment cannot be deleted until it is released). */
	void hold(UUID segment, String key) {
		jdbc.sql("UPDATE audience_snapshots SET held = true WHERE segment_id = ? AND key = ? AND NOT held")
			.params(segment, key)
			.update();
	}

	/**
	 * Writes the members in one INSERT ... SELECT and returns how many: as pages of up to
	 * {@value #PAGE} customer ids in customer order, one row each (V36), every page full but the last.
	 * A million members are a thousand rows rather than a million rows and their index entries: the
	 * snapshot a campaign send starts with, written while nothing else of the send can run yet, took
	 * 3.5 s as rows in a 1,000,000-recipient bench (PostgreSQL's time, {@code pg_stat_statements}); in
	 * a test table, a million took 2.9–3.5 s as rows and 0.9–1.1 s as pages.
	 */
	long fillSnapshot(UUID id, SqlCompiler.Sql where) {
		List<Object> params = new ArrayList<>();
		params.add(id);
		params.addAll(where.params());
		long n = jdbc.sql("""
				WITH pages AS (
				  INSERT INTO audience_snapshot_pages (snapshot_id, last_id, members)
				  SELECT ?, g.a[cardinality(g.a)], g.a
				    FROM (SELECT array_agg(m.c ORDER BY m.c) AS a
				            FROM (SELECT p.customer_id AS c, (row_number() OVER (ORDER BY p.customer_id) - 1) / %d AS page
				                    FROM audience_profiles p WHERE %s) m
				           GROUP BY m.page) g
				  RETURNING cardinality(members) AS n)
				SELECT coalesce(sum(n), 0) FROM pages""".formatted(PAGE, where.text()))
			.params(params)
			.query(Long.class)
			.single();
		jdbc.sql("UPDATE audience_snapshots SET member_count = ? WHERE id = ?").params(n, id).update();
		return n;
	}

	/**
	 * Up to {@code limit} members of a snapshot after {@code after}, in customer order: from the pages
	 * past it, as many as hold {@code limit} when they are full (every page but the last is,
	 * {@link #fillSnapshot}); should one not be, it reads on rather than return fewer with more left.
	 */
	List<UUID> members(UUID snapshot, @Nullable UUID after, int limit) {
		List<UUID> read = pageMembers(snapshot, after, limit);
		if (read.isEmpty() || read.size() == limit) {
			return read;
		}
		List<UUID> out = new ArrayList<>(read);
		while (out.size() < limit && !(read = pageMembers(snapshot, out.getLast(), limit - out.size())).isEmpty()) {
			out.addAll(read);
		}
		return out;
	}

	private List<UUID> pageMembers(UUID snapshot, @Nullable UUID after, int limit) {
		// two statements rather than "(:after IS NULL OR …)", which a generic plan could not use the key for
		String pages = after == null ? "" : "AND last_id > :after";
		String members = after == null ? "" : "WHERE m.id > :after";
		JdbcClient.StatementSpec read = jdbc.sql("""
				SELECT m.id
				  FROM (SELECT last_id, members FROM audience_snapshot_pages
				         WHERE snapshot_id = :snapshot %s ORDER BY last_id LIMIT :pages) p
				  CROSS JOIN LATERAL unnest(p.members) WITH ORDINALITY AS m(id, n)
				 %s
				 ORDER BY p.last_id, m.n
				 LIMIT :limit""".formatted(pages, members))
			.param("snapshot", snapshot)
			// the first page past "after" may hold a single member past it
			.param("pages", (limit + PAGE - 1) / PAGE + 1)
			.param("limit", limit);
		return (after == null ? read : read.param("after", after)).query(UUID.class).list();
	}

	private static Row map(ResultSet rs, int n) throws SQLException {
		return new Row(rs.getObject("id", UUID.class), rs.getString("name"), rs.getString("description"),
				rs.getString("condition"), rs.getString("created_by"), Rows.instant(rs, "created_at"),
				Rows.instant(rs, "updated_at"));
	}

	private static Snapshot snapshot(ResultSet rs, int n) throws SQLException {
		return new Snapshot(rs.getObject("id", UUID.class), rs.getObject("segment_id", UUID.class), rs.getString("key"),
				Rows.uuid(rs, "scope_node"), rs.getLong("member_count"), Rows.instant(rs, "created_at"));
	}
}
