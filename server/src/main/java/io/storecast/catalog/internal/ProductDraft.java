package io.storecast.catalog.internal;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import io.storecast.catalog.Customisation;
import io.storecast.catalog.TagDimension;

/**
 * A product as the merchant's system describes it, already checked: what an upsert writes.
 *
 * @param skus the SKUs written with it (all of them for a REST upsert; one per CSV row)
 */
record ProductDraft(String externalId, String name, @Nullable String description, @Nullable String category,
		List<String> images, Map<TagDimension, List<String>> tags, @Nullable Instant launchAt, @Nullable Instant endAt,
		boolean active, List<Customisation> customisations, List<SkuDraft> skus) {

	/**
	 * A SKU as written.
	 *
	 * @param row the CSV row it came from (0 for REST)
	 */
	record SkuDraft(String externalId, @Nullable String name, long priceFen, @Nullable Integer lowStockThreshold,
			boolean active, long row) {
	}

	/** The optional product columns: a CSV without one of them leaves that field as it is. */
	enum Field {
		DESCRIPTION, CATEGORY, IMAGES, TAGS, LAUNCH_AT, END_AT, ACTIVE, CUSTOMISATIONS, SKU_NAME, LOW_STOCK_THRESHOLD,
		SKU_ACTIVE
	}

	/** The tags as stored: {@code DIMENSION:value}. */
	List<String> storedTags() {
		return tags.entrySet()
			.stream()
			.flatMap(e -> e.getValue().stream().map(v -> e.getKey().name() + ":" + v))
			.toList();
	}
}
