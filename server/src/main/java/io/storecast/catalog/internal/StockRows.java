package io.storecast.catalog.internal;

import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.jspecify.annotations.Nullable;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Component;

import io.storecast.catalog.AdjustmentReason;
import io.storecast.catalog.SkuId;
import io.storecast.catalog.StockAdjustment;
import io.storecast.catalog.StockFellBelowThreshold;
import io.storecast.catalog.StockRestored;
import io.storecast.identity.AccessPolicy;
import io.storecast.identity.Actor;
import io.storecast.identity.OrgNode;
import io.storecast.identity.OrgNodeId;
import io.storecast.platform.ApiException;
import io.storecast.platform.Ids;
import io.storecast.platform.TextFields;

/**
 * Stock CSV files: {@code store} (its code, e.g. SH-NJR, or its id), {@code sku_id} and
 * {@code quantity} (the level to set), optionally {@code low_stock_threshold} (the store's own;
 * blank clears it) and {@code note}. Each changed level is recorded as the COUNT adjustment it
 * implies, by the person who uploaded the file; an unchanged one records nothing, so a re-run
 * changes nothing. A level that falls below its threshold alerts as any other change would.
 */
@Component
class StockRows {

	static final Set<String> REQUIRED = new LinkedHashSet<>(List.of("store", "sku_id", "quantity"));
	static final Set<String> OPTIONAL = new LinkedHashSet<>(List.of("low_stock_threshold", "note"));

	private final Stock stock;
	private final Products products;
	private final Stores stores;
	private final AccessPolicy access;
	private final ApplicationEventPublisher events;
	private final Clock clock;

	StockRows(Stock stock, Products products, Stores stores, AccessPolicy access, ApplicationEventPublisher events,
			Clock clock) {
		this.stock = stock;
		this.products = products;
		this.stores = stores;
		this.access = access;
		this.events = events;
		this.clock = clock;
	}

	CSVParser open(Path file, Charset charset) throws IOException {
		return CsvFiles.open(file, charset, REQUIRED, OPTIONAL);
	}

	CatalogImports.Batches batches(ImportJobs.Job job, Actor actor, CSVParser parser) {
		Map<String, OrgNode> byName = new HashMap<>();
		Set<OrgNodeId> reachable = new java.util.HashSet<>();
		for (OrgNode store : stores.all()) {
			byName.put(store.code().toLowerCase(Locale.ROOT), store);
			byName.put(store.id().toString(), store);
			// asked once per store and job, not once per row: each answer is a look-up in the org tree
			if (access.reaches(actor, store.id())) {
				reachable.add(store.id());
			}
		}
		boolean thresholds = ProductRows.columns(parser).contains("low_stock_threshold");
		String note = "CSV import" + (job.fileName() == null ? "" : " " + job.fileName());
		return rows -> write(job, actor, rows, byName, reachable, thresholds, note);
	}

	/** A valid row before its SKU is resolved. */
	record Row(long row, OrgNodeId store, String sku, long quantity, @Nullable Integer threshold,
			@Nullable String note) {
	}

	private CatalogImports.Batches.Outcome write(ImportJobs.Job job, Actor actor, List<CSVRecord> records,
			Map<String, OrgNode> stores, Set<OrgNodeId> reachable, boolean thresholds, String defaultNote) {
		List<ImportJobs.RowError> errors = new ArrayList<>();
		List<Row> rows = new ArrayList<>();
		for (CSVRecord record : records) {
			Row row = parse(record, stores, reachable, errors);
			if (row != null) {
				rows.add(row);
			}
		}
		Map<String, SkuId> skus = products.skuIds(rows.stream().map(Row::sku).toList());
		Map<Stock.Key, Row> valid = new HashMap<>();
		for (Row row : rows) {
			SkuId sku = skus.get(row.sku());
			if (sku == null) {
				errors.add(new ImportJobs.RowError(row.row(), "sku_id", "unknown-sku", "No SKU with external id '" + row.sku() + "'"));
				continue;
			}
			Row earlier = valid.putIfAbsent(new Stock.Key(sku, row.store()), row);
			if (earlier != null) {
				errors.add(duplicate(row, earlier.row()));
			}
		}
		if (valid.isEmpty()) {
			return new CatalogImports.Batches.Outcome(0, errors);
		}
		Instant now = clock.instant();
		List<Stock.Key> keys = valid.keySet()
			.stream()
			.sorted(Comparator.comparing((Stock.Key k) -> k.sku().value()).thenComparing(k -> k.store().value()))
			.toList();
		Map<Stock.Key, Stock.ImportLocked> locked = stock.lockForImport(keys, now);
		List<Stock.ImportWrite> writes = new ArrayList<>();
		List<StockAdjustment> adjustments = new ArrayList<>();
		List<Object> published = new ArrayList<>();
		long ok = 0;
		for (Stock.Key key : keys) {
			Row row = valid.get(key);
			Stock.ImportLocked current = locked.get(key);
			if (job.id().equals(current.lastImportId())) {
				errors.add(duplicate(row, current.lastImportRow()));
				continue;
			}
			Integer storeThreshold = thresholds ? row.threshold() : current.storeThreshold();
			Integer threshold = storeThreshold != null ? storeThreshold : current.skuThreshold();
			long delta = row.quantity() - current.onHand();
			boolean alerted = threshold != null && current.alerted() && row.quantity() < threshold;
			switch (LowStock.evaluate(delta, row.quantity(), threshold, current.alerted())) {
				case ALERT -> {
					alerted = true;
					published.add(new StockFellBelowThreshold(key.sku(), row.sku(), key.store(), row.quantity(), threshold, now));
				}
				case RESTORE -> published.add(new StockRestored(key.sku(), row.sku(), key.store(), row.quantity(), threshold, now));
				case NONE -> {
				}
			}
			writes.add(new Stock.ImportWrite(key, row.quantity(), storeThreshold, alerted, row.row()));
			if (delta != 0) {
				adjustments.add(new StockAdjustment(Ids.newId(), key.sku(), row.sku(), key.store(), delta, row.quantity(),
						AdjustmentReason.COUNT, row.note() == null ? defaultNote : row.note(), StockKeeping.who(actor),
						StockKeeping.nameOf(actor), null, job.id(), now));
			}
			ok++;
		}
		stock.writeImported(writes, job.id(), now);
		stock.insertAll(adjustments);
		published.forEach(events::publishEvent);
		return new CatalogImports.Batches.Outcome(ok, errors);
	}

	private static ImportJobs.RowError duplicate(Row row, long earlier) {
		return new ImportJobs.RowError(row.row(), "sku_id", "duplicate-row",
				"SKU '" + row.sku() + "' at this store is also in row " + earlier + " of this file");
	}

	private @Nullable Row parse(CSVRecord record, Map<String, OrgNode> stores, Set<OrgNodeId> reachable,
			List<ImportJobs.RowError> errors) {
		long rowNo = ProductRows.rowNumber(record);
		if (!record.isConsistent()) {
			errors.add(new ImportJobs.RowError(rowNo, "row", "wrong-column-count",
					"The row has " + record.size() + " values; the header has " + record.getParser().getHeaderNames().size()));
			return null;
		}
		ProductRows.Cells cells = new ProductRows.Cells(record, rowNo, errors);
		OrgNode store = cells.get("store", v -> {
			if (v == null) {
				throw ApiException.badRequest("unknown-store", "store", "store is required (its code, e.g. SH-NJR, or its id)");
			}
			OrgNode found = stores.get(v.toLowerCase(Locale.ROOT));
			if (found == null) {
				throw ApiException.badRequest("unknown-store", "store", "No store '" + v + "'");
			}
			if (!reachable.contains(found.id())) {
				throw ApiException.badRequest("forbidden", "store", "Store " + v + " is outside your part of the organisation");
			}
			return found;
		});
		String sku = cells.get("sku_id", v -> CatalogRules.externalId(v, "sku_id"));
		Long quantity = cells.get("quantity", v -> {
			if (v == null) {
				throw ApiException.badRequest("validation-failed", "quantity", "quantity is required");
			}
			return CatalogRules.quantity(CsvCells.integer(v, "quantity"), "quantity");
		});
		Integer threshold = cells.get("low_stock_threshold", v -> v == null ? null
				: CatalogRules.threshold((int) Math.max(-1, Math.min(Integer.MAX_VALUE, CsvCells.integer(v, "low_stock_threshold"))),
						"low_stock_threshold"));
		String note = cells.get("note", v -> TextFields.optional(v, "note", 500));
		if (cells.failed()) {
			return null;
		}
		return new Row(rowNo, store.id(), sku, quantity, threshold, note);
	}
}
