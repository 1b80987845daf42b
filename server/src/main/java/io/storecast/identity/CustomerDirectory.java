package io.storecast.identity;

import java.util.Optional;

/** Read access to customers for other modules. */
public interface CustomerDirectory {

	Optional<CustomerProfile> find(CustomerId id);

	Optional<CustomerProfile> findByExternalId(String externalId);
}
