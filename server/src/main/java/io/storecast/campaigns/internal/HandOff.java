package io.storecast.campaigns.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.BiFunction;

import io.storecast.delivery.Delivery;
import io.storecast.delivery.DeliveryId;
import io.storecast.delivery.DeliveryRequest;
import io.storecast.identity.CustomerProfile;
import io.storecast.platform.ApiException;

/**
 * Queues a chunk's messages in one call to delivery; when delivery refuses the call (one request it
 * cannot carry — an SMS too long once rendered, a customer without a phone for an SMS-only route),
 * each is queued alone so the others go, and the refused ones are reported with delivery's code.
 */
final class HandOff {

	private HandOff() {
	}

	/**
	 * @param queued what request {@code i} became when queued with its delivery
	 * @param refused what it became when delivery refused it (with the problem's code)
	 */
	static <O> List<O> all(Delivery delivery, List<DeliveryRequest> requests, BiFunction<Integer, DeliveryId, O> queued,
			BiFunction<Integer, String, O> refused) {
		return all(delivery, requests, delivery::enqueueAll, queued, refused);
	}

	/**
	 * A campaign's chunk, whose recipients' rows were inserted (or moved on from planned) in the same
	 * transaction, so no key was used before: {@link Delivery#enqueueNew}.
	 *
	 * @param customers the requests' customers, just read by the caller (delivery does not read them again)
	 */
	static <O> List<O> allNew(Delivery delivery, List<DeliveryRequest> requests, Collection<CustomerProfile> customers,
			BiFunction<Integer, DeliveryId, O> queued, BiFunction<Integer, String, O> refused) {
		return all(delivery, requests, r -> delivery.enqueueNew(r, customers), queued, refused);
	}

	private static <O> List<O> all(Delivery delivery, List<DeliveryRequest> requests,
			java.util.function.Function<List<DeliveryRequest>, List<DeliveryId>> enqueueAll,
			BiFunction<Integer, DeliveryId, O> queued, BiFunction<Integer, String, O> refused) {
		List<O> outcomes = new ArrayList<>(requests.size());
		if (requests.isEmpty()) {
			return outcomes;
		}
		List<DeliveryId> ids;
		try {
			ids = enqueueAll.apply(requests);
		}
		catch (ApiException e) {
			ids = null;
		}
		for (int i = 0; i < requests.size(); i++) {
			if (ids != null) {
				outcomes.add(queued.apply(i, ids.get(i)));
				continue;
			}
			try {
				outcomes.add(queued.apply(i, delivery.enqueue(requests.get(i))));
			}
			catch (ApiException e) {
				outcomes.add(refused.apply(i, e.code()));
			}
		}
		return outcomes;
	}
}
