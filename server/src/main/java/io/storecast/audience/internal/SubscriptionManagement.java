package io.storecast.audience.internal;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import io.storecast.audience.Channel;
import io.storecast.audience.Purpose;
import io.storecast.audience.Topic;
import io.storecast.identity.Actor;
import io.storecast.identity.CustomerId;
import io.storecast.identity.OrgNodeId;
import io.storecast.identity.Permission;
import io.storecast.platform.ApiException;

/**
 * Following topics: a customer from the widget, a QR link or a store's customer group (their own
 * token), or staff and the merchant's backend for them (consent:write). Following is an opt-in to
 * hear about the topic in the app: it grants in-app marketing consent when the customer has said
 * nothing about it yet, and never overrides a withdrawal (resubscribing is explicit).
 */
@Service
class SubscriptionManagement {

	static final Set<String> CUSTOMER_SOURCES = Set.of("WIDGET", "QR", "GROUP");
	static final Set<String> STAFF_SOURCES = Set.of("WIDGET", "QR", "GROUP", "API", "STAFF");

	/** A followed topic as the API shows it ({@code display}: the store's code instead of its id). */
	record SubscriptionView(String topic, String source, Instant createdAt) {
	}

	private final Subscriptions subscriptions;
	private final Conditions conditions;
	private final ConsentKeeping consents;
	private final ProfileKeeping profiles;
	private final AudienceAccess access;
	private final TransactionTemplate tx;
	private final Clock clock;

	SubscriptionManagement(Subscriptions subscriptions, Conditions conditions, ConsentKeeping consents,
			ProfileKeeping profiles, AudienceAccess access, TransactionTemplate tx, Clock clock) {
		this.subscriptions = subscriptions;
		this.conditions = conditions;
		this.consents = consents;
		this.profiles = profiles;
		this.access = access;
		this.tx = tx;
		this.clock = clock;
	}

	List<SubscriptionView> list(Actor actor, CustomerId customer) {
		if (!(actor instanceof Actor.Customer self && self.id().equals(customer))) {
			access.requireCustomer(actor, Permission.AUDIENCE_READ, customer);
		}
		return subscriptions.of(customer.value()).stream()
			.map(r -> new SubscriptionView(r.topic(), r.source(), r.createdAt()))
			.toList();
	}

	/** True when the customer did not follow the topic before. */
	boolean follow(Actor actor, CustomerId customer, @Nullable String topicText, @Nullable String source) {
		String src = source == null ? (actor instanceof Actor.Customer ? "WIDGET" : "API") : source;
		if (actor instanceof Actor.Customer self) {
			if (!self.id().equals(customer)) {
				throw ApiException.forbidden("forbidden", "A customer may only follow topics for themselves");
			}
			if (!CUSTOMER_SOURCES.contains(src)) {
				throw ApiException.badRequest("invalid-value", "source", "source must be WIDGET, QR or GROUP");
			}
		}
		else {
			access.requireCustomer(actor, Permission.CONSENT_WRITE, customer);
			if (!STAFF_SOURCES.contains(src)) {
				throw ApiException.badRequest("invalid-value", "source", "source must be one of WIDGET, QR, GROUP, API, STAFF");
			}
		}
		return follow(customer, topic(topicText), src, AudienceAccess.who(actor));
	}

	/**
	 * Follows the store for customers who joined one of its customer groups (messaging's
	 * {@code CustomersJoinedGroup}), source {@code GROUP}, with the same consent rule as any follow.
	 */
	void joinedGroupOf(OrgNodeId store, List<CustomerId> customers) {
		Topic topic = new Topic(Topic.Kind.STORE, store.value().toString());
		for (CustomerId customer : customers) {
			follow(customer, topic, "GROUP", "customer:" + customer);
		}
	}

	/** Records the follow and, when the customer has not said anything about in-app marketing yet, their consent. */
	private boolean follow(CustomerId customer, Topic topic, String src, String who) {
		Instant now = clock.instant();
		return Boolean.TRUE.equals(tx.execute(s -> {
			profiles.ensure(customer);
			boolean added = subscriptions.follow(customer.value(), topic.toString(), src, now);
			if (added && !consents.consentOf(customer, Channel.IN_APP, Purpose.MARKETING).explicit()) {
				consents.change(customer, Channel.IN_APP, Purpose.MARKETING, true, src, who, "followed " + topic, now, null);
			}
			return added;
		}));
	}

	boolean unfollow(Actor actor, CustomerId customer, @Nullable String topicText) {
		if (!(actor instanceof Actor.Customer self && self.id().equals(customer))) {
			access.requireCustomer(actor, Permission.CONSENT_WRITE, customer);
		}
		Topic topic = topic(topicText);
		return subscriptions.unfollow(customer.value(), topic.toString());
	}

	private Topic topic(@Nullable String text) {
		Topic parsed;
		try {
			parsed = Topic.parse(text);
		}
		catch (IllegalArgumentException e) {
			throw ApiException.badRequest("invalid-topic", "topic", e.getMessage());
		}
		return conditions.topic(parsed)
			.orElseThrow(() -> ApiException.badRequest("unknown-org-node", "topic", "No store '" + parsed.value() + "'"));
	}
}
