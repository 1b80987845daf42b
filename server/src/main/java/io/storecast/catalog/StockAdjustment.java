package io.storecast.catalog;

import java.time.Instant;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

import io.storecast.identity.OrgNodeId;

/**
 * One audited change of a stock level: every change is one of these, written in the same
 * transaction as the level, so the levels are always the sum of their adjustments.
 *
 * @param actor who: {@code staff:<id>}, {@code api-key:<id>}, {@code import:<job id>} or {@code system}
 * @param actorName their username, the API key's name, or the file name
 */
public record StockAdjustment(UUID id, SkuId skuId, String sku, OrgNodeId storeId, long delta, long onHandAfter,
		AdjustmentReason reason, @Nullable String note, String actor, @Nullable String actorName,
		@Nullable UUID transferId, @Nullable UUID importId, Instant createdAt) {
}
