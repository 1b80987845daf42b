package io.storecast.catalog.internal;

import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

import io.storecast.catalog.Customisation;
import io.storecast.catalog.CustomisationKind;
import io.storecast.catalog.TagDimension;
import io.storecast.platform.ApiException;
import io.storecast.platform.TextFields;

/**
 * Product CSV files: one row per SKU, the product's columns repeated on each of its SKUs' rows (the
 * last row of a product wins). An optional column left out of the file leaves that field as it is;
 * present but blank, it clears it.
 */
@Component
class ProductRows {

	static final Set<String> REQUIRED = ordered("product_id", "name", "sku_id");
	static final Set<String> OPTIONAL = ordered("price_fen", "price", "sku_name", "description", "category", "images",
			"occasion", "recipient", "style", "material", "launch_at", "end_at", "active", "low_stock_threshold",
			"customisations");

	private final Products products;
	private final Clock clock;

	ProductRows(Products products, Clock clock) {
		this.products = products;
		this.clock = clock;
	}

	CSVParser open(Path file, Charset charset) throws IOException {
		CSVParser parser = CsvFiles.open(file, charset, REQUIRED, OPTIONAL);
		Set<String> columns = columns(parser);
		if (!columns.contains("price_fen") && !columns.contains("price")) {
			parser.close();
			throw ApiException.badRequest("missing-columns", "price_fen",
					"The header row lacks a price: add price_fen (in fen) or price (in yuan, e.g. 199.00)");
		}
		if (columns.contains("price_fen") && columns.contains("price")) {
			parser.close();
			throw ApiException.badRequest("invalid-header", "price",
					"Give the price once: price_fen (in fen) or price (in yuan), not both");
		}
		return parser;
	}

	static Set<String> columns(CSVParser parser) {
		Set<String> columns = new HashSet<>();
		parser.getHeaderNames().forEach(n -> columns.add(n.strip().toLowerCase(Locale.ROOT)));
		return columns;
	}

	CatalogImports.Batches batches(ImportJobs.Job job, CSVParser parser, ZoneId zone) {
		Set<String> columns = columns(parser);
		Set<ProductDraft.Field> fields = EnumSet.noneOf(ProductDraft.Field.class);
		Map<String, ProductDraft.Field> optional = Map.of("description", ProductDraft.Field.DESCRIPTION, "category",
				ProductDraft.Field.CATEGORY, "images", ProductDraft.Field.IMAGES, "launch_at", ProductDraft.Field.LAUNCH_AT,
				"end_at", ProductDraft.Field.END_AT, "active", ProductDraft.Field.ACTIVE, "customisations",
				ProductDraft.Field.CUSTOMISATIONS, "sku_name", ProductDraft.Field.SKU_NAME, "low_stock_threshold",
				ProductDraft.Field.LOW_STOCK_THRESHOLD);
		optional.forEach((column, field) -> {
			if (columns.contains(column)) {
				fields.add(field);
			}
		});
		for (TagDimension d : TagDimension.values()) {
			if (columns.contains(d.key())) {
				// the tags are one field: a file with any tag column sets all four dimensions
				fields.add(ProductDraft.Field.TAGS);
			}
		}
		return rows -> write(job, rows, fields, zone);
	}

	/** A valid row: its product (without SKUs) and its SKU. */
	record Row(long row, ProductDraft product, ProductDraft.SkuDraft sku) {
	}

	private CatalogImports.Batches.Outcome write(ImportJobs.Job job, List<CSVRecord> records,
			Set<ProductDraft.Field> fields, ZoneId zone) {
		List<ImportJobs.RowError> errors = new ArrayList<>();
		List<Row> valid = new ArrayList<>();
		Map<String, Long> seen = new HashMap<>();
		for (CSVRecord record : records) {
			Row row = parse(record, zone, errors);
			if (row == null) {
				continue;
			}
			Long earlier = seen.putIfAbsent(row.sku().externalId(), row.row());
			if (earlier != null) {
				errors.add(duplicate(row, earlier));
				continue;
			}
			valid.add(row);
		}
		Map<String, Long> written = products.writtenByImport(job.id(), seen.keySet());
		if (!written.isEmpty()) {
			List<Row> fresh = new ArrayList<>();
			for (Row row : valid) {
				Long earlier = written.get(row.sku().externalId());
				if (earlier != null) {
					errors.add(duplicate(row, earlier));
				}
				else {
					fresh.add(row);
				}
			}
			valid = fresh;
		}
		if (!valid.isEmpty()) {
			Instant now = clock.instant();
			Map<String, ProductDraft> drafts = new LinkedHashMap<>();
			valid.forEach(r -> drafts.put(r.product().externalId(), r.product()));
			Map<String, Products.Upserted> upserted = products.upsertProducts(List.copyOf(drafts.values()), fields, now);
			products.upsertSkus(valid.stream()
				.map(r -> new Products.SkuWrite(upserted.get(r.product().externalId()).id(), r.sku()))
				.toList(), fields, job.id(), now);
		}
		return new CatalogImports.Batches.Outcome(valid.size(), errors);
	}

	private static ImportJobs.RowError duplicate(Row row, long earlier) {
		return new ImportJobs.RowError(row.row(), "sku_id", "duplicate-external-id",
				"SKU '" + row.sku().externalId() + "' is also in row " + earlier + " of this file");
	}

	/** The row as a product and SKU, or null with its errors (every bad cell) added to {@code errors}. */
	static @Nullable Row parse(CSVRecord record, ZoneId zone, List<ImportJobs.RowError> errors) {
		long rowNo = rowNumber(record);
		if (!record.isConsistent()) {
			errors.add(new ImportJobs.RowError(rowNo, "row", "wrong-column-count",
					"The row has " + record.size() + " values; the header has " + record.getParser().getHeaderNames().size()));
			return null;
		}
		Cells cells = new Cells(record, rowNo, errors);
		String productId = cells.get("product_id", v -> CatalogRules.externalId(v, "product_id"));
		String name = cells.get("name", v -> TextFields.required(v, "name", CatalogRules.MAX_NAME));
		String skuId = cells.get("sku_id", v -> CatalogRules.externalId(v, "sku_id"));
		Long price = CsvCells.has(record, "price_fen")
				? cells.get("price_fen", v -> CatalogRules.price(CsvCells.integer(required(v, "price_fen"), "price_fen"), "price_fen"))
				: cells.get("price", v -> CatalogRules.price(CsvCells.yuan(required(v, "price"), "price"), "price"));
		String skuName = cells.get("sku_name", v -> TextFields.optional(v, "sku_name", CatalogRules.MAX_NAME));
		String description = cells.get("description",
				v -> TextFields.optional(v, "description", CatalogRules.MAX_DESCRIPTION));
		String category = cells.get("category", v -> TextFields.optional(v, "category", CatalogRules.MAX_CATEGORY));
		List<String> images = cells.get("images", v -> {
			List<String> urls = new ArrayList<>();
			if (v != null) {
				for (String url : v.split("\\|")) {
					if (!url.isBlank()) {
						urls.add(CatalogRules.imageUrl(url.strip(), "images"));
					}
				}
			}
			if (urls.size() > CatalogRules.MAX_IMAGES) {
				throw ApiException.badRequest("validation-failed", "images", "at most " + CatalogRules.MAX_IMAGES + " images");
			}
			return urls;
		});
		Map<TagDimension, List<String>> tags = new EnumMap<>(TagDimension.class);
		for (TagDimension d : TagDimension.values()) {
			List<String> values = cells.get(d.key(), v -> {
				Set<String> distinct = new LinkedHashSet<>();
				for (String tag : CsvCells.list(v)) {
					distinct.add(CatalogRules.tag(tag, d.key()));
				}
				if (distinct.size() > CatalogRules.MAX_TAGS_PER_DIMENSION) {
					throw ApiException.badRequest("invalid-tag", d.key(),
							"at most " + CatalogRules.MAX_TAGS_PER_DIMENSION + " values");
				}
				return List.copyOf(distinct);
			});
			if (values != null && !values.isEmpty()) {
				tags.put(d, values);
			}
		}
		Instant launchAt = cells.get("launch_at", v -> v == null ? null : CsvCells.time(v, "launch_at", zone));
		Instant endAt = cells.get("end_at", v -> v == null ? null : CsvCells.time(v, "end_at", zone));
		Boolean active = cells.get("active", v -> v == null || CsvCells.bool(v, "active"));
		Integer threshold = cells.get("low_stock_threshold", v -> v == null ? null
				: CatalogRules.threshold(Math.toIntExact(Math.min(Integer.MAX_VALUE,
						Math.max(Integer.MIN_VALUE, CsvCells.integer(v, "low_stock_threshold")))), "low_stock_threshold"));
		List<Customisation> customisations = cells.get("customisations", ProductRows::customisations);
		if (launchAt != null && endAt != null) {
			cells.check("end_at", () -> CatalogRules.window(launchAt, endAt, "end_at"));
		}
		if (cells.failed()) {
			return null;
		}
		ProductDraft product = new ProductDraft(productId, name, description, category,
				images == null ? List.of() : images, tags, launchAt, endAt, active == null || active,
				customisations == null ? List.of() : customisations, List.of());
		return new Row(rowNo, product,
				new ProductDraft.SkuDraft(skuId, skuName, price, threshold, true, rowNo));
	}

	/** {@code ENGRAVING:2:3000|GREETING_CARD:1}: kind (or 刻字 / 礼品包装 / 贺卡), extra days, optional price in fen. */
	static List<Customisation> customisations(@Nullable String cell) {
		List<Customisation> result = new ArrayList<>();
		Set<CustomisationKind> kinds = EnumSet.noneOf(CustomisationKind.class);
		for (String item : CsvCells.list(cell)) {
			String[] parts = item.split("[:：]");
			CustomisationKind kind = switch (parts[0].strip().toUpperCase(Locale.ROOT)) {
				case "ENGRAVING", "刻字" -> CustomisationKind.ENGRAVING;
				case "GIFT_WRAP", "礼品包装", "包装" -> CustomisationKind.GIFT_WRAP;
				case "GREETING_CARD", "贺卡" -> CustomisationKind.GREETING_CARD;
				default -> throw ApiException.badRequest("invalid-value", "customisations", "'" + parts[0]
						+ "' is not a customisation; use ENGRAVING, GIFT_WRAP or GREETING_CARD (刻字, 礼品包装, 贺卡)");
			};
			if (parts.length > 3 || !kinds.add(kind)) {
				throw ApiException.badRequest("invalid-value", "customisations",
						"write kind:extra days[:price in fen], each kind once, e.g. ENGRAVING:2:3000|GREETING_CARD:1");
			}
			long days = parts.length > 1 ? CsvCells.integer(parts[1], "customisations") : 0;
			if (days < 0 || days > 60) {
				throw ApiException.badRequest("invalid-value", "customisations", "extra days must be between 0 and 60");
			}
			long price = parts.length > 2 ? CatalogRules.price(CsvCells.integer(parts[2], "customisations"), "customisations")
					: 0;
			result.add(new Customisation(kind, price, (int) days));
		}
		return result;
	}

	/** The row's number as a spreadsheet shows it: the header is row 1, the first data row 2. */
	static long rowNumber(CSVRecord record) {
		return record.getRecordNumber() + 1;
	}

	private static String required(@Nullable String value, String column) {
		if (value == null) {
			throw ApiException.badRequest("validation-failed", column, column + " is required");
		}
		return value;
	}

	private static Set<String> ordered(String... names) {
		return java.util.Collections.unmodifiableSet(new LinkedHashSet<>(List.of(names)));
	}

	/** Reads a row's cells, collecting one error per bad cell instead of stopping at the first. */
	static final class Cells {

		interface Parse<T> {
			@Nullable T apply(@Nullable String value);
		}

		private final CSVRecord record;
		private final long row;
		private final List<ImportJobs.RowError> errors;
		private boolean failed;

		Cells(CSVRecord record, long row, List<ImportJobs.RowError> errors) {
			this.record = record;
			this.row = row;
			this.errors = errors;
		}

		<T> @Nullable T get(String column, Parse<T> parse) {
			try {
				return parse.apply(CsvCells.text(record, column));
			}
			catch (ApiException e) {
				failed = true;
				errors.add(new ImportJobs.RowError(row, column, e.code(), e.getMessage()));
				return null;
			}
		}

		void check(String column, Runnable check) {
			get(column, v -> {
				check.run();
				return null;
			});
		}

		boolean failed() {
			return failed;
		}
	}
}
