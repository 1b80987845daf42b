package io.storecast.identity;

import java.util.Optional;

/** Read access to customers for other modules. */
public interface CustomerDirectory {

	Optional<CustomerProfile> find(CustomerId id);

	Optional<CustomerProfile> findByExternalId(String externalId);

	/** The customers of these ids that exist, in one query (for batches). */
	java.util.Map<CustomerId, CustomerProfile> findAll(java.util.Collection<CustomerId> ids);
}
