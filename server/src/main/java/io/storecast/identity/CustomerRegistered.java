package io.storecast.identity;

import org.jspecify.annotations.Nullable;

/** A customer appeared for the first time (by API, by token minting, or in demo data). */
public record CustomerRegistered(CustomerId customerId, String externalId, @Nullable OrgNodeId homeStoreId) {
}
