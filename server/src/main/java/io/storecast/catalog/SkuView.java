package io.storecast.catalog;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * A SKU as other modules see it, with what an order line or a product card needs of its product.
 *
 * @param name the variant's own name ('18K金 16cm'), null when the product has a single SKU
 * @param priceFen the price in fen (分) of {@code currency}
 * @param lowStockThreshold the SKU-wide low-stock threshold, null when none is set
 * @param launchAt the product's launch (null: always on sale); {@code endAt} the end, exclusive
 */
public record SkuView(SkuId id, String externalId, ProductId productId, String productExternalId, String productName,
		@Nullable String name, long priceFen, String currency, @Nullable Integer lowStockThreshold, boolean active,
		@Nullable Instant launchAt, @Nullable Instant endAt) {

	/** The product's name with the variant's, as a person would read it on a receipt. */
	public String displayName() {
		return name == null || name.isBlank() ? productName : productName + " " + name;
	}

	/** Whether the SKU can be sold at {@code at}: active and within its product's launch window. */
	public boolean onSaleAt(Instant at) {
		return active && (launchAt == null || !at.isBefore(launchAt)) && (endAt == null || at.isBefore(endAt));
	}
}
