package io.storecast.orders;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.jspecify.annotations.Nullable;

import io.storecast.identity.CustomerId;

/**
 * Read access to orders for other modules (the assistant answers "where is my order", audience
 * derives purchase history). These calls trust their caller: they check no permission.
 */
public interface Orders {

	Optional<OrderView> find(OrderId id);

	Optional<OrderView> findByExternalId(String externalId);

	/** The customer's orders, most recently placed first, at most {@code limit} (1-200). */
	List<OrderView> ofCustomer(CustomerId customer, int limit);

	/**
	 * The lines of the customer's paid orders that were neither cancelled nor refunded, paid at or
	 * after {@code since} (null: all), most recently paid first. Demo history is included.
	 */
	List<PurchaseFact> purchases(CustomerId customer, @Nullable Instant since);
}
