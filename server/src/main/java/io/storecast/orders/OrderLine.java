package io.storecast.orders;

import org.jspecify.annotations.Nullable;

import io.storecast.catalog.ProductId;
import io.storecast.catalog.SkuId;

/**
 * One line of an order, with what the catalog said of its SKU when the order was recorded.
 *
 * @param sku the SKU's external id (the merchant's); {@code skuId} Storecast's id for it
 * @param name the SKU's display name at the time of the order
 * @param category the product's category at the time of the order, null when it had none
 * @param amountFen {@code quantity × unitPriceFen}
 */
public record OrderLine(int lineNo, SkuId skuId, String sku, ProductId productId, String productExternalId, String name,
		@Nullable String category, int quantity, long unitPriceFen, long amountFen) {
}
