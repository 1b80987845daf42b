package io.storecast.audience.internal;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import io.storecast.audience.AudienceProfile;
import io.storecast.audience.AudienceProfiles;
import io.storecast.audience.Lifecycle;
import io.storecast.audience.Topic;
import io.storecast.identity.CustomerDirectory;
import io.storecast.identity.CustomerId;
import io.storecast.identity.CustomerProfile;
import io.storecast.identity.OrgNodeId;
import io.storecast.orders.OrderPaid;
import io.storecast.orders.OrderStatus;
import io.storecast.orders.Orders;

/**
 * Profiles: created from identity's customers, fed by order and engagement events, rebuilt from the
 * orders module's purchase history when needed (the demo's history is imported without events).
 */
@Service
class ProfileKeeping implements AudienceProfiles {

	private static final Logger log = LoggerFactory.getLogger(ProfileKeeping.class);
	static final int REBUILD_PAGE = 500;

	/** What a rebuild did. */
	record Rebuilt(long customers, long purchaseLines, long withPurchases) {
	}

	private final Profiles profiles;
	private final Purchases purchases;
	private final Tags tags;
	private final Subscriptions subscriptions;
	private final RuleEvaluation rules;
	private final CustomerDirectory customers;
	private final Orders orders;
	private final AudienceSettings settings;
	private final TransactionTemplate tx;
	private final Clock clock;

	ProfileKeeping(Profiles profiles, Purchases purchases, Tags tags, Subscriptions subscriptions, RuleEvaluation rules,
			CustomerDirectory customers, Orders orders, AudienceSettings settings, TransactionTemplate tx, Clock clock) {
		this.profiles = profiles;
		this.purchases = purchases;
		this.tags = tags;
		this.subscriptions = subscriptions;
		this.rules = rules;
		this.customers = customers;
		this.orders = orders;
		this.settings = settings;
		this.tx = tx;
		this.clock = clock;
	}

	/** The customer's profile row, created from identity's record if it is missing; empty for an unknown customer. */
	Optional<Profiles.Row> ensure(CustomerId customer) {
		Optional<Profiles.Row> row = profiles.find(customer.value());
		if (row.isPresent()) {
			return row;
		}
		Optional<CustomerProfile> known = customers.find(customer);
		known.ifPresent(c -> profiles.upsertIdentity(c, clock.instant()));
		return known.flatMap(c -> profiles.find(customer.value()));
	}

	/** Copies identity's current fields into the profile and re-evaluates the rules (in the caller's transaction). */
	void refreshIdentity(CustomerId customer) {
		customers.find(customer).ifPresent(c -> {
			profiles.upsertIdentity(c, clock.instant());
			rules.evaluate(customer.value());
		});
	}

	/** A paid order's lines join the history (unless it was cancelled before the payment was reported). */
	void paid(OrderPaid event) {
		if (event.status() == OrderStatus.CANCELLED || event.status() == OrderStatus.REFUNDED) {
			return;
		}
		if (ensure(event.customerId()).isEmpty()) {
			log.warn("Order {} names customer {}, unknown to identity: not in any profile", event.externalId(),
					event.customerId());
			return;
		}
		if (purchases.add(event) > 0) {
			factsChanged(event.customerId().value());
		}
	}

	/** A cancelled or refunded order leaves the history (in the caller's transaction). */
	void takenBack(UUID orderId) {
		purchases.customerOf(orderId).ifPresent(customer -> {
			purchases.remove(orderId);
			factsChanged(customer);
		});
	}

	/** Recomputes the customer's facts and their rule tags (in the caller's transaction). */
	void factsChanged(UUID customer) {
		profiles.recomputeFacts(customer, clock.instant());
		rules.evaluate(customer);
	}

	@Override
	public Optional<AudienceProfile> find(CustomerId customer) {
		return profiles.find(customer.value()).map(this::view);
	}

	AudienceProfile view(Profiles.Row r) {
		return new AudienceProfile(new CustomerId(r.customerId()), r.homeStoreId() == null ? null : new OrgNodeId(r.homeStoreId()),
				r.memberLevel(), r.birthday(), r.timeZone(), r.registeredAt(), r.firstPurchaseAt(), r.lastPurchaseAt(),
				r.orderCount(), r.totalSpendFen(), r.favouriteCategories(), lifecycle(r, clock.instant()), r.lastReadAt(),
				r.lastClickAt(), tags.namesOf(r.customerId()),
				subscriptions.of(r.customerId()).stream().map(s -> Topic.parse(s.topic())).toList());
	}

	/** The same rule as the SQL of {@link SqlCompiler}'s lifecycle test. */
	Lifecycle lifecycle(Profiles.Row r, Instant now) {
		if (r.firstPurchaseAt() == null || !r.firstPurchaseAt().isBefore(now.minus(settings.newWithin()))) {
			return Lifecycle.NEW;
		}
		return r.lastPurchaseAt() != null && !r.lastPurchaseAt().isBefore(now.minus(settings.dormantAfter()))
				? Lifecycle.ACTIVE : Lifecycle.DORMANT;
	}

	@Override
	public boolean tagExists(String name) {
		return tags.findByName(name).isPresent();
	}

	@Override
	public boolean hasTag(CustomerId customer, String tag) {
		return tags.carries(customer.value(), tag);
	}

	@Override
	public List<CustomerId> followers(Topic topic, @Nullable CustomerId after, int limit) {
		return subscriptions.followers(topic.toString(), after == null ? null : after.value(), Math.min(Math.max(limit, 1), 10_000))
			.stream()
			.map(CustomerId::new)
			.toList();
	}

	@Override
	public List<CustomerId> interested(java.util.Collection<Topic> topics, java.util.Collection<String> tagNames,
			java.util.Collection<OrgNodeId> stores, @Nullable CustomerId after, int limit) {
		if ((topics.isEmpty() && tagNames.isEmpty()) || stores.isEmpty()) {
			return List.of();
		}
		return subscriptions.interested(topics.stream().map(Topic::toString).toList(), List.copyOf(tagNames),
				stores.stream().map(OrgNodeId::value).toList(), after == null ? null : after.value(),
				Math.min(Math.max(limit, 1), 10_000))
			.stream()
			.map(CustomerId::new)
			.toList();
	}

	@Override
	public List<Birthday> bornOn(java.util.Collection<java.time.MonthDay> days, java.util.Collection<OrgNodeId> stores,
			@Nullable CustomerId after, int limit) {
		if (days.isEmpty() || stores.isEmpty()) {
			return List.of();
		}
		return profiles.bornOn(days.stream().mapToInt(d -> d.getMonthValue() * 100 + d.getDayOfMonth()).toArray(),
				stores.stream().map(OrgNodeId::value).toArray(UUID[]::new), after == null ? null : after.value(),
				Math.min(Math.max(limit, 1), 10_000))
			.stream()
			.map(r -> new Birthday(new CustomerId(r.customerId()), java.util.Objects.requireNonNull(r.birthday()),
					r.timeZone(), r.homeStoreId() == null ? null : new OrgNodeId(r.homeStoreId())))
			.toList();
	}

	@Override
	public void recordEngagement(CustomerId customer, EngagementKind kind, Instant at) {
		tx.executeWithoutResult(s -> {
			if (ensure(customer).isPresent()) {
				profiles.engaged(customer.value(), kind == EngagementKind.CLICK, at);
				rules.evaluate(customer.value());
			}
		});
	}

	/**
	 * Re-reads every profiled customer's purchase history through {@link Orders#purchases} (a page of
	 * customers per transaction), recomputes their facts, then reconciles every rule tag.
	 */
	Rebuilt rebuild(List<CustomerId> alsoThese) {
		Instant started = clock.instant();
		tx.executeWithoutResult(s -> alsoThese.forEach(this::ensure));
		long customersSeen = 0;
		long lines = 0;
		UUID after = null;
		while (true) {
			List<UUID> page = profiles.ids(after, REBUILD_PAGE);
			if (page.isEmpty()) {
				break;
			}
			Long written = tx.execute(s -> {
				long n = 0;
				for (UUID id : page) {
					var facts = orders.purchases(new CustomerId(id), null);
					purchases.replace(new CustomerId(id), facts);
					n += facts.size();
				}
				return n;
			});
			lines += written == null ? 0 : written;
			customersSeen += page.size();
			after = page.getLast();
		}
		Integer withPurchases = tx.execute(s -> profiles.recomputeAllFacts(clock.instant()));
		rules.reconcileAll("rebuild");
		log.info("Audience rebuilt from the order history: {} customers, {} purchase lines, in {} ms", customersSeen, lines,
				java.time.Duration.between(started, clock.instant()).toMillis());
		return new Rebuilt(customersSeen, lines, withPurchases == null ? 0 : withPurchases);
	}
}
