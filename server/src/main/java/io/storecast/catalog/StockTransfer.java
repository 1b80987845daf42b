package io.storecast.catalog;

import java.time.Instant;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

import io.storecast.identity.OrgNodeId;

/**
 * A request to move units of a SKU from one store to another. The source store's side approves or
 * rejects it; approval moves the stock in one transaction (TRANSFER_OUT and TRANSFER_IN adjustments).
 */
public record StockTransfer(UUID id, SkuId skuId, String sku, OrgNodeId fromStoreId, OrgNodeId toStoreId,
		long quantity, Status status, @Nullable String note, String requestedBy, @Nullable String requestedByName,
		Instant requestedAt, @Nullable String decidedBy, @Nullable String decidedByName, @Nullable Instant decidedAt,
		@Nullable String decisionNote) {

	public enum Status {
		REQUESTED, APPROVED, REJECTED, CANCELLED
	}
}
