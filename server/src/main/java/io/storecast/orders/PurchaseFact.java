package io.storecast.orders;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

import io.storecast.catalog.ProductId;
import io.storecast.catalog.SkuId;
import io.storecast.identity.OrgNodeId;

/**
 * One line a customer paid for and kept (its order neither cancelled nor refunded): what audience
 * rules ("bought earrings twice") and recommendations are computed from.
 */
public record PurchaseFact(OrderId orderId, String orderExternalId, OrgNodeId storeId, SkuId skuId, String sku,
		ProductId productId, String productExternalId, String name, @Nullable String category, int quantity,
		long amountFen, Instant paidAt) {
}
