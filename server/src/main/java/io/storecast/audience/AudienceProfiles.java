package io.storecast.audience;

import java.time.Instant;
import java.time.LocalDate;
import java.time.MonthDay;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

import io.storecast.identity.CustomerId;
import io.storecast.identity.OrgNodeId;

/**
 * Profiles, tags and subscriptions for other modules (campaign triggers, the inbox's customer
 * panel). These calls trust their caller: they check no permission.
 */
public interface AudienceProfiles {

	Optional<AudienceProfile> find(CustomerId customer);

	/** Whether a tag of this name exists (compared case-insensitively). */
	boolean tagExists(String name);

	/** Whether the customer carries the tag (by name, any source). */
	boolean hasTag(CustomerId customer, String tag);

	/** The customers following the topic, after {@code after} (null: from the start) in id order, at most {@code limit}. */
	List<CustomerId> followers(Topic topic, @org.jspecify.annotations.Nullable CustomerId after, int limit);

	/**
	 * The customers who follow any of the topics or carry any of the tags (by name, any source,
	 * case-insensitively) and whose home store is one of {@code stores}, in id order after
	 * {@code after} (null: from the start), at most {@code limit} (1-10,000). One query: a new-arrival
	 * trigger's audience.
	 */
	List<CustomerId> interested(Collection<Topic> topics, Collection<String> tags, Collection<OrgNodeId> stores,
			@org.jspecify.annotations.Nullable CustomerId after, int limit);

	/**
	 * The customers born on one of these days of the year whose home store is one of {@code stores},
	 * in id order after {@code after}, at most {@code limit} (1-10,000): the birthday triggers' audience.
	 */
	List<Birthday> bornOn(Collection<MonthDay> days, Collection<OrgNodeId> stores,
			@org.jspecify.annotations.Nullable CustomerId after, int limit);

	/** A customer's birthday, with what says when their day is: their own time zone (if known) and home store. */
	record Birthday(CustomerId customerId, LocalDate birthday, @org.jspecify.annotations.Nullable String timeZone,
			@org.jspecify.annotations.Nullable OrgNodeId homeStoreId) {
	}

	/** Engagement reported by a channel (a message read or a link clicked); rule tags are re-evaluated. */
	void recordEngagement(CustomerId customer, EngagementKind kind, Instant at);

	/** What a customer did with a message. */
	enum EngagementKind {
		READ, CLICK
	}
}
