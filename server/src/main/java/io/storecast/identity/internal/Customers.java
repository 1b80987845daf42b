package io.storecast.identity.internal;

import java.sql.Date;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import io.storecast.identity.CustomerDirectory;
import io.storecast.identity.CustomerId;
import io.storecast.identity.CustomerProfile;
import io.storecast.identity.OrgNodeId;

/** Customers in {@code identity_customers}. */
@Repository
class Customers implements CustomerDirectory {

	private final JdbcClient jdbc;

	Customers(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	@Override
	public Optional<CustomerProfile> find(CustomerId id) {
		return jdbc.sql("SELECT * FROM identity_customers WHERE id = ?").param(id.value()).query(Customers::map).optional();
	}

	@Override
	public Optional<CustomerProfile> findByExternalId(String externalId) {
		return jdbc.sql("SELECT * FROM identity_customers WHERE external_id = ?")
			.param(externalId)
			.query(Customers::map)
			.optional();
	}

	@Override
	public List<CustomerProfile> findAll(java.util.Collection<CustomerId> ids) {
		if (ids.isEmpty()) {
			return List.of();
		}
		UUID[] values = ids.stream().map(CustomerId::value).toArray(UUID[]::new);
		return jdbc.sql("SELECT * FROM identity_customers WHERE id = ANY(?)")
			.param(values)
			.query(Customers::map)
			.list();
	}

	@Override
	public List<CustomerId> idsAtStores(java.util.Collection<OrgNodeId> stores, @Nullable CustomerId after, int limit) {
		if (stores.isEmpty()) {
			return List.of();
		}
		return jdbc.sql("""
				SELECT id FROM identity_customers
				 WHERE home_store_id = ANY(CAST(:stores AS uuid[])) AND (CAST(:after AS uuid) IS NULL OR id > :after)
				 ORDER BY id LIMIT :limit""")
			.param("stores", stores.stream().map(OrgNodeId::toString).toArray(String[]::new))
			.param("after", after == null ? null : after.value())
			.param("limit", limit)
			.query((rs, n) -> new CustomerId(rs.getObject(1, UUID.class)))
			.list();
	}

	/** Locks the row (if any) so concurrent upserts of one external id serialise. */
	Optional<CustomerProfile> findByExternalIdForUpdate(String externalId) {
		return jdbc.sql("SELECT * FROM identity_customers WHERE external_id = ? FOR UPDATE")
			.param(externalId)
			.query(Customers::map)
			.optional();
	}

	/**
	 * Customers whose home store lies at or below the path (and, for the whole tree, those without a
	 * home store), ordered by id, after the cursor.
	 */
	List<CustomerProfile> list(String pathPrefix, boolean wholeTree, @Nullable OrgNodeId store, @Nullable String phone,
			@Nullable UUID after, int limit) {
		return jdbc.sql("""
				SELECT c.* FROM identity_customers c LEFT JOIN identity_org_nodes n ON n.id = c.home_store_id
				 WHERE (n.path LIKE :prefix OR (:wholeTree AND c.home_store_id IS NULL))
				   AND (CAST(:store AS uuid) IS NULL OR c.home_store_id = :store)
				   AND (CAST(:phone AS text) IS NULL OR c.phone = :phone)
				   AND (CAST(:after AS uuid) IS NULL OR c.id > :after)
				 ORDER BY c.id LIMIT :limit""")
			.param("prefix", OrgNodes.likePrefix(pathPrefix))
			.param("wholeTree", wholeTree)
			.param("store", store == null ? null : store.value())
			.param("phone", phone)
			.param("after", after)
			.param("limit", limit)
			.query(Customers::map)
			.list();
	}

	/** Inserts unless the external id exists; true when this call created the row. */
	boolean insertIfAbsent(CustomerProfile c) {
		return jdbc.sql("""
				INSERT INTO identity_customers (id, external_id, phone, nickname, home_store_id, member_level, birthday,
				                                locale, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
				ON CONFLICT (external_id) DO NOTHING""")
			.params(c.id().value(), c.externalId(), c.phone(), c.nickname(),
					c.homeStoreId() == null ? null : c.homeStoreId().value(), c.memberLevel(),
					c.birthday() == null ? null : Date.valueOf(c.birthday()), c.locale(), Timestamp.from(c.createdAt()),
					Timestamp.from(c.updatedAt()))
			.update() == 1;
	}

	void update(CustomerProfile c) {
		jdbc.sql("""
				UPDATE identity_customers SET phone = ?, nickname = ?, home_store_id = ?, member_level = ?,
				       birthday = ?, locale = ?, updated_at = ?
				 WHERE id = ?""")
			.params(c.phone(), c.nickname(), c.homeStoreId() == null ? null : c.homeStoreId().value(),
					c.memberLevel(), c.birthday() == null ? null : Date.valueOf(c.birthday()), c.locale(),
					Timestamp.from(c.updatedAt()), c.id().value())
			.update();
	}

	private static CustomerProfile map(ResultSet rs, int row) throws SQLException {
		UUID home = rs.getObject("home_store_id", UUID.class);
		Date birthday = rs.getDate("birthday");
		return new CustomerProfile(new CustomerId(rs.getObject("id", UUID.class)), rs.getString("external_id"),
				rs.getString("phone"), rs.getString("nickname"), home == null ? null : new OrgNodeId(home),
				rs.getString("member_level"), birthday == null ? null : birthday.toLocalDate(), rs.getString("locale"),
				OrgNodes.instant(rs, "created_at"), OrgNodes.instant(rs, "updated_at"));
	}
}
