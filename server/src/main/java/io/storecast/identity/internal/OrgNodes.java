package io.storecast.identity.internal;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import io.storecast.identity.OpeningHours;
import io.storecast.identity.OrgDirectory;
import io.storecast.identity.OrgNode;
import io.storecast.identity.OrgNodeId;
import io.storecast.identity.OrgNodeKind;
import tools.jackson.databind.json.JsonMapper;

/**
 * The org tree in {@code identity_org_nodes}; subtrees are prefix scans on the materialized path.
 * <p>
 * Nodes are looked up on most requests (a staff member's scope, a store's name and hours for a
 * message) and change rarely, and a node's path never changes: {@link #find} answers from a cache
 * that this node's writes clear at once and that forgets a node after 10 s, so another cluster node's
 * change of a name or opening hours is seen within 10 s.
 */
@Repository
class OrgNodes implements OrgDirectory {

	private final JdbcClient jdbc;
	private final JsonMapper json;
	private final RowMapper<OrgNode> mapper;
	private final Cache<OrgNodeId, OrgNode> cached = Caffeine.newBuilder()
		.maximumSize(20_000)
		.expireAfterWrite(Duration.ofSeconds(10))
		.build();

	OrgNodes(JdbcClient jdbc, JsonMapper json) {
		this.jdbc = jdbc;
		this.json = json;
		this.mapper = this::map;
	}

	@Override
	public Optional<OrgNode> find(OrgNodeId id) {
		OrgNode hit = cached.getIfPresent(id);
		if (hit != null) {
			return Optional.of(hit);
		}
		// a node not found is not remembered: it may be created on another cluster node a moment later
		Optional<OrgNode> stored = findFresh(id);
		stored.ifPresent(n -> cached.put(id, n));
		return stored;
	}

	/** The node as stored now (for a read that is written back). */
	Optional<OrgNode> findFresh(OrgNodeId id) {
		return jdbc.sql("SELECT * FROM identity_org_nodes WHERE id = ?").param(id.value()).query(mapper).optional();
	}

	@Override
	public OrgNode headOffice() {
		return findHeadOffice().orElseThrow(() -> new IllegalStateException("The org tree has no head office yet"));
	}

	Optional<OrgNode> findHeadOffice() {
		return jdbc.sql("SELECT * FROM identity_org_nodes WHERE kind = 'HEAD_OFFICE'").query(mapper).optional();
	}

	@Override
	public List<OrgNode> subtree(OrgNodeId root) {
		return find(root).map(node -> underPath(node.path())).orElse(List.of());
	}

	@Override
	public List<OrgNode> storesUnder(OrgNodeId root) {
		return subtree(root).stream().filter(n -> n.kind() == OrgNodeKind.STORE).toList();
	}

	List<OrgNode> underPath(String pathPrefix) {
		return jdbc.sql("SELECT * FROM identity_org_nodes WHERE path LIKE ? ORDER BY length(path), name")
			.param(likePrefix(pathPrefix))
			.query(mapper)
			.list();
	}

	boolean codeTaken(String code) {
		return jdbc.sql("SELECT count(*) FROM identity_org_nodes WHERE lower(code) = lower(?)")
			.param(code)
			.query(Long.class)
			.single() > 0;
	}

	void insert(OrgNode node) {
		jdbc.sql("""
				INSERT INTO identity_org_nodes
				  (id, parent_id, kind, code, name, path, time_zone, city, opening_hours, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?)""")
			.params(node.id().value(), node.parentId() == null ? null : node.parentId().value(), node.kind().name(),
					node.code(), node.name(), node.path(), node.timeZone().getId(), node.city(),
					json.writeValueAsString(node.openingHours()), Timestamp.from(node.createdAt()),
					Timestamp.from(node.updatedAt()))
			.update();
		cached.invalidate(node.id());
	}

	void update(OrgNode node) {
		jdbc.sql("""
				UPDATE identity_org_nodes
				   SET code = ?, name = ?, time_zone = ?, city = ?, opening_hours = ?::jsonb, updated_at = ?
				 WHERE id = ?""")
			.params(node.code(), node.name(), node.timeZone().getId(), node.city(),
					json.writeValueAsString(node.openingHours()), Timestamp.from(node.updatedAt()), node.id().value())
			.update();
		cached.invalidate(node.id());
	}

	static String likePrefix(String path) {
		return path.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
	}

	private OrgNode map(ResultSet rs, int row) throws SQLException {
		UUID parent = rs.getObject("parent_id", UUID.class);
		return new OrgNode(new OrgNodeId(rs.getObject("id", UUID.class)), parent == null ? null : new OrgNodeId(parent),
				OrgNodeKind.valueOf(rs.getString("kind")), rs.getString("code"), rs.getString("name"),
				ZoneId.of(rs.getString("time_zone")), rs.getString("city"),
				json.readValue(rs.getString("opening_hours"), OpeningHours.class), rs.getString("path"),
				instant(rs, "created_at"), instant(rs, "updated_at"));
	}

	static @org.jspecify.annotations.Nullable Instant instant(ResultSet rs, String column) throws SQLException {
		Timestamp ts = rs.getTimestamp(column);
		return ts == null ? null : ts.toInstant();
	}
}
