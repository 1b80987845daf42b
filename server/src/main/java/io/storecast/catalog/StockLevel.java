package io.storecast.catalog;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

import io.storecast.identity.OrgNodeId;

/**
 * Units of a SKU on hand at a store.
 *
 * @param threshold the low-stock threshold in force there (the store's own, else the SKU's; null: none)
 * @param low whether {@code onHand} is below that threshold
 * @param updatedAt when the level last changed; null for a SKU the store never had
 */
public record StockLevel(SkuId skuId, String sku, OrgNodeId storeId, long onHand, @Nullable Integer threshold,
		boolean low, @Nullable Instant updatedAt) {
}
