package io.storecast.identity.internal;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import io.storecast.identity.Actor;
import io.storecast.identity.OrgNodeId;
import io.storecast.identity.Role;
import io.storecast.identity.StaffDirectory;
import io.storecast.identity.StaffId;

/** Staff accounts in {@code identity_staff}. */
@Repository
class StaffMembers implements StaffDirectory {

	/** The session of an actor that acts outside any request. */
	private static final UUID NO_SESSION = new UUID(0, 0);

	private final JdbcClient jdbc;
	private final OrgNodes nodes;

	StaffMembers(JdbcClient jdbc, OrgNodes nodes) {
		this.jdbc = jdbc;
		this.nodes = nodes;
	}

	Optional<StaffMember> find(StaffId id) {
		return jdbc.sql("SELECT * FROM identity_staff WHERE id = ?").param(id.value()).query(StaffMembers::map).optional();
	}

	Optional<StaffMember> findByUsername(String username) {
		return jdbc.sql("SELECT * FROM identity_staff WHERE lower(username) = lower(?)")
			.param(username)
			.query(StaffMembers::map)
			.optional();
	}

	@Override
	public Optional<StaffMemberView> findActive(StaffId id) {
		return find(id).filter(StaffMember::active).map(StaffMembers::view);
	}

	@Override
	public Optional<Actor.Staff> actorOf(StaffId id) {
		return find(id).filter(StaffMember::active)
			.flatMap(s -> nodes.find(s.orgNodeId())
				.map(node -> new Actor.Staff(s.id(), s.username(), s.role(), s.orgNodeId(), node.path(), NO_SESSION,
						false)));
	}

	@Override
	public List<StaffMemberView> activeAt(OrgNodeId node) {
		return jdbc.sql("SELECT * FROM identity_staff WHERE org_node_id = ? AND status = 'ACTIVE' ORDER BY id")
			.param(node.value())
			.query(StaffMembers::map)
			.list()
			.stream()
			.map(StaffMembers::view)
			.toList();
	}

	@Override
	public java.util.Map<OrgNodeId, List<StaffMemberView>> activeAt(java.util.Collection<OrgNodeId> nodes) {
		java.util.Map<OrgNodeId, List<StaffMemberView>> out = new java.util.HashMap<>();
		nodes.forEach(n -> out.put(n, new java.util.ArrayList<>()));
		if (nodes.isEmpty()) {
			return out;
		}
		jdbc.sql("SELECT * FROM identity_staff WHERE org_node_id = ANY (?) AND status = 'ACTIVE' ORDER BY id")
			.param(nodes.stream().map(OrgNodeId::value).toArray(UUID[]::new))
			.query(StaffMembers::map)
			.list()
			.forEach(s -> out.get(s.orgNodeId()).add(view(s)));
		return out;
	}

	@Override
	public List<StaffMemberView> activeUnder(OrgNodeId root, java.util.Collection<Role> roles) {
		return jdbc.sql("""
				SELECT s.* FROM identity_staff s
				  JOIN identity_org_nodes n ON n.id = s.org_node_id
				  JOIN identity_org_nodes r ON r.id = :root
				 WHERE starts_with(n.path, r.path)
				   AND s.status = 'ACTIVE' AND s.role = ANY(CAST(:roles AS text[]))
				 ORDER BY s.id""")
			.param("root", root.value())
			.param("roles", roles.stream().map(Role::name).toArray(String[]::new))
			.query(StaffMembers::map)
			.list()
			.stream()
			.map(StaffMembers::view)
			.toList();
	}

	private static StaffMemberView view(StaffMember m) {
		return new StaffMemberView(m.id(), m.username(), m.displayName(), m.role(), m.orgNodeId());
	}

	boolean any() {
		return jdbc.sql("SELECT EXISTS (SELECT 1 FROM identity_staff)").query(Boolean.class).single();
	}

	/** Staff at or below the path, ordered by id, after the cursor. */
	List<StaffMember> list(String pathPrefix, @Nullable OrgNodeId node, @Nullable UUID after, int limit) {
		return jdbc.sql("""
				SELECT s.* FROM identity_staff s JOIN identity_org_nodes n ON n.id = s.org_node_id
				 WHERE n.path LIKE :prefix
				   AND (CAST(:node AS uuid) IS NULL OR s.org_node_id = :node)
				   AND (CAST(:after AS uuid) IS NULL OR s.id > :after)
				 ORDER BY s.id LIMIT :limit""")
			.param("prefix", OrgNodes.likePrefix(pathPrefix))
			.param("node", node == null ? null : node.value())
			.param("after", after)
			.param("limit", limit)
			.query(StaffMembers::map)
			.list();
	}

	void insert(StaffMember s) {
		jdbc.sql("""
				INSERT INTO identity_staff (id, username, display_name, role, org_node_id, phone, password_hash,
				                            password_change_required, status, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")
			.params(s.id().value(), s.username(), s.displayName(), s.role().name(), s.orgNodeId().value(), s.phone(),
					s.passwordHash(), s.passwordChangeRequired(), s.status().name(), Timestamp.from(s.createdAt()),
					Timestamp.from(s.updatedAt()))
			.update();
	}

	void update(StaffMember s) {
		jdbc.sql("""
				UPDATE identity_staff SET display_name = ?, role = ?, org_node_id = ?, phone = ?, password_hash = ?,
				       password_change_required = ?, status = ?, updated_at = ?
				 WHERE id = ?""")
			.params(s.displayName(), s.role().name(), s.orgNodeId().value(), s.phone(), s.passwordHash(),
					s.passwordChangeRequired(), s.status().name(), Timestamp.from(s.updatedAt()), s.id().value())
			.update();
	}

	private static StaffMember map(ResultSet rs, int row) throws SQLException {
		return new StaffMember(new StaffId(rs.getObject("id", UUID.class)), rs.getString("username"),
				rs.getString("display_name"), Role.valueOf(rs.getString("role")),
				new OrgNodeId(rs.getObject("org_node_id", UUID.class)), rs.getString("phone"),
				rs.getString("password_hash"), rs.getBoolean("password_change_required"),
				StaffMember.Status.valueOf(rs.getString("status")), OrgNodes.instant(rs, "created_at"),
				OrgNodes.instant(rs, "updated_at"));
	}
}
