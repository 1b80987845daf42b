package io.storecast.campaigns.internal;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import io.storecast.audience.Consents;
import io.storecast.audience.ContactPolicy;
import io.storecast.audience.Decision;
import io.storecast.audience.SegmentSnapshot;
import io.storecast.audience.Segments;
import io.storecast.campaigns.CampaignId;
import io.storecast.coupons.Coupons;
import io.storecast.coupons.IssuedCoupon;
import io.storecast.delivery.Delivery;
import io.storecast.delivery.DeliveryRequest;
import io.storecast.identity.CustomerDirectory;
import io.storecast.identity.CustomerId;
import io.storecast.identity.CustomerProfile;
import io.storecast.identity.OrgDirectory;
import io.storecast.platform.ApiException;

/**
 * Sends a campaign: plans its recipients (the audience written to {@code campaigns_recipients} as
 * PLANNED, once), then works through them a chunk at a time. Each chunk is one transaction holding
 * the campaign's row lock: the contact policy's decisions, coupon grants, rendering, delivery's
 * outbox rows and the recipients' new status commit together, so a crash anywhere loses or repeats
 * nothing — the next run (db-scheduler's retry, or the resume at start) picks up the recipients still
 * PLANNED. Deciding again is harmless (the policy answers {@code already-counted}), and so are grants
 * and deliveries (idempotent on campaign and customer). Deferred recipients wait for one wake-up per
 * campaign at the earliest time one of them is due.
 */
@Component
class CampaignSending {

	private static final Logger log = LoggerFactory.getLogger(CampaignSending.class);

	private final Campaigns campaigns;
	private final Recipients recipients;
	private final CampaignScheduling scheduling;
	private final Segments segments;
	private final CustomerDirectory customers;
	private final ContactPolicy policy;
	private final Coupons coupons;
	private final Delivery delivery;
	private final OrgDirectory org;
	private final Consents consents;
	private final ResultsRecording results;
	private final Surveys surveys;
	private final org.springframework.beans.factory.ObjectProvider<CampaignAbTesting> abTesting;
	private final CampaignSettings settings;
	private final TransactionTemplate tx;
	private final Clock clock;
	/** For tests: fail the chunk after this many have committed in this run (a crash mid-send); -1: never. */
	private final AtomicInteger failAfterChunks = new AtomicInteger(-1);
	/** For tests: recipients per chunk instead of the setting; 0: the setting. */
	private final AtomicInteger chunkSizeOverride = new AtomicInteger();

	CampaignSending(Campaigns campaigns, Recipients recipients, CampaignScheduling scheduling, Segments segments,
			CustomerDirectory customers, ContactPolicy policy, Coupons coupons, Delivery delivery, OrgDirectory org,
			Consents consents, ResultsRecording results, Surveys surveys,
			org.springframework.beans.factory.ObjectProvider<CampaignAbTesting> abTesting, CampaignSettings settings,
			TransactionTemplate tx, Clock clock) {
		this.surveys = surveys;
		this.campaigns = campaigns;
		this.recipients = recipients;
		this.scheduling = scheduling;
		this.segments = segments;
		this.customers = customers;
		this.policy = policy;
		this.coupons = coupons;
		this.delivery = delivery;
		this.org = org;
		this.consents = consents;
		this.results = results;
		this.abTesting = abTesting;
		this.settings = settings;
		this.tx = tx;
		this.clock = clock;
	}

	/** Thrown by the test hook to stop a send as a crash would. */
	static final class SimulatedCrash extends RuntimeException {
		SimulatedCrash(String message) {
			super(message);
		}
	}

	void failAfterChunks(int chunks) {
		failAfterChunks.set(chunks);
	}

	void chunkSize(int size) {
		chunkSizeOverride.set(size);
	}

	/** One run of a campaign's send (first, after a wake-up, or resumed). */
	void run(CampaignId id) {
		Campaign c = campaigns.find(id).orElse(null);
		if (c == null) {
			return;
		}
		Instant now = clock.instant();
		if (c.status() == Campaign.Status.SCHEDULED) {
			campaigns.transition(id, List.of(Campaign.Status.SCHEDULED), Campaign.Status.SENDING, null, now);
			c = campaigns.find(id).orElseThrow();
		}
		if (c.status() != Campaign.Status.SENDING) {
			return;
		}
		if (c.plannedAt() == null && !plan(c)) {
			return;
		}
		c = campaigns.find(id).orElseThrow();
		process(c);
	}

	/** Writes the audience as PLANNED recipients; false when the send ended here (nobody to send to). */
	private boolean plan(Campaign c) {
		Instant now = clock.instant();
		Campaign.Definition d = c.definition();
		UUID snapshotId = null;
		long planned = 0;
		int page = settings.planPageSize();
		switch (d.audience().kind()) {
			case SEGMENT -> {
				var segment = Objects.requireNonNull(d.audience().segmentId());
				if (segments.find(segment).isEmpty()) {
					fail(c, "unknown-segment");
					return false;
				}
				SegmentSnapshot snapshot = segments.snapshot(segment, c.id().source(), c.scopeNodeId());
				snapshotId = snapshot.id().value();
				planned = planPages(c, after -> segments.members(snapshot.id(), after, page), page, now);
			}
			case STORES -> planned = planPages(c, after -> customers.idsAtStores(d.stores(), after, page), page, now);
			case CUSTOMERS -> {
				List<CustomerId> ids = Objects.requireNonNull(d.audience().customerIds());
				for (int from = 0; from < ids.size(); from += page) {
					planned += ids.subList(from, Math.min(ids.size(), from + page)).size();
					recipients.plan(c.id(), ids.subList(from, Math.min(ids.size(), from + page)), d.abTest(), now);
				}
			}
		}
		UUID snapshot = snapshotId;
		tx.executeWithoutResult(s -> {
			recipients.recount(c.id());
			campaigns.planned(c.id(), snapshot, clock.instant());
		});
		if (planned == 0) {
			fail(c, "empty-audience");
			return false;
		}
		log.info("Campaign {} planned {} recipients", c.id(), planned);
		return true;
	}

	/** Plans page after page ({@code next}: the page after a customer, null for the first) until one is short. */
	private long planPages(Campaign c, java.util.function.Function<@Nullable CustomerId, List<CustomerId>> next, int page,
			Instant now) {
		long planned = 0;
		CustomerId after = null;
		List<CustomerId> members;
		do {
			members = next.apply(after);
			recipients.plan(c.id(), members, c.definition().abTest(), now);
			planned += members.size();
			after = members.isEmpty() ? null : members.getLast();
		}
		while (members.size() == page);
		return planned;
	}

	private void fail(Campaign c, String reason) {
		campaigns.transition(c.id(), List.of(Campaign.Status.SENDING), Campaign.Status.FAILED, reason, clock.instant());
		log.warn("Campaign {} failed: {}", c.id(), reason);
	}

	private void process(Campaign c) {
		UUID surveyId = c.definition().offer().surveyId();
		Rendering rendering = new Rendering(c, org, consents, settings.publicUrl(), results.links(), coupons,
				surveyId == null ? null : surveys.find(surveyId).orElse(null));
		int size = chunkSizeOverride.get() > 0 ? chunkSizeOverride.get() : settings.chunkSize();
		int chunks = 0;
		Instant runAt = clock.instant();
		// first the planned recipients, then the deferred ones whose time has come
		for (boolean deferred : new boolean[] { false, true }) {
			CustomerId after = null;
			while (true) {
				CustomerId cursor = after;
				int done = chunks;
				Optional<CustomerId> last = Objects.requireNonNull(tx.execute(s -> chunk(c, rendering, deferred, cursor,
						size, runAt, done)));
				if (last.isEmpty()) {
					break;
				}
				after = last.get();
				chunks++;
			}
		}
		finish(c.id());
	}

	/**
	 * Decides, renders and hands off one chunk; the last customer of the chunk, or empty when there is
	 * nothing (more) to do or the campaign is no longer sending.
	 */
	private Optional<CustomerId> chunk(Campaign c, Rendering rendering, boolean deferred, @Nullable CustomerId after,
			int size, Instant runAt, int done) {
		Campaign locked = campaigns.lock(c.id()).orElse(null);
		if (locked == null || locked.status() != Campaign.Status.SENDING) {
			return Optional.empty();
		}
		Instant now = clock.instant();
		if (!now.isBefore(c.endsAt())) {
			return Optional.empty();
		}
		List<Recipients.Pending> pending = deferred ? recipients.dueDeferred(c.id(), runAt, after, size)
				: recipients.planned(c.id(), after, size);
		if (pending.isEmpty()) {
			return Optional.empty();
		}
		Map<CustomerId, Recipients.Status> previous = new HashMap<>();
		Map<CustomerId, String> variants = new HashMap<>();
		pending.forEach(p -> {
			previous.put(p.customerId(), p.status());
			if (p.variant() != null) {
				variants.put(p.customerId(), p.variant());
			}
		});
		List<CustomerId> ids = pending.stream().map(Recipients.Pending::customerId).toList();
		List<Decision> decisions = policy.decideAll(ids, c.definition().firstChannel(), c.purpose(), now,
				c.id().source());
		Map<CustomerId, CustomerProfile> profiles = new HashMap<>();
		customers.findAll(ids).forEach(p -> profiles.put(p.id(), p));

		List<Recipients.Outcome> outcomes = new ArrayList<>(ids.size());
		List<CustomerProfile> sendTo = new ArrayList<>();
		List<DeliveryRequest> requests = new ArrayList<>();
		List<String> codes = new ArrayList<>();
		List<Engagement.HandedOff> handed = new ArrayList<>();
		java.util.Iterator<Long> linkIds = results.linkIds(rendering, decisions);
		for (Decision decision : decisions) {
			CustomerId customer = decision.customerId();
			Recipients.Status was = previous.get(customer);
			switch (decision.outcome()) {
				case DROP -> outcomes.add(skipped(customer, was, decision.reason()));
				case DEFER -> {
					Instant until = Objects.requireNonNull(decision.deferUntil());
					if (!until.isBefore(c.endsAt())) {
						outcomes.add(skipped(customer, was, "campaign-ended"));
					}
					else {
						// never due again within this run: the wake-up decides again
						Instant later = until.isAfter(runAt) ? until : runAt.plusSeconds(60);
						outcomes.add(new Recipients.Outcome(customer, was, Recipients.Status.DEFERRED, decision.reason(),
								later, null, null));
					}
				}
				case SEND_NOW -> {
					CustomerProfile profile = profiles.get(customer);
					if (profile == null) {
						outcomes.add(skipped(customer, was, "unknown-customer"));
						continue;
					}
					String variant = variants.get(customer);
					Campaign.Offer offer = rendering.offer(variant);
					IssuedCoupon coupon = null;
					if (offer.grants()) {
						try {
							coupon = coupons.grant(offer.couponTemplateId(), customer, customer.toString(),
									c.id().source(), ResultsListeners.SOURCE, c.id().toString());
						}
						catch (ApiException e) {
							outcomes.add(skipped(customer, was, "coupon-" + e.code()));
							continue;
						}
					}
					String code = coupon == null ? null : coupon.code();
					Engagement.HandedOff h = new Engagement.HandedOff(customer, rendering.speaker(profile.homeStoreId()).id(),
							linkIds.hasNext() ? linkIds.next() : null, coupon, variant);
					sendTo.add(profile);
					codes.add(code);
					handed.add(h);
					requests.add(rendering.request(profile, rendering.speaker(profile.homeStoreId()), variant, code, h.linkId()));
				}
			}
		}
		outcomes.addAll(handOff(sendTo, requests, codes, previous));
		recipients.record(c.id(), outcomes, now);
		results.handedOff(c, outcomes, handed, now);
		if (failAfterChunks.get() >= 0 && done >= failAfterChunks.get()) {
			failAfterChunks.set(-1);
			throw new SimulatedCrash("test hook: stopped after " + done + " chunks of campaign " + c.id());
		}
		return Optional.of(ids.getLast());
	}

	/** Queues the chunk's messages ({@link HandOff}); a request delivery refuses skips its recipient with delivery's code. */
	private List<Recipients.Outcome> handOff(List<CustomerProfile> sendTo, List<DeliveryRequest> requests,
			List<String> codes, Map<CustomerId, Recipients.Status> previous) {
		return HandOff.all(delivery, requests, sendTo, (i, id) -> {
			CustomerId customer = sendTo.get(i).id();
			return new Recipients.Outcome(customer, previous.get(customer), Recipients.Status.HANDED_OFF, null, null,
					id.value(), codes.get(i));
		}, (i, code) -> skipped(sendTo.get(i).id(), previous.get(sendTo.get(i).id()), code));
	}

	private static Recipients.Outcome skipped(CustomerId customer, Recipients.Status was, String reason) {
		return new Recipients.Outcome(customer, was, Recipients.Status.SKIPPED, reason, null, null, null);
	}

	/** After a run: ended, waiting for deferred recipients (a wake-up scheduled), or sent. */
	private void finish(CampaignId id) {
		tx.executeWithoutResult(s -> {
			Campaign c = campaigns.lock(id).orElse(null);
			if (c == null || c.status() != Campaign.Status.SENDING) {
				return;
			}
			Instant now = clock.instant();
			if (!now.isBefore(c.endsAt())) {
				recipients.skipRemaining(id, "campaign-ended", now);
				campaigns.transition(id, List.of(Campaign.Status.SENDING), Campaign.Status.SENT, "campaign-ended", now);
				return;
			}
			if (!recipients.planned(id, null, 1).isEmpty()) {
				// a chunk stopped early (the window closed mid-run is handled above): run again
				scheduling.wakeUp(id, now);
				return;
			}
			if (c.definition().abTest() != null) {
				abTesting.getObject().testHandedOff(c, now);
			}
			Optional<Instant> next = recipients.nextWakeUp(id);
			if (next.isPresent()) {
				scheduling.wakeUp(id, next.get());
			}
			else if (recipients.anyHeld(id)) {
				// the rest waits for the A/B test's winner, which schedules its send; else it ends with the campaign
				scheduling.wakeUp(id, c.endsAt());
			}
			else {
				campaigns.transition(id, List.of(Campaign.Status.SENDING), Campaign.Status.SENT, null, now);
				log.info("Campaign {} sent", id);
			}
		});
	}
}
