package io.storecast.catalog;

import java.time.Instant;
import java.util.UUID;

import io.storecast.identity.OrgNodeId;

/** A manager asked another store for units; the source store's managers are asked to approve. */
public record StockTransferRequested(UUID transferId, SkuId skuId, OrgNodeId fromStoreId, OrgNodeId toStoreId,
		long quantity, String requestedBy, Instant at) {
}
