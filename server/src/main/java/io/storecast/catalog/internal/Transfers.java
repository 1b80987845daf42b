package io.storecast.catalog.internal;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import io.storecast.catalog.SkuId;
import io.storecast.catalog.StockTransfer;
import io.storecast.identity.OrgNodeId;
import io.storecast.messaging.ConversationId;

/** Transfer requests between stores in {@code catalog_transfers}. */
@Repository
class Transfers {

	private static final String SELECT = """
			SELECT t.*, k.external_id AS sku FROM catalog_transfers t JOIN catalog_skus k ON k.id = t.sku_id""";

	private final JdbcClient jdbc;

	Transfers(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	/** Inserts a new request; false when its request key was used before (nothing written). */
	boolean insert(StockTransfer t, @Nullable String requestKey) {
		return jdbc.sql("""
				INSERT INTO catalog_transfers (id, sku_id, from_store_id, to_store_id, quantity, status, note, requested_by,
				                               requested_by_name, requested_at, request_key)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
				ON CONFLICT (request_key) DO NOTHING""")
			.params(t.id(), t.skuId().value(), t.fromStoreId().value(), t.toStoreId().value(), t.quantity(),
					t.status().name(), t.note(), t.requestedBy(), t.requestedByName(), Timestamp.from(t.requestedAt()),
					requestKey)
			.update() == 1;
	}

	Optional<StockTransfer> find(UUID id) {
		return jdbc.sql(SELECT + " WHERE t.id = ?").param(id).query(Transfers::map).optional();
	}

	Optional<StockTransfer> findByKey(String requestKey) {
		return jdbc.sql(SELECT + " WHERE t.request_key = ?").param(requestKey).query(Transfers::map).optional();
	}

	/** Locks the transfer for a decision. */
	Optional<StockTransfer> lock(UUID id) {
		return jdbc.sql(SELECT + " WHERE t.id = ? FOR UPDATE OF t").param(id).query(Transfers::map).optional();
	}

	void decide(UUID id, StockTransfer.Status status, String by, @Nullable String byName, @Nullable String note,
			Instant at) {
		jdbc.sql("""
				UPDATE catalog_transfers SET status = ?, decided_by = ?, decided_by_name = ?, decision_note = ?, decided_at = ?
				 WHERE id = ?""")
			.params(status.name(), by, byName, note, Timestamp.from(at), id)
			.update();
	}

	/** Records where the approval card was posted, so a button pressed on it finds the transfer. */
	void cardPosted(UUID id, ConversationId conversation, long seq) {
		jdbc.sql("UPDATE catalog_transfers SET conversation_id = ?, seq = ? WHERE id = ?")
			.params(conversation.value(), seq, id)
			.update();
	}

	/** Where the transfer's approval card is, once recorded. */
	Optional<UUID> findCard(UUID id) {
		return jdbc.sql("SELECT conversation_id FROM catalog_transfers WHERE id = ? AND conversation_id IS NOT NULL")
			.param(id)
			.query(UUID.class)
			.optional();
	}

	/** The transfer whose approval card is this message, if any. */
	Optional<StockTransfer> findByCard(ConversationId conversation, long seq) {
		return jdbc.sql(SELECT + " WHERE t.conversation_id = ? AND t.seq = ?")
			.params(conversation.value(), seq)
			.query(Transfers::map)
			.optional();
	}

	/** Transfers from or to one of the stores (by path prefix of what the caller may see), newest first. */
	List<StockTransfer> list(List<OrgNodeId> stores, StockTransfer.@Nullable Status status, @Nullable UUID before,
			int limit) {
		String[] ids = stores.stream().map(OrgNodeId::toString).toArray(String[]::new);
		return jdbc.sql(SELECT + " " + """
				 WHERE (t.from_store_id = ANY(CAST(? AS uuid[])) OR t.to_store_id = ANY(CAST(? AS uuid[])))
				   AND (CAST(? AS text) IS NULL OR t.status = CAST(? AS text))
				   AND (CAST(? AS uuid) IS NULL OR t.id < CAST(? AS uuid))
				 ORDER BY t.id DESC LIMIT ?""")
			.params(ids, ids, status == null ? null : status.name(), status == null ? null : status.name(), before, before,
					limit)
			.query(Transfers::map)
			.list();
	}

	private static StockTransfer map(ResultSet rs, int row) throws SQLException {
		return new StockTransfer(rs.getObject("id", UUID.class), new SkuId(rs.getObject("sku_id", UUID.class)),
				rs.getString("sku"), new OrgNodeId(rs.getObject("from_store_id", UUID.class)),
				new OrgNodeId(rs.getObject("to_store_id", UUID.class)), rs.getLong("quantity"),
				StockTransfer.Status.valueOf(rs.getString("status")), rs.getString("note"), rs.getString("requested_by"),
				rs.getString("requested_by_name"), Products.instant(rs, "requested_at"), rs.getString("decided_by"),
				rs.getString("decided_by_name"), Products.instant(rs, "decided_at"), rs.getString("decision_note"));
	}
}
