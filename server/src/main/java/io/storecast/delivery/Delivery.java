package io.storecast.delivery;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

import io.storecast.identity.CustomerProfile;

/**
 * Hands messages to the channels. Requests are stored (the outbox) in the caller's transaction, or
 * in one of their own, and sent by workers after commit; the caller never waits for a channel.
 * Marketing messages must have passed the contact policy first (audience's ContactPolicy); delivery
 * checks again, at the moment of sending, only what can change meanwhile: consent of the channel,
 * and suppression of the phone number.
 */
public interface Delivery {

	/**
	 * Queues one message; validated first (route, text length per channel, the customer's phone for
	 * SMS), a bad request is a 400 problem and stores nothing.
	 */
	DeliveryId enqueue(DeliveryRequest request);

	/** Queues many in one transaction, in the order given; the ids come back in that order. */
	List<DeliveryId> enqueueAll(List<DeliveryRequest> requests);

	/**
	 * The same, for a caller that has just read the requests' customers in its transaction (a
	 * campaign's chunk): delivery checks the requests against those instead of reading them again.
	 * A customer not among them is read as usual.
	 */
	default List<DeliveryId> enqueueAll(List<DeliveryRequest> requests, Collection<CustomerProfile> customers) {
		return enqueueAll(requests);
	}

	/**
	 * The same, for a caller that vouches that none of the requests' keys was used before in its
	 * source (a campaign's chunk, which inserts its recipients' rows in the same transaction): bulk
	 * in-app messages due now are stored as batches, a row for up to 64 of them, and each message gets
	 * its delivery rows only when it is posted. A key used before is not detected for those; the
	 * message is left out when its batch is sent only if the earlier one has its rows by then.
	 * {@link #find} shows a batch's message as QUEUED, without attempts, until its rows are written
	 * (just after it is posted).
	 */
	default List<DeliveryId> enqueueNew(List<DeliveryRequest> requests, Collection<CustomerProfile> customers) {
		return enqueueAll(requests, customers);
	}

	Optional<DeliveryView> find(DeliveryId id);

	/**
	 * Holds this node's bulk messages ({@link DeliveryRequest#bulk()}) back until {@code until}, for a
	 * producer handing off a large send on this node (a campaign): they go out at a trickle meanwhile
	 * ({@code storecast.delivery.bulk-hold.trickle-per-second}), so the hand-off has the node's cores and
	 * database first. A later call replaces the time, and one in the past releases them at once; a
	 * producer renews it as it goes, so a hold it cannot release (its node stopped) runs out by itself.
	 * Messages that are not bulk are never held. Does nothing when
	 * {@code storecast.delivery.bulk-hold.enabled} is false.
	 */
	default void holdBulk(Instant until) {
	}
}
