package io.storecast.catalog;

import java.time.Instant;

import io.storecast.identity.OrgNodeId;

/**
 * A SKU that was out of stock at a store (level 0) is back in stock there, through an adjustment
 * over the API (a receipt, a return, a stocktake) or an approved transfer; published with that
 * change's commit. CSV stock imports and the demo catalog publish none. Campaigns' new-arrival
 * triggers that opt in to restocks announce it to that store's customers.
 *
 * @param level the units on hand after the change (more than 0)
 */
public record ProductRestocked(ProductId productId, SkuId skuId, String sku, OrgNodeId storeId, long level, Instant at) {
}
