package io.storecast.campaigns.internal;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Service;

import io.storecast.audience.AudienceProfiles;
import io.storecast.audience.Channel;
import io.storecast.audience.Purpose;
import io.storecast.audience.Topic;
import io.storecast.identity.AccessPolicy;
import io.storecast.identity.Actor;
import io.storecast.identity.CustomerId;
import io.storecast.identity.OrgDirectory;
import io.storecast.identity.OrgNode;
import io.storecast.identity.OrgNodeId;
import io.storecast.identity.Permission;
import io.storecast.platform.ApiException;
import io.storecast.platform.CursorPage;
import io.storecast.platform.Ids;
import io.storecast.platform.TextFields;

/**
 * Defining, changing, enabling and disabling campaign triggers, with every check made before
 * anything is stored (the stores, route and templates checked as a campaign's are): a refused
 * request changes nothing.
 */
@Service
class TriggerManagement {

	/** A trigger as the API takes it; every field is checked here, naming it when refused. */
	record TriggerRequest(@Nullable String name, Trigger.@Nullable Kind kind, @Nullable Purpose purpose,
			Trigger.@Nullable Params params, @Nullable List<OrgNodeId> stores, @Nullable List<Campaign.RouteStep> route,
			@Nullable Map<String, Map<String, String>> templates, @Nullable Boolean enabled) {
	}

	/**
	 * @param firings events the trigger fired on
	 * @param restocks of the firings, NEW_ARRIVAL's restocks (a product back in stock at a store, once a day)
	 * @param planned recipients waiting for their time (N days after a purchase) or not decided yet
	 */
	record Stats(long firings, long restocks, long recipients, long planned, long handedOff, long deferred, long skipped,
			Map<String, Long> skippedByReason) {
	}

	record TriggerView(UUID id, String name, Trigger.Kind kind, Purpose purpose, Trigger.Params params,
			List<CampaignManagement.StoreRef> stores, List<Campaign.RouteStep> route,
			Map<Channel, Map<String, String>> templates, OrgNodeId scopeNodeId, boolean enabled, String createdBy,
			Instant createdAt, Instant updatedAt, Stats stats) {
	}

	/** @param deferUntil for DEFERRED: when the policy is asked again; {@code dueAt}: when the recipient is (was) due */
	record RecipientView(String eventKey, CustomerId customerId, Triggers.Status status, @Nullable String reason,
			@Nullable Instant deferUntil, Instant dueAt, @Nullable UUID deliveryId, Instant plannedAt,
			@Nullable Instant decidedAt) {
	}

	/** The longest values of the kinds' own variables, for the templates' length check. */
	private static final Map<String, Integer> LONGEST = Map.of("product", 200, "order", 128, "carrier", 64, "tracking", 64,
			"coupon", Rendering.COUPON_CODE);
	/** A product card's text. */
	static final int MAX_CARD_TEXT = 1000;
	private static final int MAX_LIST = 50;
	private static final int MAX_DAYS_BEFORE = 60;
	private static final int MAX_DAYS_AFTER = 365;

	private final Triggers triggers;
	private final CampaignManagement campaigns;
	private final AccessPolicy access;
	private final OrgDirectory org;
	private final AudienceProfiles audience;
	private final SurveyManagement surveys;
	private final Clock clock;

	TriggerManagement(Triggers triggers, CampaignManagement campaigns, AccessPolicy access, OrgDirectory org,
			AudienceProfiles audience, SurveyManagement surveys, Clock clock) {
		this.surveys = surveys;
		this.triggers = triggers;
		this.campaigns = campaigns;
		this.access = access;
		this.org = org;
		this.audience = audience;
		this.clock = clock;
	}

	TriggerView create(Actor actor, TriggerRequest request) {
		Instant now = clock.instant();
		Trigger t = check(actor, request, Ids.newId(), null, now);
		triggers.insert(t);
		return view(t);
	}

	/** Replaces a trigger's definition (its kind stays); whom it reached before is not reached again. */
	TriggerView replace(Actor actor, UUID id, TriggerRequest request) {
		Trigger current = writable(actor, id);
		Instant now = clock.instant();
		Trigger t = check(actor, request, id, current, now);
		triggers.replace(t);
		return view(t);
	}

	TriggerView enable(Actor actor, UUID id, boolean enabled) {
		writable(actor, id);
		triggers.setEnabled(id, enabled, clock.instant());
		return get(actor, id);
	}

	TriggerView get(Actor actor, UUID id) {
		return view(readable(actor, id));
	}

	CursorPage<TriggerView> list(Actor actor, Trigger.@Nullable Kind kind, @Nullable String after, int limit) {
		access.require(actor, Permission.CAMPAIGN_READ);
		NewestFirst from = NewestFirst.after(after);
		List<Trigger> rows = triggers.list(access.scopePath(actor), kind, from.createdAt(), from.id(), limit + 1);
		CursorPage<Trigger> page = CursorPage.of(rows, limit, t -> NewestFirst.cursor(t.createdAt(), t.id()));
		return new CursorPage<>(page.items().stream().map(this::view).toList(), page.nextCursor());
	}

	CursorPage<RecipientView> recipients(Actor actor, UUID id, Triggers.@Nullable Status status,
			@Nullable CustomerId customer, @Nullable String after, int limit) {
		Trigger t = readable(actor, id);
		Instant afterPlanned = null;
		UUID afterFiring = null;
		UUID afterCustomer = null;
		if (after != null) {
			try {
				String[] parts = after.split("_");
				afterPlanned = Instant.parse(parts[0]);
				afterFiring = UUID.fromString(parts[1]);
				afterCustomer = UUID.fromString(parts[2]);
			}
			catch (RuntimeException e) {
				throw ScopedAccess.invalidCursor();
			}
		}
		List<Triggers.Row> rows = triggers.page(t.id(), status, customer, afterPlanned, afterFiring, afterCustomer, limit + 1);
		CursorPage<Triggers.Row> page = CursorPage.of(rows, limit,
				r -> r.plannedAt() + "_" + r.firingId() + "_" + r.customerId());
		return new CursorPage<>(page.items()
			.stream()
			.map(r -> new RecipientView(r.eventKey(), r.customerId(), r.status(), r.reason(),
					r.status() == Triggers.Status.DEFERRED ? r.dueAt() : null, r.dueAt(), r.deliveryId(), r.plannedAt(),
					r.decidedAt()))
			.toList(), page.nextCursor());
	}

	private Trigger readable(Actor actor, UUID id) {
		return ScopedAccess.readable(access, actor, triggers.find(id), Trigger::scopeNodeId, () -> notFound(id));
	}

	private Trigger writable(Actor actor, UUID id) {
		return ScopedAccess.writable(access, actor, triggers.find(id), Trigger::scopeNodeId, () -> notFound(id));
	}

	private static ApiException notFound(UUID id) {
		return ApiException.notFound("not-found", "No campaign trigger " + id);
	}

	// ---- checking a definition

	private Trigger check(Actor actor, TriggerRequest r, UUID id, @Nullable Trigger current, Instant now) {
		access.require(actor, Permission.CAMPAIGN_WRITE);
		String createdBy = CampaignManagement.createdBy(actor);
		String name = TextFields.required(r.name(), "name", 100);
		if (r.kind() == null) {
			throw ApiException.badRequest("validation-failed", "kind",
					"kind is NEW_ARRIVAL, BIRTHDAY, ORDER_SHIPPED, ORDER_DELIVERED, DAYS_AFTER_PURCHASE or COUPON_EXPIRING");
		}
		Trigger.Kind kind = r.kind();
		if (current != null && current.kind() != kind) {
			throw ApiException.badRequest("validation-failed", "kind",
					"A trigger's kind does not change (" + current.kind() + "); create another trigger");
		}
		if (r.purpose() != null && r.purpose() != kind.purpose) {
			throw ApiException.badRequest("validation-failed", "purpose", kind + " messages are " + kind.purpose
					+ (kind.purpose == Purpose.TRANSACTIONAL ? " (the customer's own order)" : " (consent, quiet hours, the cap)"));
		}
		Trigger.Params params = params(actor, kind, r.params());
		List<OrgNode> stores = campaigns.stores(actor, r.stores());
		List<Campaign.RouteStep> route = CampaignManagement.route(r.route());
		Set<String> allowed = new HashSet<>(Set.of("nickname", "store", "link"));
		allowed.addAll(kind.variables);
		Map<String, Integer> longest = new LinkedHashMap<>(LONGEST);
		longest.put("store", stores.stream().mapToInt(s -> s.name().length()).max().orElse(0));
		Map<Channel, Map<String, String>> templates = campaigns.templates(r.templates(), route, allowed, longest,
				kind == Trigger.Kind.NEW_ARRIVAL || params.surveyId() != null ? MAX_CARD_TEXT : CampaignManagement.MAX_IN_APP,
				kind.variables.isEmpty() ? " (" + kind + " has no variables of its own)"
						: " (" + kind + " adds " + kind.variables.stream().sorted().map(v -> "{" + v + "}").toList() + ")");
		OrgNode scope = campaigns.lowestCommonNode(stores);
		Trigger.Definition definition = new Trigger.Definition(params, stores.stream().map(OrgNode::id).toList(), route,
				templates);
		// left out: a new trigger is on, a replaced one stays as it was
		boolean enabled = r.enabled() != null ? r.enabled() : current == null || current.enabled();
		return new Trigger(id, name, kind, definition, scope.id(), scope.path(), enabled,
				current == null ? createdBy : current.createdBy(), current == null ? now : current.createdAt(), now);
	}

	/** The kind's parameters, each checked; the parameters of other kinds are refused. */
	private Trigger.Params params(Actor actor, Trigger.Kind kind, Trigger.@Nullable Params given) {
		Trigger.Params p = given == null ? Trigger.Params.NONE : given;
		boolean arrival = kind == Trigger.Kind.NEW_ARRIVAL;
		refuseUnless(arrival, p.categories(), "categories", kind);
		refuseUnless(arrival, p.topics(), "topics", kind);
		refuseUnless(arrival, p.customerTags(), "customerTags", kind);
		refuseUnless(arrival, p.restocks(), "restocks", kind);
		refuseUnless(kind == Trigger.Kind.BIRTHDAY, p.daysBefore(), "daysBefore", kind);
		refuseUnless(kind == Trigger.Kind.DAYS_AFTER_PURCHASE, p.days(), "days", kind);
		refuseUnless(kind.sendsSurveys(), p.surveyId(), "surveyId", kind);
		return switch (kind) {
			case NEW_ARRIVAL -> new Trigger.Params(texts(p.categories(), "params.categories", 64), topics(p.topics()),
					customerTags(p.customerTags()), p.restocks(), null, null, null);
			case BIRTHDAY -> new Trigger.Params(null, null, null, null,
					number(p.daysBefore(), "params.daysBefore", 0, MAX_DAYS_BEFORE), null, null);
			case DAYS_AFTER_PURCHASE -> new Trigger.Params(null, null, null, null, null,
					number(p.days(), "params.days", 1, MAX_DAYS_AFTER), survey(actor, p.surveyId()));
			case ORDER_DELIVERED -> new Trigger.Params(null, null, null, null, null, null, survey(actor, p.surveyId()));
			case ORDER_SHIPPED, COUPON_EXPIRING -> Trigger.Params.NONE;
		};
	}

	/** A survey the actor can read and not closed, for a survey's invitation. */
	private @Nullable UUID survey(Actor actor, @Nullable UUID id) {
		return id == null ? null : surveys.sendable(actor, id, "params.surveyId");
	}

	private static void refuseUnless(boolean applies, @Nullable Object value, String name, Trigger.Kind kind) {
		if (!applies && value != null) {
			throw ApiException.badRequest("validation-failed", "params." + name, "params." + name + " is not a parameter of " + kind);
		}
	}

	private static int number(@Nullable Integer value, String field, int min, int max) {
		if (value == null || value < min || value > max) {
			throw ApiException.badRequest("validation-failed", field, field + " is required, " + min + "-" + max);
		}
		return value;
	}

	private static List<String> texts(@Nullable List<String> values, String field, int maxLength) {
		if (values == null) {
			return List.of();
		}
		if (values.size() > MAX_LIST) {
			throw ApiException.badRequest("validation-failed", field, field + " names at most " + MAX_LIST);
		}
		Set<String> out = new LinkedHashSet<>();
		for (int i = 0; i < values.size(); i++) {
			out.add(TextFields.required(values.get(i), field + "[" + i + "]", maxLength));
		}
		return List.copyOf(out);
	}

	private static List<String> topics(@Nullable List<String> values) {
		List<String> out = new ArrayList<>();
		List<String> given = texts(values, "params.topics", 200);
		for (int i = 0; i < given.size(); i++) {
			try {
				out.add(Topic.parse(given.get(i)).toString());
			}
			catch (IllegalArgumentException e) {
				throw ApiException.badRequest("invalid-topic", "params.topics[" + i + "]", e.getMessage());
			}
		}
		return List.copyOf(out);
	}

	private List<String> customerTags(@Nullable List<String> values) {
		List<String> tags = texts(values, "params.customerTags", 32);
		for (int i = 0; i < tags.size(); i++) {
			if (!audience.tagExists(tags.get(i))) {
				throw ApiException.badRequest("unknown-tag", "params.customerTags[" + i + "]", "No tag named " + tags.get(i));
			}
		}
		return tags;
	}

	// ---- views

	TriggerView view(Trigger t) {
		Trigger.Definition d = t.definition();
		List<CampaignManagement.StoreRef> stores = d.stores().stream()
			.map(id -> org.find(id)
				.map(n -> new CampaignManagement.StoreRef(n.id(), n.code(), n.name()))
				.orElse(new CampaignManagement.StoreRef(id, "", "")))
			.toList();
		Map<String, Long> counts = triggers.counts(t.id());
		Map<String, Long> skipped = new TreeMap<>();
		counts.forEach((name, n) -> {
			if (name.startsWith("SKIPPED:")) {
				skipped.put(name.substring(8), n);
			}
		});
		long skippedTotal = skipped.values().stream().mapToLong(Long::longValue).sum();
		long planned = counts.getOrDefault("PLANNED", 0L);
		long handedOff = counts.getOrDefault("HANDED_OFF", 0L);
		long deferred = counts.getOrDefault("DEFERRED", 0L);
		Stats stats = new Stats(counts.getOrDefault("firings", 0L), counts.getOrDefault("restocks", 0L), planned + handedOff + deferred + skippedTotal, planned,
				handedOff, deferred, skippedTotal, skipped);
		return new TriggerView(t.id(), t.name(), t.kind(), t.purpose(), d.params(), stores, d.route(), d.templates(),
				t.scopeNodeId(), t.enabled(), t.createdBy(), t.createdAt(), t.updatedAt(), stats);
	}
}
