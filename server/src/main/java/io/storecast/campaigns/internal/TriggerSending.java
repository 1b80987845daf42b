package io.storecast.campaigns.internal;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import io.storecast.audience.Consents;
import io.storecast.audience.ContactPolicy;
import io.storecast.audience.Decision;
import io.storecast.delivery.Delivery;
import io.storecast.delivery.DeliveryRequest;
import io.storecast.identity.CustomerDirectory;
import io.storecast.identity.CustomerId;
import io.storecast.identity.CustomerProfile;
import io.storecast.identity.OrgDirectory;
import io.storecast.identity.OrgNode;
import io.storecast.identity.OrgNodeId;

/**
 * Fires triggers: an event becomes a firing (once per trigger and event) with its recipients (once
 * per firing and customer), then the recipients whose time has come are decided and handed off a
 * chunk at a time. A chunk is one transaction that locks its recipients' rows (passing over rows
 * another run holds): the contact policy's decisions, delivery's outbox rows and the recipients'
 * new status commit together, so a crash or a second run loses or repeats nothing. Deferred
 * recipients (quiet hours) are decided again when their time comes, by the periodic run.
 */
@Component
class TriggerSending {

	private static final Logger log = LoggerFactory.getLogger(TriggerSending.class);
	/** Audience members planned per statement. */
	private static final int PLAN_PAGE = 10_000;

	/** Decides, for a recipient due now, whether the event still warrants the message; a reason to skip, or null. */
	interface Check {
		@Nullable String skip(Trigger trigger, Triggers.Firing firing);
	}

	private final Triggers triggers;
	private final CustomerDirectory customers;
	private final ContactPolicy policy;
	private final Delivery delivery;
	private final OrgDirectory org;
	private final Consents consents;
	private final CampaignSettings campaignSettings;
	private final TriggerSettings settings;
	private final Surveys surveys;
	private final TransactionTemplate tx;
	private final Clock clock;

	TriggerSending(Triggers triggers, CustomerDirectory customers, ContactPolicy policy, Delivery delivery,
			OrgDirectory org, Consents consents, CampaignSettings campaignSettings, TriggerSettings settings, Surveys surveys,
			TransactionTemplate tx, Clock clock) {
		this.surveys = surveys;
		this.triggers = triggers;
		this.customers = customers;
		this.policy = policy;
		this.delivery = delivery;
		this.org = org;
		this.consents = consents;
		this.campaignSettings = campaignSettings;
		this.settings = settings;
		this.tx = tx;
		this.clock = clock;
	}

	/**
	 * Fires the trigger on an event for the customers {@code audience} lists page by page (given the
	 * last customer of the page before, null first; a short page ends it), due at {@code due}; the
	 * recipients due now are handed off before this returns.
	 */
	Triggers.Firing fire(Trigger trigger, String eventKey, Triggers.Subject subject, Instant due,
			Function<@Nullable CustomerId, List<CustomerId>> audience) {
		long started = System.nanoTime();
		Instant now = clock.instant();
		Triggers.Firing firing = Objects.requireNonNull(tx.execute(s -> triggers.fire(trigger.id(), eventKey, subject, now)));
		long planned = 0;
		CustomerId after = null;
		List<CustomerId> page;
		do {
			page = audience.apply(after);
			planned += triggers.plan(firing, page, due, now);
			after = page.isEmpty() ? null : page.getLast();
		}
		while (page.size() >= PLAN_PAGE);
		long plannedAt = System.nanoTime();
		if (!due.isAfter(now)) {
			process(firing.id(), null);
		}
		if (planned > 0 && log.isDebugEnabled()) {
			log.debug("Trigger {} fired on {}: {} recipient(s) planned in {} ms, due ones decided and handed off in {} ms",
					trigger.id(), eventKey, planned, (plannedAt - started) / 1_000_000, (System.nanoTime() - plannedAt) / 1_000_000);
		}
		return firing;
	}

	/** A page function for a fixed list of customers. */
	static Function<@Nullable CustomerId, List<CustomerId>> only(List<CustomerId> customers) {
		return after -> after == null ? customers : List.of();
	}

	static int planPage() {
		return PLAN_PAGE;
	}

	/** Decides and hands off the firing's recipients whose time has come; {@code check} may skip them all. */
	void process(UUID firingId, @Nullable Check check) {
		Triggers.Firing firing = triggers.firing(firingId).orElse(null);
		if (firing == null) {
			return;
		}
		Trigger trigger = triggers.find(firing.triggerId()).orElse(null);
		if (trigger == null) {
			return;
		}
		Object surveyId = firing.subject().data().get("surveyId");
		Survey survey = surveyId instanceof String id ? surveys.find(UUID.fromString(id)).orElse(null) : null;
		TriggerRendering rendering = new TriggerRendering(trigger, firing, survey, consents, campaignSettings.publicUrl(),
				settings.fallbackMinute());
		String skipAll = !trigger.enabled() ? "trigger-disabled"
				// a firing that asks a survey gone or closed sends nothing more
				: surveyId != null && (survey == null || survey.closed()) ? "survey-closed"
						: check == null ? null : check.skip(trigger, firing);
		while (Boolean.TRUE.equals(tx.execute(s -> chunk(trigger, firing, rendering, skipAll)))) {
			// next chunk
		}
	}

	/** One chunk; false when there was nothing (more) due. */
	private boolean chunk(Trigger trigger, Triggers.Firing firing, TriggerRendering rendering, @Nullable String skipAll) {
		Instant now = clock.instant();
		List<CustomerId> ids = triggers.lockDue(firing.id(), now, settings.chunkSize());
		if (ids.isEmpty()) {
			return false;
		}
		List<Triggers.Outcome> outcomes = new ArrayList<>(ids.size());
		if (skipAll != null) {
			ids.forEach(id -> outcomes.add(skipped(id, skipAll)));
			triggers.record(firing.id(), outcomes, now);
			return true;
		}
		List<Decision> decisions = policy.decideAll(ids, trigger.definition().firstChannel(), trigger.purpose(), now,
				trigger.source() + ":" + firing.eventKey());
		Map<CustomerId, CustomerProfile> profiles = new HashMap<>();
		customers.findAll(ids).forEach(p -> profiles.put(p.id(), p));
		List<CustomerId> sendTo = new ArrayList<>();
		List<DeliveryRequest> requests = new ArrayList<>();
		Map<OrgNodeId, java.util.Optional<OrgNode>> stores = new HashMap<>();
		for (Decision decision : decisions) {
			CustomerId customer = decision.customerId();
			switch (decision.outcome()) {
				case DROP -> outcomes.add(skipped(customer, decision.reason()));
				case DEFER -> outcomes.add(new Triggers.Outcome(customer, Triggers.Status.DEFERRED, decision.reason(),
						Objects.requireNonNull(decision.deferUntil()), null));
				case SEND_NOW -> {
					CustomerProfile profile = profiles.get(customer);
					OrgNodeId storeId = firing.subject().store() != null ? firing.subject().store()
							: profile == null ? null : profile.homeStoreId();
					OrgNode store = storeId == null ? null : stores.computeIfAbsent(storeId, org::find).orElse(null);
					if (profile == null || store == null) {
						outcomes.add(skipped(customer, profile == null ? "unknown-customer" : "no-store"));
						continue;
					}
					sendTo.add(customer);
					requests.add(rendering.request(profile, store));
				}
			}
		}
		outcomes.addAll(handOff(sendTo, requests));
		triggers.record(firing.id(), outcomes, now);
		return true;
	}

	/** Queues the chunk's messages ({@link HandOff}); a request delivery refuses skips its recipient with delivery's code. */
	private List<Triggers.Outcome> handOff(List<CustomerId> sendTo, List<DeliveryRequest> requests) {
		return HandOff.all(delivery, requests,
				(i, id) -> new Triggers.Outcome(sendTo.get(i), Triggers.Status.HANDED_OFF, null, null, id.value()),
				(i, code) -> skipped(sendTo.get(i), code));
	}

	private static Triggers.Outcome skipped(CustomerId customer, String reason) {
		return new Triggers.Outcome(customer, Triggers.Status.SKIPPED, reason, null, null);
	}
}
