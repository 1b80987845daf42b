package io.storecast.catalog;

import java.time.Instant;

import io.storecast.identity.OrgNodeId;

/** Stock that had fallen below its threshold is back at or above it; the next fall alerts again. */
public record StockRestored(SkuId skuId, String sku, OrgNodeId storeId, long level, int threshold, Instant at) {
}
