package io.storecast.audience;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import io.storecast.identity.CustomerId;

/**
 * Profiles, tags and subscriptions for other modules (campaign triggers, the inbox's customer
 * panel). These calls trust their caller: they check no permission.
 */
public interface AudienceProfiles {

	Optional<AudienceProfile> find(CustomerId customer);

	/** Whether the customer carries the tag (by name, any source). */
	boolean hasTag(CustomerId customer, String tag);

	/** The customers following the topic, after {@code after} (null: from the start) in id order, at most {@code limit}. */
	List<CustomerId> followers(Topic topic, @org.jspecify.annotations.Nullable CustomerId after, int limit);

	/** Engagement reported by a channel (a message read or a link clicked); rule tags are re-evaluated. */
	void recordEngagement(CustomerId customer, EngagementKind kind, Instant at);

	/** What a customer did with a message. */
	enum EngagementKind {
		READ, CLICK
	}
}
