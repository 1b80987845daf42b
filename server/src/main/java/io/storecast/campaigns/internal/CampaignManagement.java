package io.storecast.campaigns.internal;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import io.storecast.audience.Channel;
import io.storecast.audience.Consents;
import io.storecast.audience.Purpose;
import io.storecast.audience.Segments;
import io.storecast.campaigns.CampaignId;
import io.storecast.coupons.Coupons;
import io.storecast.identity.AccessPolicy;
import io.storecast.identity.Actor;
import io.storecast.identity.CustomerDirectory;
import io.storecast.identity.CustomerId;
import io.storecast.identity.CustomerProfile;
import io.storecast.identity.OrgDirectory;
import io.storecast.identity.OrgNode;
import io.storecast.identity.OrgNodeId;
import io.storecast.identity.OrgNodeKind;
import io.storecast.identity.Permission;
import io.storecast.platform.ApiException;
import io.storecast.platform.CursorPage;
import io.storecast.platform.Ids;
import io.storecast.platform.TextFields;

/**
 * Defining campaigns and starting, scheduling and cancelling their sends, with every check made
 * before anything is stored: a refused request changes nothing.
 */
@Service
class CampaignManagement {

	/** A campaign as the API takes it; every field is checked here, naming it when refused. */
	record CampaignRequest(@Nullable String name, @Nullable Purpose purpose, @Nullable Instant startsAt,
			@Nullable Instant endsAt, Campaign.@Nullable Offer offer, @Nullable List<OrgNodeId> stores,
			@Nullable List<Campaign.RouteStep> route, @Nullable Map<String, Map<String, String>> templates,
			Campaign.@Nullable Audience audience, @Nullable AbTestRequest abTest) {
	}

	/** An A/B test as the API takes it (docs/campaigns.md, A/B tests). */
	record AbTestRequest(@Nullable List<VariantRequest> variants, @Nullable List<Integer> split,
			@Nullable Double testFraction, Campaign.@Nullable Metric metric, Campaign.@Nullable WinnerMode winner,
			java.time.@Nullable Duration testPeriod) {
	}

	/** A variant: its key (A-D), its templates (same shape as the campaign's; left out: the campaign's) and offer. */
	record VariantRequest(@Nullable String key, @Nullable Map<String, Map<String, String>> templates,
			Campaign.@Nullable VariantOffer offer) {
	}

	/**
	 * @param at when to send; null: now
	 * @param recurrence instead of {@code at}: a run at every occurrence of a rule
	 */
	record SendRequest(@Nullable Instant at, CampaignRecurrence.@Nullable Recurrence recurrence) {
	}

	/** A send waiting for approval or decided: what was asked, by whom, and the decision. */
	record ApprovalView(String requestedBy, Instant requestedAt, long audience, SendRequest request,
			Approvals.@Nullable Decision decision, @Nullable String decidedBy, @Nullable Instant decidedAt,
			@Nullable String reason) {
	}

	record StoreRef(OrgNodeId id, String code, String name) {
	}

	record AudienceView(Campaign.AudienceKind kind, io.storecast.audience.@Nullable SegmentId segmentId,
			@Nullable Integer customerCount) {
	}

	/**
	 * @param recipients everyone on the send list (known once the send has started)
	 * @param planned recipients not decided yet
	 * @param held recipients of an A/B test's rest, waiting for the winner
	 * @param deliveries what delivery reported for the campaign's messages, per status
	 */
	record Progress(long recipients, long planned, long held, long handedOff, long deferred, long skipped,
			Map<String, Long> skippedByReason, @Nullable Instant nextWakeUp, Map<String, Long> deliveries) {
	}

	record CampaignView(CampaignId id, String name, Purpose purpose, Instant startsAt, Instant endsAt,
			Campaign.Offer offer, List<StoreRef> stores, List<Campaign.RouteStep> route,
			Map<Channel, Map<String, String>> templates, Campaign.@Nullable AbTest abTest, AudienceView audience,
			OrgNodeId scopeNodeId,
			Campaign.Status status, @Nullable String statusReason, @Nullable Instant sendAt,
			@Nullable Instant startedAt, @Nullable Instant finishedAt, String createdBy, Instant createdAt,
			Instant updatedAt, Progress progress, CampaignRecurrence.@Nullable RecurrenceView recurrence,
			@Nullable ApprovalView approval) {
	}

	/** @param variant the A/B variant the recipient is (or was) sent; null without a test, or while held */
	record RecipientView(CustomerId customerId, Recipients.Status status, @Nullable String variant,
			@Nullable String reason, @Nullable Instant deferUntil, @Nullable UUID deliveryId, @Nullable String couponCode,
			Instant plannedAt, @Nullable Instant decidedAt) {
	}

	static final int MAX_IN_APP = 4000;
	static final String LOCALE = "zh-CN";
	private static final int MAX_STORES = 1000;
	private static final int MAX_STEPS = 3;
	private static final int MAX_FALLBACK_MINUTES = 7 * 24 * 60;
	private static final java.time.Duration MAX_TEST_PERIOD = java.time.Duration.ofDays(30);

	private final Campaigns campaigns;
	private final Recipients recipients;
	private final RecipientWalks walks;
	private final CampaignScheduling scheduling;
	private final CampaignRecurrence recurrence;
	private final Approvals approvals;
	private final ApprovalScheduling approvalScheduling;
	private final StaffNotices notices;
	private final AccessPolicy access;
	private final OrgDirectory org;
	private final CustomerDirectory customers;
	private final Segments segments;
	private final Coupons coupons;
	private final Consents consents;
	private final SurveyManagement surveys;
	private final CampaignSettings settings;
	private final TransactionTemplate tx;
	private final Clock clock;

	CampaignManagement(Campaigns campaigns, Recipients recipients, RecipientWalks walks, CampaignScheduling scheduling,
			CampaignRecurrence recurrence, Approvals approvals, ApprovalScheduling approvalScheduling, StaffNotices notices,
			AccessPolicy access, OrgDirectory org, CustomerDirectory customers, Segments segments, Coupons coupons,
			Consents consents, SurveyManagement surveys, CampaignSettings settings, TransactionTemplate tx, Clock clock) {
		this.surveys = surveys;
		this.campaigns = campaigns;
		this.recipients = recipients;
		this.walks = walks;
		this.scheduling = scheduling;
		this.recurrence = recurrence;
		this.approvals = approvals;
		this.approvalScheduling = approvalScheduling;
		this.notices = notices;
		this.access = access;
		this.org = org;
		this.customers = customers;
		this.segments = segments;
		this.coupons = coupons;
		this.consents = consents;
		this.settings = settings;
		this.tx = tx;
		this.clock = clock;
	}

	CampaignView create(Actor actor, CampaignRequest request) {
		Instant now = clock.instant();
		Campaign c = check(actor, request, new CampaignId(Ids.newId()), now);
		campaigns.insert(c);
		return view(c);
	}

	CampaignView replace(Actor actor, CampaignId id, CampaignRequest request) {
		Campaign current = writable(actor, id);
		requireDraft(current);
		Instant now = clock.instant();
		Campaign c = check(actor, request, id, now);
		Campaign replaced = new Campaign(id, c.name(), c.purpose(), c.startsAt(), c.endsAt(), c.definition(),
				c.scopeNodeId(), c.scopePath(), current.status(), null, null, null, null, null, null, current.createdBy(),
				current.createdAt(), now);
		if (!campaigns.replaceDraft(replaced)) {
			throw notDraft();
		}
		return view(replaced);
	}

	CampaignView get(Actor actor, CampaignId id) {
		return view(readable(actor, id));
	}

	CursorPage<CampaignView> list(Actor actor, Campaign.@Nullable Status status, @Nullable String after, int limit) {
		access.require(actor, Permission.CAMPAIGN_READ);
		NewestFirst from = NewestFirst.after(after);
		List<Campaign> rows = campaigns.list(access.scopePath(actor), status, from.createdAt(), from.id(), limit + 1);
		return mapped(CursorPage.of(rows, limit, c -> NewestFirst.cursor(c.createdAt(), c.id())), this::view);
	}

	CursorPage<RecipientView> recipients(Actor actor, CampaignId id, Recipients.@Nullable Status status,
			@Nullable String after, int limit) {
		Campaign c = readable(actor, id);
		CustomerId cursor;
		try {
			cursor = after == null ? null : new CustomerId(UUID.fromString(after));
		}
		catch (IllegalArgumentException e) {
			throw ScopedAccess.invalidCursor();
		}
		List<Recipients.Row> rows = recipients.page(c.id(), status, cursor, limit + 1);
		return mapped(CursorPage.of(rows, limit, r -> r.customerId().toString()),
				r -> new RecipientView(r.customerId(), r.status(), r.variant(), r.reason(), r.deferUntil(), r.deliveryId(),
						r.couponCode(), r.plannedAt(), r.decidedAt()));
	}

	/**
	 * Sends now, schedules the send or starts its recurrence; the campaign must be a draft whose audience
	 * has someone in it. An audience above the approval threshold waits for approval instead.
	 */
	CampaignView send(Actor actor, CampaignId id, @Nullable SendRequest request) {
		Campaign c = writable(actor, id);
		requireDraft(c);
		requireNotCascadeSource(c);
		Instant now = clock.instant();
		SendRequest asked = request == null ? new SendRequest(null, null) : request;
		Plan plan = plan(c, asked, now);
		requireAudience(c);
		if (c.definition().offer().surveyId() != null) {
			surveys.requireOpen(c.definition().offer().surveyId());
		}
		long above = approvals.settings().approvalAbove();
		long audience = above > 0 ? audienceUpTo(c, above + 1) : 0;
		tx.executeWithoutResult(s -> {
			// a staff notice announcing it locks the row too: one of the two sees the other
			requireNotCascadeSource(campaigns.lock(id).orElseThrow());
			if (audience > above) {
				if (!campaigns.transition(id, List.of(Campaign.Status.DRAFT), Campaign.Status.PENDING_APPROVAL, null, now)) {
					throw notDraft();
				}
				UUID requestId = Ids.newId();
				approvals.request(id, requestId, createdBy(actor), actor instanceof Actor.Staff staff ? staff.id() : null, now,
						audience, asked);
				approvalScheduling.requested(c, requestId, asked);
			}
			else if (!start(id, Campaign.Status.DRAFT, plan, now)) {
				throw notDraft();
			}
		});
		return get(actor, id);
	}

	/**
	 * A campaign a staff notice announced (a cascade's source) reaches customers through each store's
	 * forward only: sent directly as well, a customer would hear it twice (409 {@code cascade-source}).
	 */
	private void requireNotCascadeSource(Campaign c) {
		if (!notices.announcing(c.id()).isEmpty()) {
			throw ApiException.conflict("cascade-source", "「" + c.name() + "」 was announced to staff by a staff notice: "
					+ "it reaches customers through each store's forward (POST /api/v1/campaigns/" + c.id()
					+ "/forwards, or the store's forward rule), not by sending it directly");
		}
	}

	/** A send checked: at a time, or recurring by a rule. */
	record Plan(@Nullable Instant at, CampaignRecurrence.@Nullable Checked rule) {
	}

	/** Checks a send as asked against the campaign; nothing is stored. */
	Plan plan(Campaign c, SendRequest asked, Instant now) {
		if (asked.recurrence() != null) {
			if (asked.at() != null) {
				throw ApiException.badRequest("validation-failed", "at",
						"A recurring send has no at: its rule says when each run starts");
			}
			return new Plan(null, recurrence.check(c, asked.recurrence(), now));
		}
		Instant at = asked.at() == null ? now : asked.at();
		// a second of slack for "now" computed on the caller's clock
		if (at.isBefore(now.minusSeconds(1))) {
			throw ApiException.badRequest("schedule-in-past", "at", "at (" + at + ") is in the past; leave it out to send now");
		}
		if (!at.isBefore(c.endsAt())) {
			throw ApiException.badRequest("schedule-after-end", "at",
					"at (" + at + ") is not before the campaign ends (" + c.endsAt() + ")");
		}
		return new Plan(at.isBefore(now) ? now : at, null);
	}

	/** Schedules the send or starts the recurrence, in the caller's transaction; false when not in {@code from}. */
	boolean start(CampaignId id, Campaign.Status from, Plan plan, Instant now) {
		return plan.rule() != null ? recurrence.start(id, from, plan.rule(), now)
				: scheduling.schedule(id, from, java.util.Objects.requireNonNull(plan.at()), now);
	}

	/** The audience's size, counted up to {@code limit}. */
	private long audienceUpTo(Campaign c, long limit) {
		Campaign.Audience audience = c.definition().audience();
		return switch (audience.kind()) {
			case SEGMENT -> segments.count(java.util.Objects.requireNonNull(audience.segmentId()), c.scopeNodeId());
			case STORES -> customers.idsAtStores(c.definition().stores(), null, (int) Math.min(limit, 1_000_000)).size();
			case CUSTOMERS -> java.util.Objects.requireNonNull(audience.customerIds()).size();
		};
	}

	/** Cancels a scheduled or sending campaign: nothing more is handed to delivery. */
	CampaignView cancel(Actor actor, CampaignId id) {
		writable(actor, id);
		Instant now = clock.instant();
		tx.executeWithoutResult(s -> {
			// the lock waits for a chunk being sent to commit; the sender checks the status before each chunk
			Campaign locked = campaigns.lock(id).orElseThrow();
			if (!locked.status().cancellable()) {
				throw ApiException.conflict("campaign-not-cancellable",
						"Only a SCHEDULED or SENDING campaign can be cancelled; this one is " + locked.status());
			}
			campaigns.transition(id, List.of(locked.status()), Campaign.Status.CANCELLED, "cancelled", now);
			walks.skipRemaining(locked, "campaign-cancelled", now);
			if (locked.status() == Campaign.Status.RECURRING) {
				recurrence.cancelRuns(id, now);
			}
		});
		return get(actor, id);
	}

	private void requireAudience(Campaign c) {
		Campaign.Audience audience = c.definition().audience();
		boolean empty = switch (audience.kind()) {
			case SEGMENT -> segments.find(java.util.Objects.requireNonNull(audience.segmentId())).isEmpty()
					|| segments.count(audience.segmentId(), c.scopeNodeId()) == 0;
			case STORES -> customers.idsAtStores(c.definition().stores(), null, 1).isEmpty();
			case CUSTOMERS -> false;
		};
		if (empty) {
			throw ApiException.conflict("empty-audience",
					"The campaign's audience has nobody in it (within its stores' part of the organisation): nothing to send");
		}
	}

	Campaign readable(Actor actor, CampaignId id) {
		return ScopedAccess.readable(access, actor, campaigns.find(id), Campaign::scopeNodeId, () -> notFound(id));
	}

	Campaign writable(Actor actor, CampaignId id) {
		return ScopedAccess.writable(access, actor, campaigns.find(id), Campaign::scopeNodeId, () -> notFound(id));
	}

	private static void requireDraft(Campaign c) {
		if (c.status() != Campaign.Status.DRAFT) {
			throw notDraft();
		}
	}

	private static ApiException notDraft() {
		return ApiException.conflict("campaign-not-draft", "Only a DRAFT campaign can be changed or sent");
	}

	private static ApiException notFound(CampaignId id) {
		return ApiException.notFound("not-found", "No campaign " + id);
	}

	// ---- checking a definition

	private Campaign check(Actor actor, CampaignRequest r, CampaignId id, Instant now) {
		access.require(actor, Permission.CAMPAIGN_WRITE);
		String name = TextFields.required(r.name(), "name", 100);
		if (r.purpose() == null) {
			throw ApiException.badRequest("validation-failed", "purpose",
					"purpose is MARKETING or TRANSACTIONAL (staff notices are not campaigns yet)");
		}
		if (r.startsAt() == null) {
			throw ApiException.badRequest("validation-failed", "startsAt", "startsAt is required");
		}
		if (r.endsAt() == null || !r.endsAt().isAfter(r.startsAt())) {
			throw ApiException.badRequest("validation-failed", "endsAt", "endsAt is required, after startsAt");
		}
		if (!r.endsAt().isAfter(now)) {
			throw ApiException.badRequest("validation-failed", "endsAt", "endsAt is in the past");
		}
		Campaign.Offer offer = offer(actor, r.offer());
		List<OrgNode> stores = stores(actor, r.stores());
		List<Campaign.RouteStep> route = route(r.route());
		Map<Channel, Map<String, String>> templates = templates(r.templates(), route, offer, stores, "templates");
		Campaign.AbTest abTest = abTest(r.abTest(), route, offer, stores, r.templates());
		Campaign.Audience audience = audience(actor, r.audience());
		OrgNode scope = lowestCommonNode(stores);
		Campaign.Definition definition = new Campaign.Definition(offer, stores.stream().map(OrgNode::id).toList(), route,
				templates, audience, abTest);
		return new Campaign(id, name, r.purpose(), r.startsAt(), r.endsAt(), definition, scope.id(), scope.path(),
				Campaign.Status.DRAFT, null, null, null, null, null, null, createdBy(actor), now, now);
	}

	private Campaign.Offer offer(Actor actor, Campaign.@Nullable Offer offer) {
		if (offer == null) {
			throw ApiException.badRequest("validation-failed", "offer", "offer is required: {\"text\": ...}");
		}
		String text = TextFields.required(offer.text(), "offer.text", 500);
		String product = TextFields.optional(offer.product(), "offer.product", 60);
		if (offer.couponTemplateId() != null && coupons.templateName(offer.couponTemplateId()).isEmpty()) {
			throw ApiException.badRequest("unknown-coupon-template", "offer.couponTemplateId",
					"No coupon template " + offer.couponTemplateId());
		}
		if (offer.couponMode() != null && offer.couponTemplateId() == null) {
			throw ApiException.badRequest("validation-failed", "offer.couponMode",
					"offer.couponMode needs offer.couponTemplateId");
		}
		if (offer.surveyId() != null && offer.couponMode() == Campaign.CouponMode.CLAIM) {
			// one card: the survey's question or the coupon's claim button, not both
			throw ApiException.badRequest("validation-failed", "offer.surveyId", "A survey's card has no claim button: "
					+ "grant the coupon (couponMode GRANT, {coupon} in the text) or make it the survey's reward");
		}
		UUID survey = offer.surveyId() == null ? null : surveys.sendable(actor, offer.surveyId(), "offer.surveyId");
		return new Campaign.Offer(text, offer.couponTemplateId(), product, TrackedLinks.target(offer.link()),
				offer.couponMode(), survey);
	}

	/** The participating stores: each node named, or the stores under it; all within the actor's reach. */
	List<OrgNode> stores(Actor actor, @Nullable List<OrgNodeId> nodes) {
		if (nodes == null || nodes.isEmpty()) {
			throw ApiException.badRequest("validation-failed", "stores",
					"stores names at least one participating store (or a region, for all its stores)");
		}
		if (nodes.size() > MAX_STORES) {
			throw ApiException.badRequest("validation-failed", "stores", "stores names at most " + MAX_STORES + " nodes");
		}
		Map<OrgNodeId, OrgNode> stores = new LinkedHashMap<>();
		for (int i = 0; i < nodes.size(); i++) {
			OrgNodeId nodeId = nodes.get(i);
			String field = "stores[" + i + "]";
			OrgNode node = nodeId == null ? null : org.find(nodeId).orElse(null);
			if (node == null) {
				throw ApiException.badRequest("unknown-store", field, "No org node " + nodeId);
			}
			access.requireAt(actor, Permission.CAMPAIGN_WRITE, node.id());
			List<OrgNode> under = node.kind() == OrgNodeKind.STORE ? List.of(node) : org.storesUnder(node.id());
			if (under.isEmpty()) {
				throw ApiException.badRequest("unknown-store", field, node.name() + " has no stores");
			}
			under.forEach(s -> stores.putIfAbsent(s.id(), s));
		}
		return stores.values().stream().sorted(Comparator.comparing(OrgNode::code)).toList();
	}

	static List<Campaign.RouteStep> route(@Nullable List<Campaign.RouteStep> route) {
		if (route == null || route.isEmpty()) {
			throw ApiException.badRequest("validation-failed", "route",
					"route names 1-3 channels, e.g. [{\"channel\":\"IN_APP\",\"fallbackAfterMinutes\":30},{\"channel\":\"SMS\"}]");
		}
		if (route.size() > MAX_STEPS) {
			throw ApiException.badRequest("validation-failed", "route", "route has at most " + MAX_STEPS + " steps");
		}
		Set<Channel> seen = EnumSet.noneOf(Channel.class);
		for (int i = 0; i < route.size(); i++) {
			Campaign.RouteStep step = route.get(i);
			String field = "route[" + i + "]";
			if (step == null || step.channel() == null) {
				throw ApiException.badRequest("validation-failed", field + ".channel", "channel is IN_APP, SMS or WEBHOOK");
			}
			if (!seen.add(step.channel())) {
				throw ApiException.badRequest("validation-failed", field + ".channel", step.channel() + " is in the route twice");
			}
			Integer fallback = step.fallbackAfterMinutes();
			if (fallback != null) {
				if (step.channel() != Channel.IN_APP || i == route.size() - 1) {
					throw ApiException.badRequest("validation-failed", field + ".fallbackAfterMinutes",
							"Only an IN_APP step followed by another falls back when unread");
				}
				if (fallback < 1 || fallback > MAX_FALLBACK_MINUTES) {
					throw ApiException.badRequest("validation-failed", field + ".fallbackAfterMinutes",
							"fallbackAfterMinutes is between 1 and " + MAX_FALLBACK_MINUTES);
				}
			}
		}
		return List.copyOf(route);
	}

	/**
	 * Templates per channel and locale: IN_APP (also the webhook's text) and SMS, each with zh-CN
	 * (required for a channel of the route) and optionally en; known variables only, and not longer
	 * than the channel allows with every variable at its longest.
	 */
	private Map<Channel, Map<String, String>> templates(@Nullable Map<String, Map<String, String>> given,
			List<Campaign.RouteStep> route, Campaign.Offer offer, List<OrgNode> stores, String field) {
		Set<String> allowed = new HashSet<>(Set.of("nickname", "store", "link", "unsubscribe"));
		if (offer.grants()) {
			allowed.add("coupon");
		}
		if (offer.product() != null) {
			allowed.add("product");
		}
		int storeName = stores.stream().mapToInt(s -> s.name().length()).max().orElse(0);
		Map<String, Integer> longest = new HashMap<>(Map.of("store", storeName, "coupon", Rendering.COUPON_CODE, "product",
				offer.product() == null ? 0 : offer.product().length()));
		if (offer.link() != null) {
			// a tracked link instead of the unsubscribe link
			longest.put("link", settings.publicUrl().length() + TrackedLinks.LONGEST_PATH);
		}
		// a survey's in-app text is its card's text
		return templates(given, route, allowed, longest, offer.surveyId() != null ? TriggerManagement.MAX_CARD_TEXT : MAX_IN_APP,
				" ({coupon} needs offer.couponTemplateId granted, {product} needs offer.product)", field);
	}

	/**
	 * An A/B test checked: 2-4 variants with distinct keys A-D, each variant's templates (or the
	 * campaign's) checked as the campaign's are, against the variant's offer; a split per variant
	 * summing to 100; a test fraction in (0, 1]; a test period for AUTO (only); a coupon on every
	 * variant when the metric measures redemptions or revenue.
	 */
	private Campaign.@Nullable AbTest abTest(@Nullable AbTestRequest ab, List<Campaign.RouteStep> route,
			Campaign.Offer offer, List<OrgNode> stores, @Nullable Map<String, Map<String, String>> campaignTemplates) {
		if (ab == null) {
			return null;
		}
		List<VariantRequest> given = ab.variants() == null ? List.of() : ab.variants();
		if (given.size() < 2 || given.size() > 4) {
			throw ApiException.badRequest("invalid-variants", "abTest.variants",
					"An A/B test has 2 to 4 variants (keys A-D); this one has " + given.size());
		}
		List<Campaign.AbTest.Variant> variants = new ArrayList<>();
		Set<String> keys = new HashSet<>();
		for (int i = 0; i < given.size(); i++) {
			VariantRequest v = given.get(i);
			String field = "abTest.variants[" + i + "]";
			if (v == null || v.key() == null || !v.key().matches("[A-D]")) {
				throw ApiException.badRequest("invalid-variants", field + ".key", "A variant's key is A, B, C or D");
			}
			if (!keys.add(v.key())) {
				throw ApiException.badRequest("duplicate-variant", field + ".key", "Variant " + v.key() + " is named twice");
			}
			Campaign.VariantOffer variantOffer = v.offer() == null ? null : variantOffer(v.offer(), field + ".offer");
			Campaign.Offer effective = offer.with(variantOffer);
			Map<Channel, Map<String, String>> templates = v.templates() == null ? null
					: templates(v.templates(), route, effective, stores, field + ".templates");
			if (templates == null && variantOffer != null) {
				// the campaign's templates, checked against what this variant offers
				templates(campaignTemplates, route, effective, stores, "templates");
			}
			variants.add(new Campaign.AbTest.Variant(v.key(), templates, variantOffer));
		}
		List<Integer> split = ab.split();
		if (split == null || split.size() != variants.size() || split.stream().anyMatch(p -> p == null || p < 1)
				|| split.stream().mapToInt(Integer::intValue).sum() != 100) {
			throw ApiException.badRequest("invalid-split", "abTest.split", "abTest.split gives each of the "
					+ variants.size() + " variants, in their order, a whole percentage of at least 1, summing to 100 (e.g. [50, 50])");
		}
		double fraction = ab.testFraction() == null ? 1.0 : ab.testFraction();
		if (!(fraction > 0 && fraction <= 1)) {
			throw ApiException.badRequest("invalid-test-fraction", "abTest.testFraction",
					"abTest.testFraction is the share of the audience in the test: more than 0, at most 1 (1: no rest)");
		}
		if (ab.metric() == null) {
			throw ApiException.badRequest("validation-failed", "abTest.metric",
					"abTest.metric is READ_RATE, CLICK_RATE, REDEMPTION_RATE or REVENUE_PER_RECIPIENT");
		}
		if (ab.metric().needsCoupon()) {
			for (int i = 0; i < variants.size(); i++) {
				if (offer.with(variants.get(i).offer()).couponTemplateId() == null) {
					throw ApiException.badRequest("metric-needs-coupon", "abTest.metric", ab.metric()
							+ " measures the campaign's coupon, and variant " + variants.get(i).key()
							+ " offers none: give offer.couponTemplateId (or the variant's offer.couponTemplateId)");
				}
			}
		}
		Campaign.WinnerMode mode = ab.winner() == null ? Campaign.WinnerMode.MANUAL : ab.winner();
		java.time.Duration period = ab.testPeriod();
		if (mode == Campaign.WinnerMode.AUTO) {
			if (period == null) {
				throw ApiException.badRequest("missing-test-period", "abTest.testPeriod",
						"An AUTO winner is picked when abTest.testPeriod (e.g. \"PT4H\") is over");
			}
			if (period.compareTo(java.time.Duration.ofSeconds(1)) < 0 || period.compareTo(MAX_TEST_PERIOD) > 0) {
				throw ApiException.badRequest("invalid-test-period", "abTest.testPeriod",
						"abTest.testPeriod is between 1 second and 30 days");
			}
		}
		else if (period != null) {
			throw ApiException.badRequest("validation-failed", "abTest.testPeriod",
					"abTest.testPeriod is for an AUTO winner; a MANUAL winner is chosen over POST …/ab/winner");
		}
		return new Campaign.AbTest(List.copyOf(variants), List.copyOf(split), fraction, ab.metric(), mode, period);
	}

	private Campaign.VariantOffer variantOffer(Campaign.VariantOffer o, String field) {
		if (o.couponTemplateId() != null && coupons.templateName(o.couponTemplateId()).isEmpty()) {
			throw ApiException.badRequest("unknown-coupon-template", field + ".couponTemplateId",
					"No coupon template " + o.couponTemplateId());
		}
		return new Campaign.VariantOffer(o.couponTemplateId(), TextFields.optional(o.product(), field + ".product", 60));
	}

	/**
	 * Templates per channel and locale, checked as {@link #templates(Map, List, Campaign.Offer, List)}
	 * describes, with the variables {@code allowed}, their longest values ({@code longest}; nickname,
	 * the unsubscribe link and, unless given, {@code link} as that link are known here) and the in-app
	 * text's limit; {@code hint} ends the unknown-variable detail.
	 */
	Map<Channel, Map<String, String>> templates(@Nullable Map<String, Map<String, String>> given,
			List<Campaign.RouteStep> route, Set<String> allowed, Map<String, Integer> longestValues, int inAppMax,
			String hint) {
		return templates(given, route, allowed, longestValues, inAppMax, hint, "templates");
	}

	private Map<Channel, Map<String, String>> templates(@Nullable Map<String, Map<String, String>> given,
			List<Campaign.RouteStep> route, Set<String> allowed, Map<String, Integer> longestValues, int inAppMax,
			String hint, String prefix) {
		Map<String, Map<String, String>> templates = given == null ? Map.of() : given;
		Set<Channel> needed = EnumSet.noneOf(Channel.class);
		for (Campaign.RouteStep step : route) {
			needed.add(step.channel() == Channel.SMS ? Channel.SMS : Channel.IN_APP);
		}
		String unsubscribe = settings.publicUrl() + consents.unsubscribeLink(new CustomerId(new UUID(0, 0)), Channel.SMS);
		Map<Channel, Map<String, String>> out = new LinkedHashMap<>();
		for (var entry : templates.entrySet()) {
			Channel channel = switch (entry.getKey()) {
				case "IN_APP" -> Channel.IN_APP;
				case "SMS" -> Channel.SMS;
				default -> throw ApiException.badRequest("validation-failed", prefix + "." + entry.getKey(),
						"templates are given per channel: IN_APP (also the webhook's text) and SMS");
			};
			Map<String, String> locales = entry.getValue() == null ? Map.of() : entry.getValue();
			Map<String, String> checked = new LinkedHashMap<>();
			for (var locale : locales.entrySet()) {
				String field = prefix + "." + channel + "." + locale.getKey();
				if (!CustomerProfile.LOCALES.contains(locale.getKey())) {
					throw ApiException.badRequest("validation-failed", field, "A template's locale is zh-CN or en");
				}
				String text = TextFields.required(locale.getValue(), field, 10_000);
				MessageTemplate template = MessageTemplate.parse(text);
				template.firstUnknown(allowed).ifPresent(v -> {
					throw ApiException.badRequest("unknown-template-variable", field, "{" + v + "} is not a variable here; "
							+ "known: " + allowed.stream().sorted().map(a -> "{" + a + "}").collect(Collectors.joining(", "))
							+ hint);
				});
				boolean sms = channel == Channel.SMS;
				Map<String, Integer> longest = new HashMap<>(longestValues);
				longest.put("nickname", sms ? Rendering.SMS_NICKNAME : Rendering.IN_APP_NICKNAME);
				longest.putIfAbsent("link", unsubscribe.length());
				longest.put("unsubscribe", unsubscribe.length());
				int max = sms ? settings.smsMaxLength() : inAppMax;
				int length = template.longestLength(longest);
				if (length > max) {
					throw ApiException.badRequest("template-too-long", field, "The template comes to " + length
							+ " characters with its variables at their longest; " + channel + " allows " + max
							+ (sms ? " (6 UCS-2 segments with the 【店名】 signature)"
									: max < MAX_IN_APP ? " (it is the text of a card: a product's or a survey's)" : ""));
				}
				checked.put(locale.getKey(), text);
			}
			out.put(channel, checked);
		}
		for (Channel channel : needed) {
			if (!out.getOrDefault(channel, Map.of()).containsKey(LOCALE)) {
				throw ApiException.badRequest("missing-template", prefix + "." + channel + "." + LOCALE,
						"The route sends " + (channel == Channel.SMS ? "an SMS" : "an in-app or webhook message")
								+ ": " + prefix + "." + channel + ".zh-CN is required");
			}
		}
		return out;
	}

	private Campaign.Audience audience(Actor actor, Campaign.@Nullable Audience audience) {
		if (audience == null || audience.kind() == null) {
			throw ApiException.badRequest("validation-failed", "audience.kind", "audience.kind is STORES, SEGMENT or CUSTOMERS");
		}
		return switch (audience.kind()) {
			case STORES -> {
				if (audience.segmentId() != null || audience.customerIds() != null) {
					throw ApiException.badRequest("validation-failed", "audience",
							"An audience of kind STORES names neither a segment nor customers");
				}
				yield new Campaign.Audience(Campaign.AudienceKind.STORES, null, null);
			}
			case SEGMENT -> {
				if (audience.segmentId() == null) {
					throw ApiException.badRequest("validation-failed", "audience.segmentId", "audience.segmentId is required");
				}
				if (audience.customerIds() != null) {
					throw ApiException.badRequest("validation-failed", "audience.customerIds",
							"An audience of kind SEGMENT names no customers");
				}
				if (segments.find(audience.segmentId()).isEmpty()) {
					throw ApiException.badRequest("unknown-segment", "audience.segmentId", "No segment " + audience.segmentId());
				}
				yield new Campaign.Audience(Campaign.AudienceKind.SEGMENT, audience.segmentId(), null);
			}
			case CUSTOMERS -> new Campaign.Audience(Campaign.AudienceKind.CUSTOMERS, null,
					customerList(actor, audience.customerIds()));
		};
	}

	private List<CustomerId> customerList(Actor actor, @Nullable List<CustomerId> ids) {
		if (ids == null || ids.isEmpty()) {
			throw ApiException.badRequest("empty-audience", "audience.customerIds", "audience.customerIds names nobody");
		}
		if (ids.size() > settings.maxCustomers()) {
			throw ApiException.badRequest("validation-failed", "audience.customerIds",
					"audience.customerIds names at most " + settings.maxCustomers() + " customers; use a segment for more");
		}
		Set<CustomerId> distinct = new LinkedHashSet<>();
		for (int i = 0; i < ids.size(); i++) {
			if (ids.get(i) == null) {
				throw ApiException.badRequest("validation-failed", "audience.customerIds[" + i + "]", "a customer id is required");
			}
			distinct.add(ids.get(i));
		}
		Map<CustomerId, CustomerProfile> found = new HashMap<>();
		List<CustomerId> all = new ArrayList<>(distinct);
		for (int from = 0; from < all.size(); from += 1000) {
			customers.findAll(all.subList(from, Math.min(all.size(), from + 1000)))
				.forEach(p -> found.put(p.id(), p));
		}
		for (int i = 0; i < ids.size(); i++) {
			CustomerProfile p = found.get(ids.get(i));
			if (p == null) {
				throw ApiException.badRequest("unknown-customer", "audience.customerIds[" + i + "]", "No customer " + ids.get(i));
			}
			access.requireCustomer(actor, Permission.CAMPAIGN_WRITE, p.id(), p.homeStoreId());
		}
		return List.copyOf(all);
	}

	/** The lowest org node that holds every store (a store, its region, or the head office). */
	OrgNode lowestCommonNode(List<OrgNode> stores) {
		OrgNode node = stores.getFirst();
		while (true) {
			OrgNode candidate = node;
			if (stores.stream().allMatch(candidate::contains) || candidate.parentId() == null) {
				return candidate;
			}
			node = org.find(candidate.parentId()).orElseThrow();
		}
	}

	static String createdBy(Actor actor) {
		return switch (actor) {
			case Actor.Staff staff -> staff.username();
			case Actor.ApiClient client -> "api-key:" + client.name();
			default -> throw ApiException.forbidden("forbidden", "Only staff and API keys manage campaigns");
		};
	}

	// ---- views

	private static <T, R> CursorPage<R> mapped(CursorPage<T> page, java.util.function.Function<T, R> f) {
		return new CursorPage<>(page.items().stream().map(f).toList(), page.nextCursor());
	}

	CampaignView view(Campaign c) {
		Campaign.Definition d = c.definition();
		List<StoreRef> stores = d.stores().stream()
			.map(id -> org.find(id).map(n -> new StoreRef(n.id(), n.code(), n.name())).orElse(new StoreRef(id, "", "")))
			.toList();
		Campaign.Audience a = d.audience();
		AudienceView audience = new AudienceView(a.kind(), a.segmentId(), a.customerIds() == null ? null : a.customerIds().size());
		CampaignRecurrence.RecurrenceView recurring = recurrence.view(c.id());
		return new CampaignView(c.id(), c.name(), c.purpose(), c.startsAt(), c.endsAt(), d.offer(), stores, d.route(),
				d.templates(), d.abTest(), audience, c.scopeNodeId(), c.status(), c.statusReason(), c.sendAt(), c.startedAt(),
				c.finishedAt(), c.createdBy(), c.createdAt(), c.updatedAt(), progress(c, recurring != null), recurring,
				approvals.find(c.id()).map(p -> new ApprovalView(p.requestedBy(), p.requestedAt(), p.audience(), p.request(),
						p.decision(), p.decidedBy(), p.decidedAt(), p.reason())).orElse(null));
	}

	/** The campaign's progress; a recurring campaign's is its runs' added up (it sends nothing itself). */
	private Progress progress(Campaign c, boolean recurs) {
		List<CampaignId> ids = new java.util.ArrayList<>();
		ids.add(c.id());
		if (recurs) {
			recurrence.runs(c.id()).forEach(run -> ids.add(run.childId()));
		}
		Map<String, Long> counters = recipients.counters(ids);
		Map<String, Long> skipped = new java.util.TreeMap<>();
		Map<String, Long> deliveries = new java.util.TreeMap<>();
		counters.forEach((name, n) -> {
			if (name.startsWith("SKIPPED:") && n > 0) {
				skipped.put(name.substring(8), n);
			}
			else if (name.startsWith(DeliveryOutcomes.PREFIX)) {
				deliveries.put(name.substring(DeliveryOutcomes.PREFIX.length()), n);
			}
		});
		long deferred = counters.getOrDefault("DEFERRED", 0L);
		return new Progress(counters.getOrDefault(Recipients.TOTAL, 0L), counters.getOrDefault("PLANNED", 0L),
				counters.getOrDefault("HELD", 0L), counters.getOrDefault("HANDED_OFF", 0L), deferred,
				skipped.values().stream().mapToLong(Long::longValue).sum(), skipped,
				deferred > 0 ? recipients.nextWakeUp(ids).orElse(null) : null, deliveries);
	}
}
