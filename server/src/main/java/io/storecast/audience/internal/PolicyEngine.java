package io.storecast.audience.internal;

import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Consumer;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

import io.micrometer.core.instrument.MeterRegistry;
import io.storecast.audience.Channel;
import io.storecast.audience.ContactPolicy;
import io.storecast.audience.Decision;
import io.storecast.audience.Purpose;
import io.storecast.audience.SnapshotId;
import io.storecast.identity.CustomerId;
import io.storecast.identity.OrgDirectory;
import io.storecast.identity.OrgNode;
import io.storecast.identity.OrgNodeId;
import io.storecast.platform.ApiException;

/**
 * The contact policy. For each customer, in this order: a known profile; consent (a withdrawn
 * channel stops everything, marketing needs a grant unless the channel is implied); for SMS a phone
 * that is not suppressed; then, for marketing only, the send window (deferred to the next opening)
 * and the frequency cap (a slot taken atomically). Customers are decided in chunks, each one
 * transaction of a handful of set-based statements (facts, cap slots, the decision records).
 */
@Service
class PolicyEngine implements ContactPolicy {

	static final int CHUNK = 5_000;
	/** Chunks decided at once: one reads and decides in Java while the other waits for PostgreSQL. */
	static final int PARALLEL = 2;
	/**
	 * A chunk in id order is read as its id range while the range holds at most this many profiles
	 * per customer of the chunk (an ordered pass costs about a quarter of a lookup per row).
	 */
	static final int RANGE_FACTOR = 4;

	private static final Logger log = LoggerFactory.getLogger(PolicyEngine.class);
	static final int MAX_KEY_LENGTH = 200;

	private final Recipients recipients;
	private final FrequencyCaps caps;
	private final DecisionLog decisions;
	private final PolicySettings stored;
	private final StoredSegments segments;
	private final OrgDirectory org;
	private final AudienceSettings settings;
	private final TransactionTemplate tx;
	private final Clock clock;
	private final MeterRegistry meters;

	PolicyEngine(Recipients recipients, FrequencyCaps caps, DecisionLog log, PolicySettings stored, StoredSegments segments,
			OrgDirectory org, AudienceSettings settings, TransactionTemplate tx, Clock clock, MeterRegistry meters) {
		this.recipients = recipients;
		this.caps = caps;
		this.decisions = log;
		this.stored = stored;
		this.segments = segments;
		this.org = org;
		this.settings = settings;
		// decisions commit on their own: a slot taken stands even if the caller's transaction rolls back
		// (deciding again under the same key answers already-counted), and no caller holds a customer's
		// cap row locked while it does other work
		this.tx = new TransactionTemplate(java.util.Objects.requireNonNull(tx.getTransactionManager()));
		this.tx.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
		this.clock = clock;
		this.meters = meters;
	}

	@Override
	public Decision decide(CustomerId customer, Channel channel, Purpose purpose, Instant at, String campaignKey) {
		return decideAll(List.of(customer), channel, purpose, at, campaignKey).getFirst();
	}

	@Override
	public List<Decision> decideAll(List<CustomerId> customers, Channel channel, Purpose purpose, Instant at,
			String campaignKey) {
		requireKey(campaignKey);
		Batch batch = new Batch(channel, purpose, at, campaignKey, policies(), false);
		// a customer named twice is decided once (taking one slot), and answered at each place
		List<UUID> distinct = new ArrayList<>(new LinkedHashSet<>(customers.stream().map(CustomerId::value).toList()));
		Map<UUID, Decision> decided = new HashMap<>();
		java.util.Iterator<List<UUID>> chunks = new java.util.Iterator<>() {
			int from = 0;

			@Override
			public boolean hasNext() {
				return from < distinct.size();
			}

			@Override
			public List<UUID> next() {
				List<UUID> chunk = distinct.subList(from, Math.min(distinct.size(), from + CHUNK));
				from += CHUNK;
				return chunk;
			}
		};
		if (distinct.size() <= CHUNK) {
			// one chunk (a single decision, a trigger): in the caller's thread
			chunk(page(distinct, batch), batch).forEach(d -> decided.put(d.customerId().value(), d));
		}
		else {
			run(batch, () -> chunks.hasNext() ? page(chunks.next(), batch) : null,
					decisions -> decisions.forEach(d -> decided.put(d.customerId().value(), d)));
		}
		List<Decision> out = new ArrayList<>(customers.size());
		for (CustomerId c : customers) {
			out.add(decided.get(c.value()));
		}
		return out;
	}

	@Override
	public Summary decideSnapshot(SnapshotId snapshot, Channel channel, Purpose purpose, Instant at, String campaignKey,
			Consumer<List<Decision>> sink) {
		requireKey(campaignKey);
		segments.findSnapshot(snapshot.value())
			.orElseThrow(() -> ApiException.notFound("not-found", "No snapshot " + snapshot));
		// a snapshot's members come in the database's id order: chunks can be read as ranges
		Batch batch = new Batch(channel, purpose, at, campaignKey, policies(), true);
		long[] counts = new long[4];
		Map<String, Long> reasons = new TreeMap<>();
		UUID[] after = { null };
		boolean[] done = { false };
		run(batch, () -> {
			if (done[0]) {
				return null;
			}
			// only the ids here, in order (a page or two of the snapshot); each chunk's worker reads its
			// facts, so the reading of a million customers' facts is shared by the workers instead of serial
			List<UUID> ids = segments.members(snapshot.value(), after[0], CHUNK);
			if (ids.isEmpty()) {
				return null;
			}
			after[0] = ids.getLast();
			done[0] = ids.size() < CHUNK;
			return new Recipients.Page(ids, null);
		}, decisions -> {
			for (Decision d : decisions) {
				counts[d.outcome().ordinal() + 1]++;
				reasons.merge(d.reason(), 1L, Long::sum);
			}
			counts[0] += decisions.size();
			sink.accept(decisions);
		});
		log.info("Contact policy: {} decisions for {} in {} ms (reading {} ms, deciding {} ms, cap slots {} ms, "
				+ "recording {} ms, over {} chunks ({} read as id ranges) on {} threads)", counts[0], campaignKey,
				java.time.Duration.between(batch.started, clock.instant()).toMillis(), batch.readNanos.get() / 1_000_000,
				batch.decideNanos.get() / 1_000_000, batch.capNanos.get() / 1_000_000, batch.recordNanos.get() / 1_000_000,
				batch.chunks.get(), batch.ranges.get(), PARALLEL);
		return new Summary(counts[0], counts[1], counts[2], counts[3], reasons);
	}

	/** One batch of decisions: what is asked, the policies, and where the time goes. */
	final class Batch {

		final Channel channel;
		final Purpose purpose;
		final Instant at;
		final String key;
		final Policies policies;
		/** Whether chunks come in the database's id order (and may be read as id ranges). */
		final boolean inIdOrder;
		final Instant started = clock.instant();
		final java.util.concurrent.atomic.AtomicLong readNanos = new java.util.concurrent.atomic.AtomicLong();
		final java.util.concurrent.atomic.AtomicLong decideNanos = new java.util.concurrent.atomic.AtomicLong();
		final java.util.concurrent.atomic.AtomicLong capNanos = new java.util.concurrent.atomic.AtomicLong();
		final java.util.concurrent.atomic.AtomicLong recordNanos = new java.util.concurrent.atomic.AtomicLong();
		final java.util.concurrent.atomic.AtomicInteger chunks = new java.util.concurrent.atomic.AtomicInteger();
		final java.util.concurrent.atomic.AtomicInteger ranges = new java.util.concurrent.atomic.AtomicInteger();

		Batch(Channel channel, Purpose purpose, Instant at, String key, Policies policies, boolean inIdOrder) {
			this.channel = channel;
			this.purpose = purpose;
			this.at = at;
			this.key = key;
			this.policies = policies;
			this.inIdOrder = inIdOrder;
		}
	}

	private Recipients.Page page(List<UUID> ids, Batch batch) {
		Map<UUID, Recipients.Facts> facts = batch.inIdOrder && ids.size() > 1
				? recipients.factsOfRange(ids, batch.channel, RANGE_FACTOR * ids.size()) : null;
		if (facts != null) {
			batch.ranges.incrementAndGet();
		}
		return new Recipients.Page(ids, facts != null ? facts : recipients.facts(ids, batch.channel));
	}

	/**
	 * Reads chunks in the caller's thread and decides up to {@link #PARALLEL} of them at once, each
	 * in its own transaction (their customers are distinct, so they never wait for each other);
	 * hands the decisions on in chunk order.
	 */
	private void run(Batch batch, java.util.function.Supplier<Recipients.@Nullable Page> pages,
			Consumer<List<Decision>> sink) {
		java.util.ArrayDeque<java.util.concurrent.Future<List<Decision>>> inFlight = new java.util.ArrayDeque<>();
		try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
			while (true) {
				long reading = System.nanoTime();
				Recipients.Page page = pages.get();
				batch.readNanos.addAndGet(System.nanoTime() - reading);
				if (page == null) {
					break;
				}
				if (inFlight.size() >= PARALLEL) {
					sink.accept(await(inFlight.removeFirst()));
				}
				inFlight.addLast(pool.submit(() -> chunk(page, batch)));
			}
			while (!inFlight.isEmpty()) {
				sink.accept(await(inFlight.removeFirst()));
			}
		}
	}

	private static List<Decision> await(java.util.concurrent.Future<List<Decision>> future) {
		try {
			return future.get();
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while deciding", e);
		}
		catch (java.util.concurrent.ExecutionException e) {
			if (e.getCause() instanceof RuntimeException r) {
				throw r;
			}
			throw new IllegalStateException(e.getCause());
		}
	}

	/** Decides one chunk of distinct customers in one transaction and records the decisions. */
	private List<Decision> chunk(Recipients.Page ids, Batch batch) {
		long reading = System.nanoTime();
		Recipients.Page page = ids.facts() != null ? ids : page(ids.ids(), batch);
		batch.readNanos.addAndGet(System.nanoTime() - reading);
		List<Decision> decisions = tx.execute(s -> decideChunk(page, batch));
		meters.counter("storecast.audience.policy.decisions", "channel", batch.channel.name(), "purpose",
				batch.purpose.name()).increment(page.ids().size());
		batch.chunks.incrementAndGet();
		return decisions;
	}

	private List<Decision> decideChunk(Recipients.Page page, Batch batch) {
		long started = System.nanoTime();
		List<UUID> ids = page.ids();
		Map<UUID, Recipients.Facts> facts = java.util.Objects.requireNonNull(page.facts());
		Channel channel = batch.channel;
		Purpose purpose = batch.purpose;
		Instant at = batch.at;
		String key = batch.key;
		Policies policies = batch.policies;
		Map<UUID, Decision> decided = new HashMap<>(ids.size() * 2);
		// customers waiting for a cap slot, by the (cap, window) their home store's policy sets
		Map<CapKey, List<UUID>> wanting = new LinkedHashMap<>();
		Map<UUID, Instant> deferred = new HashMap<>();
		Map<UUID, Policy> policyOf = new HashMap<>();
		for (UUID id : ids) {
			CustomerId customer = new CustomerId(id);
			Recipients.Facts f = facts.get(id);
			if (f == null) {
				decided.put(id, Decision.drop(customer, "unknown-customer"));
				continue;
			}
			String refusal = refusal(f, channel, purpose);
			if (refusal != null) {
				decided.put(id, Decision.drop(customer, refusal));
				continue;
			}
			if (purpose == Purpose.TRANSACTIONAL) {
				decided.put(id, Decision.sendNow(customer, "transactional"));
				continue;
			}
			Policy policy = policies.of(f.homeStoreId(), f.timeZone());
			policyOf.put(id, policy);
			QuietHours.Verdict verdict = policy.verdict(at);
			if (!verdict.open()) {
				decided.put(id, Decision.defer(customer, verdict.next(), verdict.reason()));
				deferred.put(id, verdict.next());
				continue;
			}
			wanting.computeIfAbsent(new CapKey(policy.cap(), policy.capDays()), k -> new ArrayList<>()).add(id);
		}
		long capping = System.nanoTime();
		for (Map.Entry<CapKey, List<UUID>> group : wanting.entrySet()) {
			CapKey p = group.getKey();
			FrequencyCaps.Taken taken = caps.take(group.getValue(), key, at, p.cap(), p.days());
			for (UUID id : group.getValue()) {
				CustomerId customer = new CustomerId(id);
				decided.put(id, taken.granted().contains(id) ? Decision.sendNow(customer, "within-policy")
						: taken.alreadyCounted().contains(id) ? Decision.sendNow(customer, "already-counted")
								: Decision.drop(customer, "frequency-cap"));
			}
		}
		if (!deferred.isEmpty()) {
			// a deferred message whose customer will still be at the cap when the window opens is dropped now
			Map<UUID, List<Instant>> sends = caps.sends(deferred.keySet());
			deferred.forEach((id, until) -> {
				Policy p = policyOf.get(id);
				Instant since = until.minus(Duration.ofDays(p.capDays()));
				long counted = sends.getOrDefault(id, List.of()).stream().filter(t -> t.isAfter(since)).count();
				if (p.cap() <= 0 || counted >= p.cap()) {
					decided.put(id, Decision.drop(new CustomerId(id), "frequency-cap"));
				}
			});
		}
		long recording = System.nanoTime();
		batch.capNanos.addAndGet(recording - capping);
		List<Decision> out = new ArrayList<>(ids.size());
		for (UUID id : ids) {
			out.add(decided.get(id));
		}
		decisions.record(out, key, channel, purpose, at, clock.instant());
		long end = System.nanoTime();
		batch.recordNanos.addAndGet(end - recording);
		batch.decideNanos.addAndGet(end - started);
		return out;
	}

	/** Why the message may not go at all, or null. */
	private @Nullable String refusal(Recipients.Facts f, Channel channel, Purpose purpose) {
		String consent = ConsentKeeping.refusal(f.marketing(), f.transactional(), purpose,
				settings.impliedConsentChannels().contains(channel));
		if (consent != null) {
			return consent;
		}
		if (channel == Channel.SMS) {
			if (f.phone() == null) {
				return "no-phone";
			}
			if (f.suppressed()) {
				return "suppressed";
			}
		}
		return null;
	}

	private static void requireKey(String key) {
		if (key == null || key.isBlank() || key.length() > MAX_KEY_LENGTH) {
			throw ApiException.badRequest("validation-failed", "campaignKey", "campaignKey must be 1-" + MAX_KEY_LENGTH
					+ " characters");
		}
	}

	// --- the policy of each customer --------------------------------------------------------------

	/** Loads the settings, holidays and org nodes once for a batch. */
	Policies policies() {
		Map<UUID, PolicySettings.NodeSettings> nodeSettings = new HashMap<>();
		stored.all().forEach(s -> nodeSettings.put(s.orgNodeId(), s));
		return new Policies(nodeSettings, stored.holidays(null));
	}

	/** The effective policy of one store (or the head office) for one time zone. */
	record Policy(ZoneId zone, QuietHours.Window window, int cap, int capDays,
			Map<LocalDate, QuietHours.Day> holidays) {

		QuietHours.Verdict verdict(Instant at) {
			return QuietHours.at(at, zone, window, holidays::get);
		}
	}

	/** Customers whose policies set the same cap share one cap statement. */
	record CapKey(int cap, int days) {
	}

	/** Effective policies per (home store, zone), computed once per batch. */
	final class Policies {

		private final Map<UUID, PolicySettings.NodeSettings> nodeSettings;
		private final List<PolicySettings.Holiday> holidays;
		// shared by the chunks decided at once
		private final Map<String, Policy> cache = new java.util.concurrent.ConcurrentHashMap<>();
		private final Map<UUID, Optional<OrgNode>> nodes = new java.util.concurrent.ConcurrentHashMap<>();
		private final OrgNode headOffice;

		Policies(Map<UUID, PolicySettings.NodeSettings> nodeSettings, List<PolicySettings.Holiday> holidays) {
			this.nodeSettings = nodeSettings;
			this.holidays = holidays;
			this.headOffice = org.headOffice();
		}

		Policy of(@Nullable UUID homeStore, @Nullable String customerZone) {
			return cache.computeIfAbsent(homeStore + "|" + customerZone, k -> compute(homeStore, customerZone));
		}

		Policy forNode(OrgNode node) {
			return compute(node.id().value(), null);
		}

		private Policy compute(@Nullable UUID homeStore, @Nullable String customerZone) {
			OrgNode node = homeStore == null ? headOffice
					: nodes.computeIfAbsent(homeStore, id -> org.find(new OrgNodeId(id))).orElse(headOffice);
			List<UUID> chain = pathIds(node.path());
			java.time.LocalTime start = settings.sendWindowStart();
			java.time.LocalTime end = settings.sendWindowEnd();
			int cap = settings.frequencyCap();
			int capDays = (int) settings.frequencyWindow().toDays();
			for (UUID id : chain) {
				PolicySettings.NodeSettings s = nodeSettings.get(id);
				if (s == null) {
					continue;
				}
				if (s.windowStart() != null && s.windowEnd() != null) {
					start = s.windowStart();
					end = s.windowEnd();
				}
				if (s.cap() != null) {
					cap = s.cap();
				}
				if (s.capDays() != null) {
					capDays = s.capDays();
				}
			}
			Map<LocalDate, QuietHours.Day> days = new HashMap<>();
			settings.holidays().forEach(d -> days.put(d, QuietHours.Day.CLOSED));
			// the deepest node's holiday wins over the head office's on the same day
			for (UUID id : chain) {
				for (PolicySettings.Holiday h : holidays) {
					boolean applies = h.orgNodeId() == null ? id.equals(chain.getFirst()) : h.orgNodeId().equals(id);
					if (applies) {
						days.put(h.day(), h.windowStart() == null ? QuietHours.Day.CLOSED
								: new QuietHours.Day(new QuietHours.Window(h.windowStart(), h.windowEnd())));
					}
				}
			}
			return new Policy(zone(customerZone, node.timeZone()), new QuietHours.Window(start, end), cap, capDays, days);
		}
	}

	static List<UUID> pathIds(String path) {
		List<UUID> ids = new ArrayList<>();
		for (String part : path.split("/")) {
			if (!part.isEmpty()) {
				ids.add(UUID.fromString(part));
			}
		}
		return ids;
	}

	private static ZoneId zone(@Nullable String customerZone, ZoneId fallback) {
		if (customerZone == null) {
			return fallback;
		}
		try {
			return ZoneId.of(customerZone);
		}
		catch (DateTimeException e) {
			return fallback;
		}
	}
}
