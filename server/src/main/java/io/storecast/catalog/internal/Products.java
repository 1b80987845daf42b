package io.storecast.catalog.internal;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import io.storecast.catalog.Catalog;
import io.storecast.catalog.Customisation;
import io.storecast.catalog.ProductId;
import io.storecast.catalog.ProductQuery;
import io.storecast.catalog.ProductView;
import io.storecast.catalog.SkuId;
import io.storecast.catalog.SkuView;
import io.storecast.catalog.TagDimension;
import io.storecast.platform.Ids;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * Products and SKUs in {@code catalog_products} and {@code catalog_skus}. Writes are multi-row
 * upserts (one statement for a whole batch), so a REST bulk call and a CSV batch cost the same few
 * round trips.
 */
@Repository
class Products implements Catalog {

	/** Separates list items inside one array element of an unnest() batch; refused in any input. */
	static final char SEPARATOR = '\u001f';
	static final int MAX_SEARCH = 1000;

	private static final TypeReference<List<Customisation>> CUSTOMISATIONS = new TypeReference<>() {
	};

	private static final String SKU_COLUMNS = """
			k.id, k.external_id, k.product_id, k.name, k.price_fen, k.currency, k.low_stock_threshold, k.active,
			p.external_id AS product_external_id, p.name AS product_name, p.launch_at, p.end_at""";

	private final JdbcClient jdbc;
	private final JsonMapper json;

	Products(JdbcClient jdbc, JsonMapper json) {
		this.jdbc = jdbc;
		this.json = json;
	}

	// --- queries (the module's public API) ----------------------------------------------------------

	@Override
	public Optional<SkuView> findSku(String externalId) {
		return jdbc.sql("SELECT " + SKU_COLUMNS
				+ " FROM catalog_skus k JOIN catalog_products p ON p.id = k.product_id WHERE k.external_id = ?")
			.param(externalId)
			.query(Products::sku)
			.optional();
	}

	@Override
	public Optional<SkuView> findSku(SkuId id) {
		return jdbc.sql("SELECT " + SKU_COLUMNS
				+ " FROM catalog_skus k JOIN catalog_products p ON p.id = k.product_id WHERE k.id = ?")
			.param(id.value())
			.query(Products::sku)
			.optional();
	}

	@Override
	public Map<String, SkuView> findSkus(Collection<String> externalIds) {
		if (externalIds.isEmpty()) {
			return Map.of();
		}
		return jdbc.sql("SELECT " + SKU_COLUMNS + " FROM catalog_skus k JOIN catalog_products p ON p.id = k.product_id"
				+ " WHERE k.external_id = ANY(CAST(? AS text[]))")
			.param(externalIds.stream().distinct().toArray(String[]::new))
			.query(Products::sku)
			.list()
			.stream()
			.collect(Collectors.toMap(SkuView::externalId, s -> s));
	}

	/** SKU ids by external id, for the hot paths that need no more. */
	Map<String, SkuId> skuIds(Collection<String> externalIds) {
		if (externalIds.isEmpty()) {
			return Map.of();
		}
		Map<String, SkuId> ids = new HashMap<>();
		jdbc.sql("SELECT external_id, id FROM catalog_skus WHERE external_id = ANY(CAST(? AS text[]))")
			.param(externalIds.stream().distinct().toArray(String[]::new))
			.query(rs -> {
				ids.put(rs.getString(1), new SkuId(rs.getObject(2, UUID.class)));
			});
		return ids;
	}

	@Override
	public Optional<ProductView> findProduct(String externalId) {
		return withSkus(jdbc.sql("SELECT * FROM catalog_products WHERE external_id = ?")
			.param(externalId)
			.query(this::product)
			.list()).stream().findFirst();
	}

	@Override
	public Optional<ProductView> findProduct(ProductId id) {
		return withSkus(jdbc.sql("SELECT * FROM catalog_products WHERE id = ?").param(id.value()).query(this::product).list())
			.stream()
			.findFirst();
	}

	@Override
	public List<ProductView> search(ProductQuery query, @Nullable ProductId after, int limit) {
		if (limit < 1 || limit > MAX_SEARCH) {
			throw new IllegalArgumentException("limit must be between 1 and " + MAX_SEARCH);
		}
		StringBuilder sql = new StringBuilder("SELECT p.* FROM catalog_products p WHERE TRUE");
		List<Object> params = new ArrayList<>();
		if (query.category() != null) {
			sql.append(" AND p.category = ?");
			params.add(query.category());
		}
		if (!query.tags().isEmpty()) {
			sql.append(" AND p.tags @> CAST(? AS text[])");
			params.add(query.tags().stream().map(t -> t.dimension().name() + ":" + t.value()).toArray(String[]::new));
		}
		if (query.text() != null) {
			for (String word : query.text().trim().split("\\s+")) {
				if (!word.isEmpty()) {
					sql.append(" AND (p.name ILIKE ? OR p.external_id ILIKE ? OR coalesce(p.description, '') ILIKE ?)");
					String like = "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
					params.add(like);
					params.add(like);
					params.add(like);
				}
			}
		}
		if (query.onSaleAt() != null) {
			Timestamp at = Timestamp.from(query.onSaleAt());
			sql.append(" AND p.active AND (p.launch_at IS NULL OR p.launch_at <= ?) AND (p.end_at IS NULL OR p.end_at > ?)");
			params.add(at);
			params.add(at);
		}
		if (query.minPriceFen() != null || query.maxPriceFen() != null) {
			sql.append(" AND EXISTS (SELECT 1 FROM catalog_skus k WHERE k.product_id = p.id AND k.active"
					+ " AND k.price_fen >= ? AND k.price_fen <= ?)");
			params.add(query.minPriceFen() == null ? 0L : query.minPriceFen());
			params.add(query.maxPriceFen() == null ? Long.MAX_VALUE : query.maxPriceFen());
		}
		if (after != null) {
			sql.append(" AND p.id > ?");
			params.add(after.value());
		}
		sql.append(" ORDER BY p.id LIMIT ?");
		params.add(limit);
		return withSkus(jdbc.sql(sql.toString()).params(params).query(this::product).list());
	}

	/** Fills in the SKUs of products read without them, in one query. */
	private List<ProductView> withSkus(List<ProductView> products) {
		if (products.isEmpty()) {
			return products;
		}
		Map<ProductId, List<SkuView>> skus = new LinkedHashMap<>();
		jdbc.sql("SELECT " + SKU_COLUMNS + " FROM catalog_skus k JOIN catalog_products p ON p.id = k.product_id"
				+ " WHERE k.product_id = ANY(CAST(? AS uuid[])) ORDER BY k.external_id")
			.param(products.stream().map(p -> p.id().toString()).toArray(String[]::new))
			.query(Products::sku)
			.list()
			.forEach(s -> skus.computeIfAbsent(s.productId(), k -> new ArrayList<>()).add(s));
		return products.stream()
			.map(p -> new ProductView(p.id(), p.externalId(), p.name(), p.description(), p.category(), p.images(),
					p.tags(), p.launchAt(), p.endAt(), p.active(), p.customisations(),
					List.copyOf(skus.getOrDefault(p.id(), List.of())), p.createdAt(), p.updatedAt()))
			.toList();
	}

	/** Which of these products are on sale at {@code at} (active, within their launch window). */
	Set<String> onSale(Collection<String> externalIds, Instant at) {
		return Set.copyOf(jdbc.sql("""
				SELECT external_id FROM catalog_products
				 WHERE external_id = ANY(?) AND active AND (launch_at IS NULL OR launch_at <= ?) AND (end_at IS NULL OR end_at > ?)""")
			.params(externalIds.toArray(String[]::new), Timestamp.from(at), Timestamp.from(at))
			.query(String.class)
			.list());
	}

	// --- launches ---------------------------------------------------------------------------------

	/**
	 * Notes for each product the launch time an API upsert scheduled an announcement for (null: none);
	 * answers the products whose scheduled time changed to a time (to schedule, or move, their task).
	 */
	Map<ProductId, Instant> scheduleLaunches(Map<ProductId, @Nullable Instant> launches) {
		if (launches.isEmpty()) {
			return Map.of();
		}
		List<ProductId> ids = List.copyOf(launches.keySet());
		Map<ProductId, Instant> changed = new HashMap<>();
		jdbc.sql("""
				UPDATE catalog_products p SET scheduled_launch_at = i.at
				  FROM unnest(CAST(? AS uuid[]), CAST(? AS timestamptz[])) AS i(id, at)
				 WHERE p.id = i.id AND p.scheduled_launch_at IS DISTINCT FROM i.at
				RETURNING p.id, p.scheduled_launch_at""")
			.params(ids.stream().map(ProductId::toString).toArray(String[]::new),
					ids.stream().map(launches::get).map(at -> at == null ? null : at.toString()).toArray(String[]::new))
			.query(rs -> {
				Timestamp at = rs.getTimestamp(2);
				if (at != null) {
					changed.put(new ProductId(rs.getObject(1, UUID.class)), at.toInstant());
				}
			});
		return changed;
	}

	/** Notes that the products' current launches were announced. */
	void markAnnounced(Collection<ProductId> ids) {
		if (!ids.isEmpty()) {
			jdbc.sql("UPDATE catalog_products SET announced_launch_at = launch_at WHERE id = ANY(CAST(? AS uuid[]))")
				.param(ids.stream().map(ProductId::toString).toArray(String[]::new))
				.update();
		}
	}

	/**
	 * Marks the product's scheduled launch announced if it is due now: active, its launch time still the
	 * one scheduled, reached, not ended, and not announced yet; whether it did (under the row's lock, so
	 * two runs cannot both).
	 */
	boolean claimScheduledLaunch(ProductId id, Instant now) {
		Timestamp at = Timestamp.from(now);
		return jdbc.sql("""
				UPDATE catalog_products SET announced_launch_at = launch_at
				 WHERE id = ? AND active AND launch_at = scheduled_launch_at AND launch_at <= ?
				   AND (end_at IS NULL OR end_at > ?) AND announced_launch_at IS DISTINCT FROM launch_at""")
			.params(id.value(), at, at)
			.update() == 1;
	}

	// --- writes -----------------------------------------------------------------------------------

	/** What an upsert did to one product. */
	record Upserted(ProductId id, boolean created) {
	}

	/**
	 * Inserts or updates products by external id, in one statement; {@code fields} says which
	 * optional fields to write on an update (the others keep their values). The drafts must have
	 * distinct external ids.
	 */
	Map<String, Upserted> upsertProducts(List<ProductDraft> drafts, Set<ProductDraft.Field> fields, Instant now) {
		if (drafts.isEmpty()) {
			return Map.of();
		}
		int n = drafts.size();
		String[] ids = new String[n];
		String[] externalIds = new String[n];
		String[] names = new String[n];
		String[] descriptions = new String[n];
		String[] categories = new String[n];
		String[] images = new String[n];
		String[] tags = new String[n];
		String[] launches = new String[n];
		String[] ends = new String[n];
		Boolean[] active = new Boolean[n];
		String[] customisations = new String[n];
		for (int i = 0; i < n; i++) {
			ProductDraft d = drafts.get(i);
			ids[i] = Ids.newId().toString();
			externalIds[i] = d.externalId();
			names[i] = d.name();
			descriptions[i] = d.description();
			categories[i] = d.category();
			images[i] = String.join(String.valueOf(SEPARATOR), d.images());
			tags[i] = String.join(String.valueOf(SEPARATOR), d.storedTags());
			launches[i] = d.launchAt() == null ? null : d.launchAt().toString();
			ends[i] = d.endAt() == null ? null : d.endAt().toString();
			active[i] = d.active();
			customisations[i] = json.writeValueAsString(d.customisations());
		}
		StringBuilder updates = new StringBuilder("name = excluded.name, updated_at = excluded.updated_at");
		Map<ProductDraft.Field, String> columns = Map.of(ProductDraft.Field.DESCRIPTION, "description",
				ProductDraft.Field.CATEGORY, "category", ProductDraft.Field.IMAGES, "images", ProductDraft.Field.TAGS,
				"tags", ProductDraft.Field.LAUNCH_AT, "launch_at", ProductDraft.Field.END_AT, "end_at",
				ProductDraft.Field.ACTIVE, "active", ProductDraft.Field.CUSTOMISATIONS, "customisations");
		columns.forEach((field, column) -> {
			if (fields.contains(field)) {
				updates.append(", ").append(column).append(" = excluded.").append(column);
			}
		});
		Timestamp at = Timestamp.from(now);
		Map<String, Upserted> result = new HashMap<>();
		jdbc.sql("""
				INSERT INTO catalog_products AS p (id, external_id, name, description, category, images, tags, launch_at,
				                                   end_at, active, customisations, created_at, updated_at)
				SELECT i.id, i.external_id, i.name, i.description, i.category,
				       string_to_array(i.images, E'\\x1f'), string_to_array(i.tags, E'\\x1f'),
				       i.launch_at, i.end_at, i.active, CAST(i.customisations AS jsonb),
				       CAST(? AS timestamptz), CAST(? AS timestamptz)
				  FROM unnest(CAST(? AS uuid[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]),
				              CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS timestamptz[]),
				              CAST(? AS timestamptz[]), CAST(? AS boolean[]), CAST(? AS text[]))
				       AS i(id, external_id, name, description, category, images, tags, launch_at, end_at, active,
				            customisations)
				ON CONFLICT (external_id) DO UPDATE SET %s
				RETURNING p.id, p.external_id, (p.xmax = 0) AS created""".formatted(updates))
			.params(at, at, ids, externalIds, names, descriptions, categories, images, tags, launches, ends, active,
					customisations)
			.query(rs -> {
				result.put(rs.getString("external_id"),
						new Upserted(new ProductId(rs.getObject("id", UUID.class)), rs.getBoolean("created")));
			});
		return result;
	}

	/** One SKU to write, with the product it belongs to. */
	record SkuWrite(ProductId productId, ProductDraft.SkuDraft draft) {
	}

	/**
	 * Inserts or updates SKUs by external id, in one statement; an update may move a SKU to another
	 * product. The external ids must be distinct. Returns the SKUs created (external ids).
	 */
	Set<String> upsertSkus(List<SkuWrite> skus, Set<ProductDraft.Field> fields, @Nullable UUID importId, Instant now) {
		if (skus.isEmpty()) {
			return Set.of();
		}
		int n = skus.size();
		String[] ids = new String[n];
		String[] externalIds = new String[n];
		String[] productIds = new String[n];
		String[] names = new String[n];
		Long[] prices = new Long[n];
		Integer[] thresholds = new Integer[n];
		Boolean[] active = new Boolean[n];
		Long[] rows = new Long[n];
		for (int i = 0; i < n; i++) {
			SkuWrite s = skus.get(i);
			ids[i] = Ids.newId().toString();
			externalIds[i] = s.draft().externalId();
			productIds[i] = s.productId().toString();
			names[i] = s.draft().name();
			prices[i] = s.draft().priceFen();
			thresholds[i] = s.draft().lowStockThreshold();
			active[i] = s.draft().active();
			rows[i] = s.draft().row();
		}
		StringBuilder updates = new StringBuilder("""
				product_id = excluded.product_id, price_fen = excluded.price_fen, updated_at = excluded.updated_at,
				last_import_id = excluded.last_import_id, last_import_row = excluded.last_import_row""");
		if (fields.contains(ProductDraft.Field.SKU_NAME)) {
			updates.append(", name = excluded.name");
		}
		if (fields.contains(ProductDraft.Field.LOW_STOCK_THRESHOLD)) {
			updates.append(", low_stock_threshold = excluded.low_stock_threshold");
		}
		if (fields.contains(ProductDraft.Field.SKU_ACTIVE)) {
			updates.append(", active = excluded.active");
		}
		Timestamp at = Timestamp.from(now);
		Set<String> created = new java.util.HashSet<>();
		jdbc.sql("""
				INSERT INTO catalog_skus AS k (id, external_id, product_id, name, price_fen, low_stock_threshold, active,
				                               last_import_id, last_import_row, created_at, updated_at)
				SELECT i.id, i.external_id, i.product_id, i.name, i.price_fen, i.threshold, i.active, CAST(? AS uuid), i.row_no,
				       CAST(? AS timestamptz), CAST(? AS timestamptz)
				  FROM unnest(CAST(? AS uuid[]), CAST(? AS text[]), CAST(? AS uuid[]), CAST(? AS text[]),
				              CAST(? AS bigint[]), CAST(? AS int[]), CAST(? AS boolean[]), CAST(? AS bigint[]))
				       AS i(id, external_id, product_id, name, price_fen, threshold, active, row_no)
				ON CONFLICT (external_id) DO UPDATE SET %s
				RETURNING k.external_id, (k.xmax = 0) AS created""".formatted(updates))
			.params(importId, at, at, ids, externalIds, productIds, names, prices, thresholds, active, rows)
			.query(rs -> {
				if (rs.getBoolean("created")) {
					created.add(rs.getString("external_id"));
				}
			});
		return created;
	}

	/** Marks the product's SKUs not named in {@code keep} inactive (they keep their stock and history). */
	int deactivateOtherSkus(ProductId product, Collection<String> keep, Instant now) {
		return jdbc.sql("""
				UPDATE catalog_skus SET active = FALSE, updated_at = ?
				 WHERE product_id = ? AND active AND NOT (external_id = ANY(CAST(? AS text[])))""")
			.params(Timestamp.from(now), product.value(), keep.toArray(String[]::new))
			.update();
	}

	/** The SKUs of these external ids already written by the import job, with the file row that wrote each. */
	Map<String, Long> writtenByImport(UUID importId, Collection<String> externalIds) {
		Map<String, Long> rows = new HashMap<>();
		if (externalIds.isEmpty()) {
			return rows;
		}
		jdbc.sql("""
				SELECT external_id, last_import_row FROM catalog_skus
				 WHERE external_id = ANY(CAST(? AS text[])) AND last_import_id = ?""")
			.params(externalIds.toArray(String[]::new), importId)
			.query(rs -> {
				rows.put(rs.getString(1), rs.getLong(2));
			});
		return rows;
	}

	/** Sets a SKU's own low-stock threshold (null clears it). */
	boolean setThreshold(SkuId sku, @Nullable Integer threshold, Instant now) {
		return jdbc.sql("UPDATE catalog_skus SET low_stock_threshold = ?, updated_at = ? WHERE id = ?")
			.params(threshold, Timestamp.from(now), sku.value())
			.update() == 1;
	}

	long count() {
		return jdbc.sql("SELECT count(*) FROM catalog_products").query(Long.class).single();
	}

	// --- mapping ----------------------------------------------------------------------------------

	static SkuView sku(ResultSet rs, int row) throws SQLException {
		Object threshold = rs.getObject("low_stock_threshold");
		return new SkuView(new SkuId(rs.getObject("id", UUID.class)), rs.getString("external_id"),
				new ProductId(rs.getObject("product_id", UUID.class)), rs.getString("product_external_id"),
				rs.getString("product_name"), rs.getString("name"), rs.getLong("price_fen"), rs.getString("currency"),
				threshold == null ? null : ((Number) threshold).intValue(), rs.getBoolean("active"),
				instant(rs, "launch_at"), instant(rs, "end_at"));
	}

	private ProductView product(ResultSet rs, int row) throws SQLException {
		return new ProductView(new ProductId(rs.getObject("id", UUID.class)), rs.getString("external_id"),
				rs.getString("name"), rs.getString("description"), rs.getString("category"),
				List.of((String[]) rs.getArray("images").getArray()), tags((String[]) rs.getArray("tags").getArray()),
				instant(rs, "launch_at"), instant(rs, "end_at"), rs.getBoolean("active"),
				json.readValue(rs.getString("customisations"), CUSTOMISATIONS), List.of(), instant(rs, "created_at"),
				instant(rs, "updated_at"));
	}

	static Map<TagDimension, List<String>> tags(String[] stored) {
		Map<TagDimension, List<String>> tags = new EnumMap<>(TagDimension.class);
		for (String tag : stored) {
			int colon = tag.indexOf(':');
			TagDimension.find(tag.substring(0, Math.max(0, colon)))
				.ifPresent(d -> tags.computeIfAbsent(d, k -> new ArrayList<>()).add(tag.substring(colon + 1)));
		}
		tags.replaceAll((d, values) -> List.copyOf(values));
		return java.util.Collections.unmodifiableMap(tags);
	}

	static @Nullable Instant instant(ResultSet rs, String column) throws SQLException {
		Timestamp ts = rs.getTimestamp(column);
		return ts == null ? null : ts.toInstant();
	}

	static Set<ProductDraft.Field> allFields() {
		return EnumSet.allOf(ProductDraft.Field.class);
	}
}
