package io.storecast.catalog;

import java.time.Instant;
import java.util.UUID;

import io.storecast.identity.OrgNodeId;

/** A transfer was approved and its units moved (in the same transaction as this event). */
public record StockTransferApproved(UUID transferId, SkuId skuId, OrgNodeId fromStoreId, OrgNodeId toStoreId,
		long quantity, String approvedBy, Instant at) {
}
