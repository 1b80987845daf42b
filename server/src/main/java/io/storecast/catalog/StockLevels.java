package io.storecast.catalog;

import java.util.List;

import io.storecast.identity.OrgNodeId;

/** Read access to stock for other modules (the assistant's "in stock?", orders' availability). No permission checks. */
public interface StockLevels {

	/** The level at one store; 0 on hand for a SKU the store never had. */
	StockLevel level(SkuId sku, OrgNodeId store);

	/** The levels at every store that has (or had) the SKU. */
	List<StockLevel> levels(SkuId sku);
}
