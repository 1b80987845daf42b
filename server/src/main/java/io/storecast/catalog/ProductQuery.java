package io.storecast.catalog;

import java.time.Instant;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * What to look for in the catalog; every criterion given must hold (tags: all of them).
 *
 * @param text words found in the name, description or external id (case-insensitive)
 * @param onSaleAt only products on sale at that time
 * @param minPriceFen products with a SKU priced at least this; {@code maxPriceFen} at most this
 */
public record ProductQuery(@Nullable String category, List<Tag> tags, @Nullable String text,
		@Nullable Instant onSaleAt, @Nullable Long minPriceFen, @Nullable Long maxPriceFen) {

	public ProductQuery {
		tags = List.copyOf(tags);
	}

	public static ProductQuery all() {
		return new ProductQuery(null, List.of(), null, null, null, null);
	}

	/** One tag: a dimension and a value, written {@code occasion:中秋}. */
	public record Tag(TagDimension dimension, String value) {

		@Override
		public String toString() {
			return dimension.key() + ":" + value;
		}
	}
}
