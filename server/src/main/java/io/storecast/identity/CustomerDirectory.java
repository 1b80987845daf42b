package io.storecast.identity;

import java.util.Collection;
import java.util.List;
import java.util.Optional;

import org.jspecify.annotations.Nullable;

/** Read access to customers for other modules. */
public interface CustomerDirectory {

	Optional<CustomerProfile> find(CustomerId id);

	Optional<CustomerProfile> findByExternalId(String externalId);

	/** The customers with these ids that exist, in one query (order not kept). */
	List<CustomerProfile> findAll(Collection<CustomerId> ids);

	/** Ids of the customers whose home store is one of {@code stores}, in id order after {@code after}. */
	List<CustomerId> idsAtStores(Collection<OrgNodeId> stores, @Nullable CustomerId after, int limit);
}
