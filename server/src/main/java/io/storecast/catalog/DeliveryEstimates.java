package io.storecast.catalog;

import java.time.Instant;
import java.util.Set;

import io.storecast.identity.OrgNodeId;

/** Computes "can it arrive tomorrow?" for other modules (the assistant). No permission checks. */
public interface DeliveryEstimates {

	/** The estimate for one SKU from one store, ordered at {@code at}, with the customisations asked for. */
	DeliveryEstimate estimate(OrgNodeId store, SkuId sku, Instant at, Set<CustomisationKind> customisations);
}
