package io.storecast.campaigns.internal;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;

import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import io.storecast.audience.Segments;
import io.storecast.campaigns.CampaignId;
import io.storecast.identity.AccessPolicy;
import io.storecast.identity.Actor;
import io.storecast.identity.OrgDirectory;
import io.storecast.identity.OrgNode;
import io.storecast.identity.OrgNodeId;
import io.storecast.identity.OrgNodeKind;
import io.storecast.identity.Permission;
import io.storecast.identity.StaffDirectory;
import io.storecast.identity.StaffId;
import io.storecast.platform.ApiException;
import io.storecast.platform.Ids;

/**
 * Cascades: a campaign announced to store managers by a staff notice is forwarded by each of them (or
 * anyone who may send at the store) to their store's customers. A forward is a child campaign of the
 * source's offer, route and templates for that one store, sent now through the campaign machinery
 * (contact policy, exactly once, progress), and linked to its source and the forwarding employee, so
 * its results add up per store and per employee.
 */
@Service
class CascadeForwarding {


	/** @param storeId the store whose customers hear it; null: the forwarding employee's own store */
	record ForwardRequest(@Nullable OrgNodeId storeId, Campaign.@Nullable Audience audience) {
	}

	/**
	 * What a campaign's counters and attributed results say, in the terms of a roll-up: coupons
	 * claimed (or granted) through it, redeemed, the revenue of the orders that redeemed them and the
	 * coupons' cost (fen), and {@code roi} = (revenue − cost) / cost, null while nothing is redeemed.
	 */
	record Metrics(long forwards, long recipients, long handedOff, long skipped, long sent, long delivered, long read,
			long failed, long claimed, long redeemed, long revenueFen, long couponCostFen, @Nullable Double roi) {

		static final Metrics NONE = new Metrics(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, null);

		static Metrics of(Map<String, Long> counters, Results.Counts attributed) {
			return new Metrics(1, counters.getOrDefault(Recipients.TOTAL, 0L), counters.getOrDefault("HANDED_OFF", 0L),
					counters.entrySet().stream().filter(e -> e.getKey().startsWith("SKIPPED:")).mapToLong(Map.Entry::getValue).sum(),
					delivery(counters, "SENT"), delivery(counters, "DELIVERED"), delivery(counters, "READ"),
					delivery(counters, "FAILED"), attributed.claimed(), attributed.redeemed(), attributed.revenueFen(),
					attributed.couponCostFen(), CampaignResults.roi(attributed.revenueFen(), attributed.couponCostFen()));
		}

		private static long delivery(Map<String, Long> counters, String status) {
			return counters.getOrDefault(DeliveryOutcomes.PREFIX + status, 0L);
		}

		Metrics plus(Metrics o) {
			return new Metrics(forwards + o.forwards, recipients + o.recipients, handedOff + o.handedOff,
					skipped + o.skipped, sent + o.sent, delivered + o.delivered, read + o.read, failed + o.failed,
					claimed + o.claimed, redeemed + o.redeemed, revenueFen + o.revenueFen, couponCostFen + o.couponCostFen,
					CampaignResults.roi(revenueFen + o.revenueFen, couponCostFen + o.couponCostFen));
		}
	}

	/** @param automatic made by the store's forward rule, in the name of who set it */
	record ForwardView(CampaignId childId, CampaignId sourceId, StaffNoticeManagement.NodeRef store, StaffId forwardedBy,
			String forwardedByName, Instant forwardedAt, boolean automatic, Campaign.Status status) {
	}

	/**
	 * Where a store's automatic forward stands: due at {@code dueAt} (PENDING), made (FORWARDED), beaten
	 * by a forward by hand (BY_HAND), not tried (SKIPPED) or refused (FAILED), with the reason's code.
	 */
	record AutoForwardView(AutoForwards.Status status, Instant dueAt, @Nullable String reason, @Nullable String detail,
			@Nullable Instant decidedAt) {
	}

	/**
	 * A participating store: whether it forwarded, who did, by hand or by its rule ({@code automatic}),
	 * what its forward achieved, and its automatic forward if its rule took the campaign up.
	 */
	record StoreResult(StaffNoticeManagement.NodeRef store, @Nullable CampaignId childId, @Nullable StaffId forwardedBy,
			@Nullable String forwardedByName, @Nullable Instant forwardedAt, @Nullable Boolean automatic,
			Campaign.@Nullable Status status, Metrics metrics, @Nullable AutoForwardView autoForward) {
	}

	record EmployeeResult(StaffId staffId, String name, Metrics metrics) {
	}

	/**
	 * @param notices the staff notices announcing the campaign
	 * @param automatic how many of the forwards a rule made
	 * @param pendingAutomatic automatic forwards still waiting for their time
	 */
	record CascadeView(CampaignId sourceId, String name, List<StaffNoticeId> notices, int stores, int forwarded,
			int automatic, int pendingAutomatic, Metrics totals, List<StoreResult> byStore, List<EmployeeResult> byEmployee) {
	}

	enum RankBy {
		EMPLOYEE, STORE
	}

	enum Metric {
		FORWARDS(Metrics::forwards), RECIPIENTS(Metrics::recipients), SENT(Metrics::sent), DELIVERED(Metrics::delivered),
		READ(Metrics::read), CLAIMED(Metrics::claimed), REDEEMED(Metrics::redeemed), REVENUE(Metrics::revenueFen);

		final ToLongFunction<Metrics> value;

		Metric(ToLongFunction<Metrics> value) {
			this.value = value;
		}
	}

	/** A place on the leaderboard: an employee ({@code id} a staff id) or a store (an org node id). */
	record Place(int rank, String id, String name, long value, Metrics metrics) {
	}

	record Leaderboard(CampaignId sourceId, RankBy by, Metric metric, List<Place> places) {
	}

	private final Campaigns campaigns;
	private final Forwards forwards;
	private final AutoForwards autoForwards;
	private final StaffNotices notices;
	private final CampaignManagement campaignManagement;
	private final AccessPolicy access;
	private final OrgDirectory org;
	private final Segments segments;
	private final StaffDirectory staff;
	private final Results results;
	private final TransactionTemplate tx;
	private final Clock clock;

	CascadeForwarding(Campaigns campaigns, Forwards forwards, AutoForwards autoForwards, StaffNotices notices,
			CampaignManagement campaignManagement, AccessPolicy access, OrgDirectory org, Segments segments,
			StaffDirectory staff, Results results, TransactionTemplate tx, Clock clock) {
		this.campaigns = campaigns;
		this.forwards = forwards;
		this.autoForwards = autoForwards;
		this.notices = notices;
		this.campaignManagement = campaignManagement;
		this.access = access;
		this.org = org;
		this.segments = segments;
		this.staff = staff;
		this.results = results;
		this.tx = tx;
		this.clock = clock;
	}

	/** Forwards the source to a store's customers as a child campaign sent now. */
	ForwardView forward(Actor actor, CampaignId sourceId, @Nullable ForwardRequest request) {
		if (!(actor instanceof Actor.Staff me)) {
			throw ApiException.forbidden("forbidden", "A campaign is forwarded by a staff member, who is measured for it");
		}
		access.require(actor, Permission.CAMPAIGN_WRITE);
		Campaign source = campaigns.find(sourceId).orElseThrow(() -> notFound(sourceId));
		List<StaffNotice> announcing = notices.announcing(sourceId);
		boolean told = announcing.stream().anyMatch(n -> notices.recipient(n.id(), me.id()).isPresent());
		if (!told && !access.reaches(actor, source.scopeNodeId())) {
			throw notFound(sourceId);
		}
		if (announcing.isEmpty()) {
			throw ApiException.conflict("not-a-cascade",
					"Only a campaign announced to staff by a staff notice (its campaignId) is forwarded");
		}
		OrgNodeId storeId = request == null || request.storeId() == null ? me.orgNodeId() : request.storeId();
		return forward(me, source, storeId, request == null ? null : request.audience(), false);
	}

	/**
	 * The forward a store's rule makes in the name of {@code owner}, who set it: as by hand, except that
	 * the announcement to the store (which scheduled it) stands for the owner having been told.
	 */
	ForwardView forwardByRule(Actor.Staff owner, CampaignId sourceId, OrgNodeId storeId, Campaign.Audience audience) {
		access.require(owner, Permission.CAMPAIGN_WRITE);
		Campaign source = campaigns.find(sourceId).orElseThrow(() -> notFound(sourceId));
		return forward(owner, source, storeId, audience, true);
	}

	private ForwardView forward(Actor.Staff me, Campaign source, OrgNodeId storeId, Campaign.@Nullable Audience asked,
			boolean automatic) {
		CampaignId sourceId = source.id();
		if (source.status() == Campaign.Status.CANCELLED || source.status() == Campaign.Status.FAILED) {
			throw ApiException.conflict("campaign-not-forwardable", "The campaign is " + source.status());
		}
		OrgNode store = participatingStore(source, storeId);
		access.requireAt(me, Permission.CAMPAIGN_WRITE, store.id());
		if (forwards.find(sourceId, store.id()).isPresent()) {
			throw alreadyForwarded(store);
		}
		Campaign.Audience audience = audience(asked);
		Instant now = clock.instant();
		Campaign.Definition d = source.definition();
		Campaign child = new Campaign(new CampaignId(Ids.newId()),
				StaffNoticeRuns.shorten(source.name() + " · " + store.name(), 100), source.purpose(), source.startsAt(),
				source.endsAt(), new Campaign.Definition(d.offer(), List.of(store.id()), d.route(), d.templates(), audience, null),
				store.id(), store.path(), Campaign.Status.DRAFT, null, null, null, null, null, null, me.username(), now, now);
		String name = staff.findActive(me.id()).map(StaffDirectory.StaffMemberView::displayName).orElse(me.username());
		Forwards.Forward forward = new Forwards.Forward(child.id(), sourceId, store.id(), me.id(), name, now, automatic);
		tx.executeWithoutResult(s -> {
			campaigns.insert(child);
			if (!forwards.insert(forward)) {
				throw alreadyForwarded(store);
			}
			if (!automatic) {
				// a forward by hand first: the store's rule, if it is waiting, has nothing left to do
				autoForwards.decide(sourceId, store.id(), AutoForwards.Status.BY_HAND, null, null, child.id(), now);
			}
			// sends now, or refuses (nobody in the store's audience, the campaign over) and nothing is kept
			campaignManagement.send(me, child.id(), null);
		});
		return view(forward, campaigns.find(child.id()).orElseThrow().status(), new HashMap<>());
	}

	/** The store, which must be one of the source's (400 {@code unknown-store}, {@code not-a-store}, {@code store-not-participating}). */
	OrgNode participatingStore(Campaign source, OrgNodeId storeId) {
		OrgNode store = store(storeId);
		if (!source.definition().stores().contains(store.id())) {
			throw ApiException.badRequest("store-not-participating", "storeId",
					store.name() + " does not take part in this campaign");
		}
		return store;
	}

	/** A store (400 {@code unknown-store}, or {@code not-a-store} for a region or the head office). */
	OrgNode store(OrgNodeId storeId) {
		OrgNode store = org.find(storeId)
			.orElseThrow(() -> ApiException.badRequest("unknown-store", "storeId", "No org node " + storeId));
		if (store.kind() != OrgNodeKind.STORE) {
			throw ApiException.badRequest("not-a-store", "storeId", store.name() + " is not a store: name the store to forward to");
		}
		return store;
	}

	/** The audience of a forward: the store's customers (STORES, the default) or a segment of them. */
	Campaign.Audience audience(Campaign.@Nullable Audience audience) {
		if (audience == null || audience.kind() == Campaign.AudienceKind.STORES) {
			if (audience != null && (audience.segmentId() != null || audience.customerIds() != null)) {
				throw ApiException.badRequest("validation-failed", "audience", "An audience of kind STORES names neither a segment nor customers");
			}
			return new Campaign.Audience(Campaign.AudienceKind.STORES, null, null);
		}
		if (audience.kind() != Campaign.AudienceKind.SEGMENT || audience.customerIds() != null) {
			throw ApiException.badRequest("validation-failed", "audience.kind",
					"A forward goes to the store's customers (STORES) or a segment of them (SEGMENT)");
		}
		if (audience.segmentId() == null || segments.find(audience.segmentId()).isEmpty()) {
			throw ApiException.badRequest("unknown-segment", "audience.segmentId", "No segment " + audience.segmentId());
		}
		return new Campaign.Audience(Campaign.AudienceKind.SEGMENT, audience.segmentId(), null);
	}

	/** The roll-up: every participating store with its forward and results, and every forwarding employee. */
	CascadeView cascade(Actor actor, CampaignId sourceId) {
		Campaign source = campaignManagement.readable(actor, sourceId);
		List<Forwards.Forward> all = forwards.bySource(sourceId);
		List<CampaignId> children = all.stream().map(Forwards.Forward::childId).toList();
		Map<CampaignId, Map<String, Long>> counters = forwards.counters(children);
		Map<@Nullable String, Results.Counts> attributed = results.counts(children, Results.Key.CAMPAIGN);
		Map<OrgNodeId, StaffNoticeManagement.NodeRef> nodes = new HashMap<>();
		Map<OrgNodeId, Forwards.Forward> byStore = new HashMap<>();
		all.forEach(f -> byStore.put(f.storeId(), f));
		Map<OrgNodeId, AutoForwardView> autos = new HashMap<>();
		autoForwards.bySource(sourceId).forEach(a -> autos.put(a.storeId(),
				new AutoForwardView(a.status(), a.dueAt(), a.reason(), a.detail(), a.decidedAt())));
		Map<CampaignId, Campaign.Status> statuses = new HashMap<>();
		List<StoreResult> stores = new ArrayList<>();
		Metrics totals = Metrics.NONE;
		for (OrgNodeId storeId : source.definition().stores()) {
			StaffNoticeManagement.NodeRef store = node(nodes, storeId);
			Forwards.Forward f = byStore.get(storeId);
			if (f == null) {
				stores.add(new StoreResult(store, null, null, null, null, null, null, Metrics.NONE, autos.get(storeId)));
				continue;
			}
			Metrics m = Metrics.of(counters.getOrDefault(f.childId(), Map.of()),
					attributed.getOrDefault(f.childId().toString(), Results.Counts.NONE));
			totals = totals.plus(m);
			Campaign.Status status = statuses.computeIfAbsent(f.childId(),
					id -> campaigns.find(id).map(Campaign::status).orElse(Campaign.Status.FAILED));
			stores.add(new StoreResult(store, f.childId(), f.forwardedBy(), f.forwardedByName(), f.forwardedAt(),
					f.automatic(), status, m, autos.get(storeId)));
		}
		Map<StaffId, EmployeeResult> employees = new LinkedHashMap<>();
		for (Forwards.Forward f : all) {
			Metrics m = Metrics.of(counters.getOrDefault(f.childId(), Map.of()),
					attributed.getOrDefault(f.childId().toString(), Results.Counts.NONE));
			employees.merge(f.forwardedBy(), new EmployeeResult(f.forwardedBy(), f.forwardedByName(), m),
					(a, b) -> new EmployeeResult(a.staffId(), a.name(), a.metrics().plus(b.metrics())));
		}
		return new CascadeView(sourceId, source.name(), notices.announcing(sourceId).stream().map(StaffNotice::id).toList(),
				stores.size(), all.size(), (int) all.stream().filter(Forwards.Forward::automatic).count(),
				(int) autos.values().stream().filter(a -> a.status() == AutoForwards.Status.PENDING).count(), totals, stores,
				List.copyOf(employees.values()));
	}

	/** Employees or stores ranked by a metric, the highest first (equal values share a rank). */
	Leaderboard leaderboard(Actor actor, CampaignId sourceId, @Nullable RankBy by, @Nullable Metric metric) {
		RankBy rankBy = by == null ? RankBy.EMPLOYEE : by;
		Metric measure = metric == null ? Metric.READ : metric;
		CascadeView view = cascade(actor, sourceId);
		List<Place> unranked = new ArrayList<>();
		if (rankBy == RankBy.EMPLOYEE) {
			view.byEmployee().forEach(e -> unranked.add(new Place(0, e.staffId().toString(), e.name(),
					measure.value.applyAsLong(e.metrics()), e.metrics())));
		}
		else {
			view.byStore().stream().filter(s -> s.childId() != null).forEach(s -> unranked.add(new Place(0,
					s.store().id().toString(), s.store().name(), measure.value.applyAsLong(s.metrics()), s.metrics())));
		}
		unranked.sort(Comparator.comparingLong(Place::value).reversed().thenComparing(Place::name));
		List<Place> places = new ArrayList<>();
		for (int i = 0; i < unranked.size(); i++) {
			Place p = unranked.get(i);
			int rank = i > 0 && places.get(i - 1).value() == p.value() ? places.get(i - 1).rank() : i + 1;
			places.add(new Place(rank, p.id(), p.name(), p.value(), p.metrics()));
		}
		return new Leaderboard(sourceId, rankBy, measure, places);
	}

	private ForwardView view(Forwards.Forward f, Campaign.Status status, Map<OrgNodeId, StaffNoticeManagement.NodeRef> nodes) {
		return new ForwardView(f.childId(), f.sourceId(), node(nodes, f.storeId()), f.forwardedBy(), f.forwardedByName(),
				f.forwardedAt(), f.automatic(), status);
	}

	private StaffNoticeManagement.NodeRef node(Map<OrgNodeId, StaffNoticeManagement.NodeRef> cache, OrgNodeId id) {
		return StaffNoticeManagement.NodeRef.of(org, cache, id);
	}

	private static ApiException alreadyForwarded(OrgNode store) {
		return ApiException.conflict("already-forwarded", store.name() + " has already forwarded this campaign");
	}

	private static ApiException notFound(CampaignId id) {
		return ApiException.notFound("not-found", "No campaign " + id);
	}
}
