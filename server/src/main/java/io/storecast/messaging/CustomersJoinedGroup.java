package io.storecast.messaging;

import java.time.Instant;
import java.util.List;

import io.storecast.identity.CustomerId;
import io.storecast.identity.OrgNodeId;

/**
 * Customers became members of a group or channel that belongs to an org node (a store's customer
 * group): when it was created with them, or when they were added. Published in the transaction that
 * added them, through the event publication registry, so a listener hears it once committed and
 * again after a crash.
 *
 * @param customers the customers that were not members before
 */
public record CustomersJoinedGroup(ConversationId conversationId, ConversationKind kind, OrgNodeId orgNodeId,
		List<CustomerId> customers, Instant at) {

	public CustomersJoinedGroup {
		customers = List.copyOf(customers);
	}
}
