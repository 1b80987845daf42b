package io.storecast.catalog;

import java.time.Instant;

import io.storecast.identity.OrgNodeId;

/**
 * A SKU's stock at a store fell below its low-stock threshold: published once per crossing (by the
 * adjustment that crossed), not again until the stock is back at or above the threshold.
 */
public record StockFellBelowThreshold(SkuId skuId, String sku, OrgNodeId storeId, long level, int threshold,
		Instant at) {
}
