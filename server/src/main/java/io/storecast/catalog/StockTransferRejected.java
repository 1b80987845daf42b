package io.storecast.catalog;

import java.time.Instant;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

import io.storecast.identity.OrgNodeId;

/**
 * A transfer was turned down: rejected by the source store's side, or cancelled by the side that
 * asked ({@code cancelled}). No stock moved.
 */
public record StockTransferRejected(UUID transferId, SkuId skuId, OrgNodeId fromStoreId, OrgNodeId toStoreId,
		long quantity, String rejectedBy, boolean cancelled, @Nullable String note, Instant at) {
}
