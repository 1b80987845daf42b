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

import io.storecast.catalog.AdjustmentReason;
import io.storecast.catalog.SkuId;
import io.storecast.catalog.StockAdjustment;
import io.storecast.catalog.StockLevel;
import io.storecast.identity.OrgNodeId;

/**
 * Stock levels ({@code catalog_stock}) and their ledger ({@code catalog_stock_adjustments}). A level
 * changes only in a statement that also writes its adjustment, under the row's lock; nothing here
 * ever writes a level read earlier ("blind overwrite"), it adds a delta to what is there.
 */
@Repository
class Stock {

	/** A level after a change, with what the low-stock rule needs. */
	record Changed(long onHand, @Nullable Integer threshold, boolean alerted) {
	}

	/** A locked level (SELECT ... FOR UPDATE), before a change computed from it. */
	record Locked(SkuId sku, OrgNodeId store, long onHand, @Nullable Integer threshold, boolean alerted) {
	}

	private static final String ADJUSTMENT_COLUMNS = """
			a.id, a.sku_id, k.external_id AS sku, a.store_id, a.delta, a.on_hand_after, a.reason, a.note, a.actor,
			a.actor_name, a.transfer_id, a.import_id, a.created_at""";

	private final JdbcClient jdbc;

	Stock(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	/**
	 * Adds {@code a.delta()} to the level and writes the adjustment, in one statement, unless the level
	 * would go below zero or there is no level row yet: then nothing is written and the answer is empty.
	 * A second use of an idempotency key fails with a duplicate key (and writes nothing).
	 */
	Optional<Changed> apply(StockAdjustment a, @Nullable String idempotencyKey) {
		return jdbc.sql("""
				WITH s AS (
				  UPDATE catalog_stock st SET on_hand = st.on_hand + ?, updated_at = ?
				    FROM catalog_skus k
				   WHERE st.sku_id = ? AND st.store_id = ? AND k.id = st.sku_id AND st.on_hand + ? >= 0
				  RETURNING st.on_hand, coalesce(st.threshold, k.low_stock_threshold) AS threshold, st.alerted),
				a AS (
				  INSERT INTO catalog_stock_adjustments (id, sku_id, store_id, delta, on_hand_after, reason, note, actor,
				                                         actor_name, idempotency_key, transfer_id, import_id, created_at)
				  SELECT CAST(? AS uuid), CAST(? AS uuid), CAST(? AS uuid), CAST(? AS bigint), s.on_hand, CAST(? AS text),
				         CAST(? AS text), CAST(? AS text), CAST(? AS text), CAST(? AS text), CAST(? AS uuid),
				         CAST(? AS uuid), CAST(? AS timestamptz)
				    FROM s)
				SELECT on_hand, threshold, alerted FROM s""")
			.params(a.delta(), Timestamp.from(a.createdAt()), a.skuId().value(), a.storeId().value(), a.delta(), a.id(),
					a.skuId().value(), a.storeId().value(), a.delta(), a.reason().name(), a.note(), a.actor(),
					a.actorName(), idempotencyKey, a.transferId(), a.importId(), Timestamp.from(a.createdAt()))
			.query(Stock::changed)
			.optional();
	}

	/** Creates the level row at 0 if the store never had the SKU; true if it was created. */
	boolean ensureRow(SkuId sku, OrgNodeId store, Instant now) {
		return jdbc.sql("""
				INSERT INTO catalog_stock (sku_id, store_id, on_hand, updated_at) VALUES (?, ?, 0, ?)
				ON CONFLICT DO NOTHING""")
			.params(sku.value(), store.value(), Timestamp.from(now))
			.update() == 1;
	}

	/** Locks the level row (creating it at 0 first if needed) for a change computed from its value. */
	Locked lock(SkuId sku, OrgNodeId store, Instant now) {
		ensureRow(sku, store, now);
		return jdbc.sql("""
				SELECT s.sku_id, s.store_id, s.on_hand, coalesce(s.threshold, k.low_stock_threshold) AS threshold, s.alerted
				  FROM catalog_stock s JOIN catalog_skus k ON k.id = s.sku_id
				 WHERE s.sku_id = ? AND s.store_id = ?
				   FOR UPDATE OF s""")
			.params(sku.value(), store.value())
			.query(Stock::locked)
			.single();
	}

	/** Writes the level of a row this transaction holds locked, with its adjustment. */
	void write(Locked locked, StockAdjustment a, @Nullable String idempotencyKey) {
		jdbc.sql("UPDATE catalog_stock SET on_hand = ?, updated_at = ? WHERE sku_id = ? AND store_id = ?")
			.params(a.onHandAfter(), Timestamp.from(a.createdAt()), locked.sku().value(), locked.store().value())
			.update();
		insert(a, idempotencyKey);
	}

	void insert(StockAdjustment a, @Nullable String idempotencyKey) {
		jdbc.sql("""
				INSERT INTO catalog_stock_adjustments (id, sku_id, store_id, delta, on_hand_after, reason, note, actor,
				                                       actor_name, idempotency_key, transfer_id, import_id, created_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")
			.params(a.id(), a.skuId().value(), a.storeId().value(), a.delta(), a.onHandAfter(), a.reason().name(),
					a.note(), a.actor(), a.actorName(), idempotencyKey, a.transferId(), a.importId(),
					Timestamp.from(a.createdAt()))
			.update();
	}

	void setAlerted(SkuId sku, OrgNodeId store, boolean alerted) {
		jdbc.sql("UPDATE catalog_stock SET alerted = ? WHERE sku_id = ? AND store_id = ?")
			.params(alerted, sku.value(), store.value())
			.update();
	}

	Optional<StockAdjustment> findByKey(String idempotencyKey) {
		return jdbc.sql("SELECT " + ADJUSTMENT_COLUMNS
				+ " FROM catalog_stock_adjustments a JOIN catalog_skus k ON k.id = a.sku_id WHERE a.idempotency_key = ?")
			.param(idempotencyKey)
			.query(Stock::adjustment)
			.optional();
	}

	/** The ledger of one SKU at one store, newest first, before the adjustment {@code before}. */
	List<StockAdjustment> history(SkuId sku, OrgNodeId store, @Nullable UUID before, int limit) {
		return jdbc.sql("SELECT " + ADJUSTMENT_COLUMNS + """
				 FROM catalog_stock_adjustments a JOIN catalog_skus k ON k.id = a.sku_id
				WHERE a.sku_id = ? AND a.store_id = ? AND (CAST(? AS uuid) IS NULL OR a.id < CAST(? AS uuid))
				ORDER BY a.id DESC LIMIT ?""")
			.params(sku.value(), store.value(), before, before, limit)
			.query(Stock::adjustment)
			.list();
	}

	/** The sum of all adjustments of a SKU at a store: equal to its level, always. */
	long ledgerSum(SkuId sku, OrgNodeId store) {
		return jdbc.sql("SELECT coalesce(sum(delta), 0) FROM catalog_stock_adjustments WHERE sku_id = ? AND store_id = ?")
			.params(sku.value(), store.value())
			.query(Long.class)
			.single();
	}

	Optional<StockLevel> level(SkuId sku, OrgNodeId store) {
		return jdbc.sql(LEVEL_SELECT + " WHERE s.sku_id = ? AND s.store_id = ?")
			.params(sku.value(), store.value())
			.query(Stock::level)
			.optional();
	}

	List<StockLevel> levels(SkuId sku) {
		return jdbc.sql(LEVEL_SELECT + " WHERE s.sku_id = ? ORDER BY s.store_id").param(sku.value()).query(Stock::level).list();
	}

	/** Levels at a store ordered by SKU id, after {@code after}; only those below their threshold when {@code lowOnly}. */
	List<StockLevel> atStore(OrgNodeId store, @Nullable SkuId after, boolean lowOnly, int limit) {
		return jdbc.sql(LEVEL_SELECT + " " + """
				 WHERE s.store_id = ? AND (CAST(? AS uuid) IS NULL OR s.sku_id > CAST(? AS uuid))
				   AND (NOT ? OR s.on_hand < coalesce(s.threshold, k.low_stock_threshold))
				 ORDER BY s.sku_id LIMIT ?""")
			.params(store.value(), after == null ? null : after.value(), after == null ? null : after.value(), lowOnly,
					limit)
			.query(Stock::level)
			.list();
	}

	/** Sets (or clears) a store's own threshold; re-arms the alert when the level is not below the new threshold. */
	void setStoreThreshold(SkuId sku, OrgNodeId store, @Nullable Integer threshold, Instant now) {
		ensureRow(sku, store, now);
		jdbc.sql("""
				UPDATE catalog_stock s SET threshold = ?,
				       alerted = s.alerted AND s.on_hand < coalesce(CAST(? AS int), k.low_stock_threshold, -1)
				  FROM catalog_skus k
				 WHERE k.id = s.sku_id AND s.sku_id = ? AND s.store_id = ?""")
			.params(threshold, threshold, sku.value(), store.value())
			.update();
	}

	/** After a SKU's own threshold changed: re-arms the alerts of stores without their own that are not below it. */
	void rearmForSkuThreshold(SkuId sku, @Nullable Integer threshold) {
		jdbc.sql("""
				UPDATE catalog_stock SET alerted = FALSE
				 WHERE sku_id = ? AND alerted AND threshold IS NULL AND (CAST(? AS int) IS NULL OR on_hand >= CAST(? AS int))""")
			.params(sku.value(), threshold, threshold)
			.update();
	}

	// --- imports: a batch of levels at a time ---------------------------------------------------------

	/** One level a stock import sets. */
	record Key(SkuId sku, OrgNodeId store) {
	}

	/** A level locked for an import, with what the import needs to compute its change. */
	record ImportLocked(long onHand, @Nullable Integer storeThreshold, @Nullable Integer skuThreshold, boolean alerted,
			@Nullable UUID lastImportId, long lastImportRow) {
	}

	/** A level an import writes. */
	record ImportWrite(Key key, long onHand, @Nullable Integer storeThreshold, boolean alerted, long row) {
	}

	/**
	 * Creates the missing level rows (at 0) and locks all of them, in the order of the keys (which
	 * the caller sorts), so that concurrent imports and transfers cannot deadlock.
	 */
	java.util.Map<Key, ImportLocked> lockForImport(List<Key> keys, Instant now) {
		String[] skus = keys.stream().map(k -> k.sku().toString()).toArray(String[]::new);
		String[] stores = keys.stream().map(k -> k.store().toString()).toArray(String[]::new);
		jdbc.sql("""
				INSERT INTO catalog_stock (sku_id, store_id, on_hand, updated_at)
				SELECT i.sku_id, i.store_id, 0, ? FROM unnest(CAST(? AS uuid[]), CAST(? AS uuid[])) WITH ORDINALITY
				       AS i(sku_id, store_id, n)
				 ORDER BY i.n
				ON CONFLICT DO NOTHING""")
			.params(Timestamp.from(now), skus, stores)
			.update();
		java.util.Map<Key, ImportLocked> locked = new java.util.HashMap<>();
		jdbc.sql("""
				SELECT s.sku_id, s.store_id, s.on_hand, s.threshold, k.low_stock_threshold, s.alerted, s.last_import_id,
				       s.last_import_row
				  FROM unnest(CAST(? AS uuid[]), CAST(? AS uuid[])) WITH ORDINALITY AS i(sku_id, store_id, n)
				  JOIN catalog_stock s ON s.sku_id = i.sku_id AND s.store_id = i.store_id
				  JOIN catalog_skus k ON k.id = s.sku_id
				 ORDER BY i.n
				   FOR UPDATE OF s""")
			.params(skus, stores)
			.query(rs -> {
				locked.put(new Key(new SkuId(rs.getObject("sku_id", UUID.class)), new OrgNodeId(rs.getObject("store_id", UUID.class))),
						new ImportLocked(rs.getLong("on_hand"), integer(rs, "threshold"), integer(rs, "low_stock_threshold"),
								rs.getBoolean("alerted"), rs.getObject("last_import_id", UUID.class), rs.getLong("last_import_row")));
			});
		return locked;
	}

	/** Writes the levels of an import batch (rows it holds locked), marking them as written by the job. */
	void writeImported(List<ImportWrite> writes, UUID importId, Instant now) {
		if (writes.isEmpty()) {
			return;
		}
		jdbc.sql("""
				UPDATE catalog_stock s
				   SET on_hand = i.on_hand, threshold = i.threshold, alerted = i.alerted, last_import_id = ?,
				       last_import_row = i.row_no, updated_at = CASE WHEN s.on_hand <> i.on_hand THEN ? ELSE s.updated_at END
				  FROM unnest(CAST(? AS uuid[]), CAST(? AS uuid[]), CAST(? AS bigint[]), CAST(? AS int[]), CAST(? AS boolean[]),
				              CAST(? AS bigint[])) AS i(sku_id, store_id, on_hand, threshold, alerted, row_no)
				 WHERE s.sku_id = i.sku_id AND s.store_id = i.store_id""")
			.params(importId, Timestamp.from(now), writes.stream().map(w -> w.key().sku().toString()).toArray(String[]::new),
					writes.stream().map(w -> w.key().store().toString()).toArray(String[]::new),
					writes.stream().map(ImportWrite::onHand).toArray(Long[]::new),
					writes.stream().map(ImportWrite::storeThreshold).toArray(Integer[]::new),
					writes.stream().map(ImportWrite::alerted).toArray(Boolean[]::new),
					writes.stream().map(ImportWrite::row).toArray(Long[]::new))
			.update();
	}

	/** Creates levels that do not exist yet, in one statement (demo data); their adjustments are the caller's. */
	void insertLevels(List<ImportWrite> levels, Instant now) {
		jdbc.sql("""
				INSERT INTO catalog_stock (sku_id, store_id, on_hand, threshold, alerted, updated_at)
				SELECT i.sku_id, i.store_id, i.on_hand, i.threshold, i.alerted, ?
				  FROM unnest(CAST(? AS uuid[]), CAST(? AS uuid[]), CAST(? AS bigint[]), CAST(? AS int[]), CAST(? AS boolean[]))
				       AS i(sku_id, store_id, on_hand, threshold, alerted)
				ON CONFLICT DO NOTHING""")
			.params(Timestamp.from(now), levels.stream().map(w -> w.key().sku().toString()).toArray(String[]::new),
					levels.stream().map(w -> w.key().store().toString()).toArray(String[]::new),
					levels.stream().map(ImportWrite::onHand).toArray(Long[]::new),
					levels.stream().map(ImportWrite::storeThreshold).toArray(Integer[]::new),
					levels.stream().map(ImportWrite::alerted).toArray(Boolean[]::new))
			.update();
	}

	/** Inserts many adjustments in one statement (imports, demo data). */
	void insertAll(List<StockAdjustment> adjustments) {
		if (adjustments.isEmpty()) {
			return;
		}
		jdbc.sql("""
				INSERT INTO catalog_stock_adjustments (id, sku_id, store_id, delta, on_hand_after, reason, note, actor,
				                                       actor_name, import_id, created_at)
				SELECT * FROM unnest(CAST(? AS uuid[]), CAST(? AS uuid[]), CAST(? AS uuid[]), CAST(? AS bigint[]),
				                     CAST(? AS bigint[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]),
				                     CAST(? AS text[]), CAST(? AS uuid[]), CAST(? AS timestamptz[]))""")
			.params(adjustments.stream().map(a -> a.id().toString()).toArray(String[]::new),
					adjustments.stream().map(a -> a.skuId().toString()).toArray(String[]::new),
					adjustments.stream().map(a -> a.storeId().toString()).toArray(String[]::new),
					adjustments.stream().map(StockAdjustment::delta).toArray(Long[]::new),
					adjustments.stream().map(StockAdjustment::onHandAfter).toArray(Long[]::new),
					adjustments.stream().map(a -> a.reason().name()).toArray(String[]::new),
					adjustments.stream().map(StockAdjustment::note).toArray(String[]::new),
					adjustments.stream().map(StockAdjustment::actor).toArray(String[]::new),
					adjustments.stream().map(StockAdjustment::actorName).toArray(String[]::new),
					adjustments.stream().map(a -> a.importId() == null ? null : a.importId().toString()).toArray(String[]::new),
					adjustments.stream().map(a -> a.createdAt().toString()).toArray(String[]::new))
			.update();
	}

	private static final String LEVEL_SELECT = """
			SELECT s.sku_id, k.external_id AS sku, s.store_id, s.on_hand,
			       coalesce(s.threshold, k.low_stock_threshold) AS threshold, s.updated_at
			  FROM catalog_stock s JOIN catalog_skus k ON k.id = s.sku_id""";

	static StockLevel level(ResultSet rs, int row) throws SQLException {
		Integer threshold = integer(rs, "threshold");
		long onHand = rs.getLong("on_hand");
		return new StockLevel(new SkuId(rs.getObject("sku_id", UUID.class)), rs.getString("sku"),
				new OrgNodeId(rs.getObject("store_id", UUID.class)), onHand, threshold,
				threshold != null && onHand < threshold, Products.instant(rs, "updated_at"));
	}

	static StockAdjustment adjustment(ResultSet rs, int row) throws SQLException {
		return new StockAdjustment(rs.getObject("id", UUID.class), new SkuId(rs.getObject("sku_id", UUID.class)),
				rs.getString("sku"), new OrgNodeId(rs.getObject("store_id", UUID.class)), rs.getLong("delta"),
				rs.getLong("on_hand_after"), AdjustmentReason.valueOf(rs.getString("reason")), rs.getString("note"),
				rs.getString("actor"), rs.getString("actor_name"), rs.getObject("transfer_id", UUID.class),
				rs.getObject("import_id", UUID.class), Products.instant(rs, "created_at"));
	}

	private static Changed changed(ResultSet rs, int row) throws SQLException {
		return new Changed(rs.getLong("on_hand"), integer(rs, "threshold"), rs.getBoolean("alerted"));
	}

	private static Locked locked(ResultSet rs, int row) throws SQLException {
		return new Locked(new SkuId(rs.getObject("sku_id", UUID.class)), new OrgNodeId(rs.getObject("store_id", UUID.class)),
				rs.getLong("on_hand"), integer(rs, "threshold"), rs.getBoolean("alerted"));
	}

	static @Nullable Integer integer(ResultSet rs, String column) throws SQLException {
		int value = rs.getInt(column);
		return rs.wasNull() ? null : value;
	}
}
