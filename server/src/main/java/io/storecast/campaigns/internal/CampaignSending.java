package io.storecast.campaigns.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import javax.sql.DataSource;

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
import jakarta.annotation.PreDestroy;

/**
 * Sends a campaign: plans its recipients (the audience written to {@code campaigns_recipients} as
 * PLANNED, once; or, for a segment without an A/B test, its snapshot taken to be walked,
 * {@link RecipientWalks}), then works through them a chunk at a time, {@code send-workers} chunks side
 * by side on disjoint ranges of customers. Each chunk is one transaction holding the campaign's row in
 * share mode: the contact policy's decisions, coupon grants, rendering, delivery's outbox rows and the
 * recipients' new status (or new rows) commit together, so a crash anywhere loses or repeats nothing —
 * the next run (db-scheduler's retry, or the resume at start) picks up the recipients still PLANNED and
 * the walk where its last whole round ended. One run of a
 * campaign goes at a time ({@link #tryRunLock}); one that finds another under way looks again a few
 * seconds later. Deciding again is harmless (the policy answers {@code already-counted}), and so are
 * grants and deliveries (idempotent on campaign and customer). Deferred recipients wait for one
 * wake-up per campaign at the earliest time one of them is due.
 */
@Component
class CampaignSending {

	private static final Logger log = LoggerFactory.getLogger(CampaignSending.class);
	/** The first key of a run's advisory lock ({@link #tryRunLock}): "CAMP". */
	private static final int RUN_LOCK_CLASS = 0x43414D50;
	/** How long a run that finds its campaign being sent by another waits before it looks again. */
	private static final Duration LOCKED_RETRY = Duration.ofSeconds(5);

	private final Campaigns campaigns;
	private final Recipients recipients;
	private final RecipientWalks walks;
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
	private final DataSource dataSource;
	private final Clock clock;
	/** Takes the chunks of a round after the first, which the run's own thread takes. */
	private final ExecutorService pool;
	/**
	 * For tests: in the next run, every chunk from this one on (0-based, in customer order) fails before
	 * its commit, as a crash would stop them; -1: never.
	 */
	private final AtomicInteger failAfterChunks = new AtomicInteger(-1);
	/** For tests: recipients per chunk instead of the setting; 0: the setting. */
	private final AtomicInteger chunkSizeOverride = new AtomicInteger();
	/**
	 * For tests: called in each chunk, inside its transaction, just before its outcomes are recorded,
	 * with the campaign, the chunk's index and its customers (what a run alongside could decide meanwhile).
	 */
	private final AtomicReference<@Nullable BeforeRecord> beforeRecord = new AtomicReference<>();

	/** See {@link #beforeRecord(BeforeRecord)}. */
	@FunctionalInterface
	interface BeforeRecord {
		void accept(CampaignId campaign, int chunk, List<CustomerId> customers);
	}

	CampaignSending(Campaigns campaigns, Recipients recipients, RecipientWalks walks, CampaignScheduling scheduling,
			Segments segments,
			CustomerDirectory customers, ContactPolicy policy, Coupons coupons, Delivery delivery, OrgDirectory org,
			Consents consents, ResultsRecording results, Surveys surveys,
			org.springframework.beans.factory.ObjectProvider<CampaignAbTesting> abTesting, CampaignSettings settings,
			TransactionTemplate tx, DataSource dataSource, Clock clock) {
		this.surveys = surveys;
		this.campaigns = campaigns;
		this.recipients = recipients;
		this.walks = walks;
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
		this.dataSource = dataSource;
		this.clock = clock;
		checkPool(settings.sendWorkers(), poolSize(dataSource));
		this.pool = Executors.newFixedThreadPool(Math.max(1, settings.sendWorkers() - 1),
				Thread.ofPlatform().name("campaign-send-", 0).daemon().factory());
	}

	/** How long a round of chunks holds delivery's bulk messages back at most (each round renews it). */
	static final Duration BULK_HOLD = Duration.ofSeconds(30);

	/** Connections the rest of the server should keep while a campaign sends (delivery, requests, db-scheduler). */
	static final int CONNECTIONS_LEFT = 4;

	/**
	 * A send holds up to two connections per worker and one for its run lock. A pool smaller than that
	 * could leave a send waiting for its own connections, so the server refuses to start. The bound is
	 * per send: two campaigns sending at once (db-scheduler runs two tasks) share the chunk workers but
	 * each holds its own run lock and chunk, three connections more; they then wait for connections
	 * (and time out after the pool's 10 s) rather than hang. A pool that
	 * leaves fewer than {@value #CONNECTIONS_LEFT} others starves delivery and requests while a
	 * campaign sends, which is logged.
	 *
	 * @return whether the pool leaves enough connections for the rest
	 */
	static boolean checkPool(int sendWorkers, int poolSize) {
		int held = 2 * sendWorkers + 1;
		if (poolSize <= 0) {
			return true;
		}
		if (held > poolSize) {
			throw new IllegalStateException("storecast.campaigns.send-workers=" + sendWorkers + " holds up to " + held
					+ " database connections while a campaign sends, more than storecast.db.pool-size=" + poolSize
					+ ": raise the pool size to at least " + (held + CONNECTIONS_LEFT) + " or lower send-workers");
		}
		if (held + CONNECTIONS_LEFT > poolSize) {
			log.warn("storecast.campaigns.send-workers={} holds up to {} of the {} database connections while a campaign "
					+ "sends; delivery and requests will wait for the rest. Raise storecast.db.pool-size to at least {}",
					sendWorkers, held, poolSize, held + CONNECTIONS_LEFT);
			return false;
		}
		return true;
	}

	/** The pool's maximum size, or 0 when the data source is not a Hikari pool (nothing to check). */
	private static int poolSize(DataSource dataSource) {
		try {
			return dataSource.isWrapperFor(com.zaxxer.hikari.HikariDataSource.class)
					? dataSource.unwrap(com.zaxxer.hikari.HikariDataSource.class).getMaximumPoolSize() : 0;
		}
		catch (java.sql.SQLException e) {
			return 0;
		}
	}

	@PreDestroy
	void stop() {
		pool.shutdownNow();
	}

	/** A chunk found a recipient it handed off already decided by another run of the campaign. */
	static final class OverlappingRun extends IllegalStateException {

		OverlappingRun(CampaignId campaign, CustomerId customer) {
			super("Campaign " + campaign + ": customer " + customer + " was decided by another run at the same time;"
					+ " this run stops (its chunk is rolled back) and the other goes on");
		}
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

	void beforeRecord(@Nullable BeforeRecord hook) {
		beforeRecord.set(hook);
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
		RunLock held = tryRunLock(id);
		if (held == null) {
			// another run of this campaign is under way (a resume while db-scheduler retries, a wake-up):
			// look again a little later rather than hold a scheduler thread until it ends
			scheduling.wakeUp(id, clock.instant().plus(LOCKED_RETRY));
			log.debug("Campaign {} is being sent by another run; looking again in {}", id, LOCKED_RETRY);
			return;
		}
		try (RunLock lock = held) {
			// what a run before this one left
			c = campaigns.find(id).orElseThrow();
			if (c.status() != Campaign.Status.SENDING) {
				return;
			}
			if (c.plannedAt() == null) {
				if (!plan(c)) {
					return;
				}
				c = campaigns.find(id).orElseThrow();
			}
			process(c);
			finish(id);
		}
	}

	/**
	 * Writes the audience as PLANNED recipients or, for a segment without an A/B test, snapshots it to
	 * be walked by the chunks ({@link RecipientWalks}); false when the send ended here (nobody to send to).
	 */
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
				if (d.abTest() == null) {
					return walk(c, segments.heldSnapshot(segment, c.id().source(), c.scopeNodeId()));
				}
				// an A/B test's rest is held as rows until the winner is known
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
			campaigns.planned(c.id(), snapshot, false, clock.instant());
		});
		if (planned == 0) {
			fail(c, "empty-audience");
			return false;
		}
		log.info("Campaign {} planned {} recipients", c.id(), planned);
		return true;
	}

	/**
	 * Starts the walk of a held snapshot: the counters at its size, all planned. False, the snapshot let
	 * go, when it is empty or the campaign stopped sending while it was taken (a cancel then found no
	 * walk to end).
	 */
	private boolean walk(Campaign c, SegmentSnapshot snapshot) {
		boolean walking = Boolean.TRUE.equals(tx.execute(s -> {
			Campaign locked = campaigns.lock(c.id()).orElse(null);
			if (locked == null || locked.status() != Campaign.Status.SENDING || snapshot.memberCount() == 0) {
				walks.letGo(c);
				return false;
			}
			recipients.expect(c.id(), snapshot.memberCount());
			campaigns.planned(c.id(), snapshot.id().value(), true, clock.instant());
			return true;
		}));
		if (!walking) {
			if (snapshot.memberCount() == 0) {
				fail(c, "empty-audience");
			}
			return false;
		}
		log.info("Campaign {} walks {} recipients from snapshot {}", c.id(), snapshot.memberCount(), snapshot.id());
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
		int size = chunkSizeOverride.get() > 0 ? chunkSizeOverride.get() : settings.chunkSize();
		int workers = settings.sendWorkers();
		UUID surveyId = c.definition().offer().surveyId();
		Survey survey = surveyId == null ? null : surveys.find(surveyId).orElse(null);
		// one per worker: a rendering keeps what it looked up (speakers, texts) for the chunks after
		List<Rendering> renderings = new ArrayList<>(workers);
		for (int i = 0; i < workers; i++) {
			renderings.add(new Rendering(c, org, consents, settings.publicUrl(), results.links(), coupons, survey));
		}
		int failFrom = failAfterChunks.get();
		try {
			handOffAll(c, renderings, size, failFrom);
		}
		catch (SimulatedCrash crash) {
			failAfterChunks.compareAndSet(failFrom, -1);
			throw crash;
		}
		finally {
			// what the hand-off held back goes at once (another send handing off holds it again at its next round)
			delivery.holdBulk(Instant.EPOCH);
		}
	}

	/** The phases of a run: the snapshot's members not walked yet, the recipients listed as planned, the deferred ones due. */
	private enum Phase {
		WALK, PLANNED, DEFERRED
	}

	/**
	 * Works through the members of the snapshot not walked yet ({@link RecipientWalks}), then the planned
	 * recipients, then the deferred ones whose time has come: up to one chunk per worker at a time, side
	 * by side (the run's thread takes the first, the pool the others), each on its own range of
	 * customers, until a phase has no more or the campaign stops sending. A chunk that fails fails the
	 * run once the others of its round have ended.
	 */
	private void handOffAll(Campaign c, List<Rendering> renderings, int size, int failFrom) {
		Instant runAt = clock.instant();
		int[] index = { 0 };
		int limit = size * renderings.size();
		for (Phase phase : Phase.values()) {
			Campaigns.Walk walk = phase == Phase.WALK ? campaigns.walk(c.id()).orElse(null) : null;
			if (phase == Phase.WALK && walk == null) {
				continue;
			}
			CustomerId after = walk == null ? null : walk.after();
			boolean sending = true;
			while (sending) {
				List<Recipients.Pending> next = switch (phase) {
					case WALK -> walks.next(walk, after, limit).stream()
						.map(customer -> new Recipients.Pending(customer, Recipients.Status.PLANNED, null))
						.toList();
					case PLANNED -> recipients.planned(c.id(), after, limit);
					case DEFERRED -> recipients.dueDeferred(c.id(), runAt, after, limit);
				};
				if (next.isEmpty()) {
					if (phase == Phase.WALK) {
						tx.executeWithoutResult(s -> walks.end(c));
					}
					break;
				}
				sending = round(c, renderings, next, size, runAt, index, failFrom, phase != Phase.WALK);
				after = next.getLast().customerId();
				if (sending && phase == Phase.WALK) {
					campaigns.walkedTo(c.id(), after);
				}
			}
		}
	}

	/** Hands off one round of pending recipients, a chunk per worker; false when the campaign stopped sending. */
	private boolean round(Campaign c, List<Rendering> renderings, List<Recipients.Pending> next, int size, Instant runAt,
			int[] index, int failFrom, boolean listed) {
		// the messages handed off wait while we hand off more: this node's cores go to the hand-off
		// first, and the hold runs out by itself should this run stop without letting go
		delivery.holdBulk(clock.instant().plus(BULK_HOLD));
		List<Callable<Boolean>> round = new ArrayList<>();
		for (int k = 0; k < next.size(); k += size) {
			List<Recipients.Pending> pending = next.subList(k, Math.min(next.size(), k + size));
			Rendering rendering = renderings.get(round.size());
			int chunkIndex = index[0]++;
			round.add(() -> Objects.requireNonNull(tx.execute(
					st -> chunk(c, rendering, pending, runAt, chunkIndex, failFrom, listed))));
		}
		return all(round);
	}

	/**
	 * Runs the round's chunks, the first on this thread; true unless one found the campaign no longer
	 * sending. Every chunk handed to the pool is waited for, whatever happens here (an interrupt, a
	 * failure): the run lets go of its lock only when none of its chunks is in flight.
	 */
	private boolean all(List<Callable<Boolean>> round) {
		List<Future<Boolean>> others = new ArrayList<>(round.size() - 1);
		Throwable failure = null;
		boolean sending = true;
		try {
			for (Callable<Boolean> chunk : round.subList(1, round.size())) {
				others.add(pool.submit(chunk));
			}
			sending = round.getFirst().call();
		}
		catch (Exception | Error e) {
			failure = e;
		}
		boolean interrupted = false;
		for (Future<Boolean> other : others) {
			while (true) {
				try {
					sending &= other.get();
					break;
				}
				catch (ExecutionException e) {
					failure = failure == null ? e.getCause() : failure;
					break;
				}
				catch (InterruptedException e) {
					interrupted = true;
				}
			}
		}
		if (interrupted) {
			Thread.currentThread().interrupt();
			failure = failure == null ? new IllegalStateException("Interrupted while a campaign's chunks were handed off") : failure;
		}
		switch (failure) {
			case null -> {
				return sending;
			}
			case RuntimeException e -> throw e;
			case Error e -> throw e;
			default -> throw new IllegalStateException(failure);
		}
	}

	/**
	 * One run of a campaign's send at a time, on any node: a PostgreSQL advisory lock held by a
	 * connection of the run's own for as long as it runs (a node that dies lets go of it with its
	 * connection). A second run — the resume at start while db-scheduler retries the first, a wake-up —
	 * finds it taken (null) and looks again later, then finds what is left. Within a run, chunks on
	 * disjoint ranges of customers commit side by side; should runs ever overlap (a lock's session
	 * lost), {@link Recipients#record} still moves and counts each recipient once.
	 */
	private @Nullable RunLock tryRunLock(CampaignId id) {
		Connection connection;
		try {
			// a connection of the run's own, outside any transaction of the caller's
			connection = dataSource.getConnection();
		}
		catch (SQLException e) {
			throw new IllegalStateException("No connection for the send lock of campaign " + id, e);
		}
		try (PreparedStatement lock = connection.prepareStatement("SELECT pg_try_advisory_lock(?, ?)")) {
			lock.setInt(1, RUN_LOCK_CLASS);
			lock.setInt(2, lockKey(id));
			boolean taken;
			try (var rs = lock.executeQuery()) {
				taken = rs.next() && rs.getBoolean(1);
			}
			if (!taken) {
				connection.close();
				return null;
			}
			return new RunLock(connection, id);
		}
		catch (SQLException e) {
			RunLock.abort(connection);
			throw new IllegalStateException("Could not take the send lock of campaign " + id, e);
		}
	}

	/** The second key of a campaign's run lock: its id folded to 32 bits (a shared key only makes two campaigns take turns). */
	private static int lockKey(CampaignId id) {
		long bits = id.value().getMostSignificantBits() ^ id.value().getLeastSignificantBits();
		return (int) (bits ^ (bits >>> 32));
	}

	/** A run's hold on its campaign: the advisory lock, and the connection that holds it. */
	private record RunLock(Connection connection, CampaignId id) implements AutoCloseable {

		/** Closes a connection that may hold the lock without giving it back to the pool. */
		static void abort(Connection connection) {
			try {
				connection.abort(Runnable::run);
			}
			catch (SQLException | RuntimeException ignored) {
				// gone already
			}
			try {
				connection.close();
			}
			catch (SQLException ignored) {
				// aborted: the pool drops it
			}
		}

		@Override
		public void close() {
			try (PreparedStatement unlock = connection.prepareStatement("SELECT pg_advisory_unlock(?, ?)")) {
				unlock.setInt(1, RUN_LOCK_CLASS);
				unlock.setInt(2, lockKey(id));
				unlock.execute();
			}
			catch (SQLException | RuntimeException e) {
				// a connection that may still hold the lock must not go back to the pool: its session ends
				log.warn("Could not release the send lock of campaign {}; closing its connection", id, e);
				abort(connection);
				return;
			}
			try {
				connection.close();
			}
			catch (SQLException e) {
				log.warn("The send lock's connection of campaign {} did not close", id, e);
			}
		}
	}

	/**
	 * Decides, renders and hands off one chunk of pending recipients, read before the chunk: a recipient
	 * decided meanwhile (by a cancel, which this chunk's share lock on the campaign waits for, or by a
	 * run that lost its lock) is moved and counted by whichever chunk records it first
	 * ({@link Recipients#record}); false when the campaign is no longer sending (or its window closed).
	 */
	private boolean chunk(Campaign c, Rendering rendering, List<Recipients.Pending> pending, Instant runAt, int index,
			int failFrom, boolean listed) {
		Campaign locked = campaigns.lockShared(c.id()).orElse(null);
		if (locked == null || locked.status() != Campaign.Status.SENDING) {
			return false;
		}
		Instant now = clock.instant();
		if (!now.isBefore(c.endsAt())) {
			return false;
		}
		if (!listed) {
			// members a chunk of a stopped run (or of one running alongside) listed already are left out
			Set<CustomerId> done = recipients.listedBetween(c.id(), pending.getFirst().customerId(),
					pending.getLast().customerId());
			if (!done.isEmpty()) {
				pending = pending.stream().filter(p -> !done.contains(p.customerId())).toList();
			}
			if (pending.isEmpty()) {
				return true;
			}
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
		List<Recipients.HandedOff> handed = new ArrayList<>();
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
					Recipients.HandedOff h = new Recipients.HandedOff(customer, rendering.speaker(profile.homeStoreId()).id(),
							linkIds.hasNext() ? linkIds.next() : null, coupon);
					sendTo.add(profile);
					handed.add(h);
					requests.add(rendering.request(profile, rendering.speaker(profile.homeStoreId()), variant,
							coupon == null ? null : coupon.code(), h.linkId()));
				}
			}
		}
		outcomes.addAll(handOff(sendTo, handed, requests, previous));
		BeforeRecord hook = beforeRecord.get();
		if (hook != null) {
			hook.accept(c.id(), index, ids);
		}
		Set<UUID> recorded = recipients.record(c.id(), outcomes, c.definition().firstChannel(), now, index, listed);
		for (Recipients.Outcome o : outcomes) {
			if (o.deliveryId() != null && !recorded.contains(o.customerId().value())) {
				// another run decided this recipient meanwhile (runs overlapped: a lock's session lost): its message
				// was handed off as new (Delivery.enqueueNew), so this chunk must not commit; the run stops here,
				// the other goes on, and a later run starts after what committed
				throw new OverlappingRun(c.id(), o.customerId());
			}
		}
		results.granted(c, handed);
		if (failFrom >= 0 && index >= failFrom) {
			throw new SimulatedCrash("test hook: chunk " + index + " of campaign " + c.id() + " stopped before its commit");
		}
		return true;
	}

	/** Queues the chunk's messages ({@link HandOff}); a request delivery refuses skips its recipient with delivery's code. */
	private List<Recipients.Outcome> handOff(List<CustomerProfile> sendTo, List<Recipients.HandedOff> handed,
			List<DeliveryRequest> requests, Map<CustomerId, Recipients.Status> previous) {
		return HandOff.allNew(delivery, requests, sendTo, (i, id) -> {
			Recipients.HandedOff h = handed.get(i);
			return new Recipients.Outcome(h.customerId(), previous.get(h.customerId()), Recipients.Status.HANDED_OFF, null,
					null, id.value(), h);
		}, (i, code) -> skipped(handed.get(i).customerId(), previous.get(handed.get(i).customerId()), code));
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
				walks.skipRemaining(c, "campaign-ended", now);
				campaigns.transition(id, List.of(Campaign.Status.SENDING), Campaign.Status.SENT, "campaign-ended", now);
				return;
			}
			if (!recipients.planned(id, null, 1).isEmpty() || campaigns.walk(id).isPresent()) {
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
