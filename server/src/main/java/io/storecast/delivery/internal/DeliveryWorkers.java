package io.storecast.delivery.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import io.storecast.audience.Channel;
import io.storecast.audience.Consents;
import io.storecast.audience.Suppressions;
import io.storecast.delivery.DeliveryId;
import io.storecast.delivery.DeliveryStatus;
import io.storecast.delivery.DeliveryStatusChanged;
import io.storecast.delivery.internal.channel.AttemptResult;
import io.storecast.delivery.internal.channel.ChannelAdapter;
import io.storecast.delivery.internal.channel.Outgoing;
import io.storecast.identity.OrgDirectory;
import io.storecast.identity.OrgNode;
import io.storecast.identity.OrgNodeId;
import io.storecast.messaging.ConversationId;
import io.storecast.messaging.MerchantMessaging;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The outbox workers of this node. One dispatcher thread leases due attempts per channel (as many as
 * the channel's window and rate limit allow), hands each to a virtual thread that checks consent and
 * suppression and calls the channel, and records every outcome (and every receipt) itself, in
 * batches, one transaction per batch: so a receipt is never matched while its send's result is
 * still being written. Attempts whose lease ran out (their node died) are queued again; in-app
 * messages whose fallback time came are read or moved on to the next channel.
 */
@Component
class DeliveryWorkers implements SmartLifecycle {

	private static final Logger log = LoggerFactory.getLogger(DeliveryWorkers.class);
	private static final int CLAIM_BATCH = 500;
	private static final int RECORD_BATCH = 500;

	/** Something to record. */
	sealed interface Done {

		/** The leased attempt (or batch message) it is about; null for a receipt. */
		default Outbox.@Nullable Claimed attempt() {
			return null;
		}
	}

	record Outcome(Outbox.Claimed attempt, AttemptResult result, @Nullable String payloadHash) implements Done {
	}

	record Skipped(Outbox.Claimed attempt, String code, String detail) implements Done {
	}

	record Receipt(Channel channel, String providerId, boolean delivered, String code, boolean addressFault,
			@Nullable String detail, Instant at) implements Done {
	}

	private final Outbox outbox;
	private final OutboxBatches batches;
	private final InAppReads reads;
	/** The ids of batch messages this node leased (negative: an attempt's id is positive). */
	private final java.util.concurrent.atomic.AtomicLong batchMessageIds = new java.util.concurrent.atomic.AtomicLong();
	private final Map<Channel, ChannelAdapter> adapters = new EnumMap<>(Channel.class);
	private final Map<Channel, RateLimiter> limiters = new EnumMap<>(Channel.class);
	private final Map<Channel, AtomicInteger> inFlight = new EnumMap<>(Channel.class);
	private volatile BulkHold bulkHold;
	private final Addresses addresses;
	private final Consents consents;
	private final Suppressions suppressions;
	private final MerchantMessaging messaging;
	private final OrgDirectory org;
	private final ApplicationEventPublisher events;
	private final TransactionTemplate tx;
	private final DeliverySettings settings;
	private final JsonMapper json;
	private final Clock clock;
	private final LinkedBlockingQueue<Done> done = new LinkedBlockingQueue<>();
	// replaced at each start: a stopped context (tests pause cached contexts) may be started again
	private volatile ExecutorService sends = newSends();
	private final Map<OrgNodeId, String> storeNames = new java.util.concurrent.ConcurrentHashMap<>();

	/** Attempts this node leased and has not started yet, per channel (touched by the dispatcher only). */
	private final Map<Channel, java.util.ArrayDeque<Outbox.Claimed>> leased = new EnumMap<>(Channel.class);

	private volatile boolean running;
	private volatile @Nullable Thread dispatcher;
	private volatile @Nullable Thread recorder;

	DeliveryWorkers(Outbox outbox, OutboxBatches batches, InAppReads reads, List<ChannelAdapter> channelAdapters,
			Addresses addresses, Consents consents, Suppressions suppressions, MerchantMessaging messaging, OrgDirectory org, ApplicationEventPublisher events,
			TransactionTemplate tx, DeliverySettings settings, JsonMapper json, Clock clock) {
		this.outbox = outbox;
		this.batches = batches;
		this.reads = reads;
		long now = System.nanoTime();
		for (ChannelAdapter a : channelAdapters) {
			adapters.put(a.channel(), a);
			limiters.put(a.channel(), new RateLimiter(settings.ratePerSecond(a.channel()), now));
			inFlight.put(a.channel(), new AtomicInteger());
			leased.put(a.channel(), new java.util.ArrayDeque<>());
		}
		this.addresses = addresses;
		this.consents = consents;
		this.suppressions = suppressions;
		this.messaging = messaging;
		this.org = org;
		this.events = events;
		this.tx = tx;
		this.settings = settings;
		this.json = json;
		this.clock = clock;
		this.bulkHold = new BulkHold(settings.bulkHold());
	}

	/** See {@code Delivery.holdBulk}: a release wakes the dispatcher, so what was held goes at once. */
	void holdBulk(Instant until) {
		boolean wasHeld = bulkHold.held(clock.instant());
		bulkHold.holdUntil(until);
		if (wasHeld && !bulkHold.held(clock.instant())) {
			wake();
		}
	}

	/** Test hook: holds from now on as these settings say; null: as configured. */
	void bulkHoldSettings(DeliverySettings.@Nullable BulkHoldSettings bulkHoldSettings) {
		bulkHold = new BulkHold(bulkHoldSettings == null ? settings.bulkHold() : bulkHoldSettings);
	}

	/** Until when this node holds its bulk messages back (in the past: it does not). */
	Instant bulkHeldUntil() {
		return bulkHold.heldUntil();
	}

	Optional<ChannelAdapter> adapter(Channel channel) {
		return Optional.ofNullable(adapters.get(channel));
	}

	/** Something may be due now: look without waiting for the poll interval. */
	void wake() {
		Thread t = dispatcher;
		if (t != null) {
			LockSupport.unpark(t);
		}
	}

	void report(Done d) {
		done.add(d);
	}

	int inFlight(Channel channel) {
		AtomicInteger n = inFlight.get(channel);
		return n == null ? 0 : n.get();
	}

	// --- the loop ------------------------------------------------------------------------------

	private void loop() {
		long nextHousekeeping = 0;
		long nextFallback = 0;
		while (running) {
			try {
				long now = System.nanoTime();
				if (now - nextHousekeeping >= 0) {
					housekeeping();
					nextHousekeeping = now + TimeUnit.SECONDS.toNanos(5);
				}
				if (now - nextFallback >= 0) {
					while (fallbackSweep() == RECORD_BATCH) {
						// more are due
					}
					while (readSweep() == RECORD_BATCH) {
						// more are due
					}
					nextFallback = now + settings.fallbackSweep().toNanos();
				}
				boolean worked = false;
				long waitNanos = settings.pollInterval().toNanos();
				for (Map.Entry<Channel, ChannelAdapter> e : adapters.entrySet()) {
					long wait = dispatch(e.getKey(), e.getValue());
					worked |= wait < 0;
					if (wait > 0) {
						waitNanos = Math.min(waitNanos, wait);
					}
				}
				if (!worked) {
					LockSupport.parkNanos(this, waitNanos);
				}
			}
			catch (RuntimeException e) {
				log.warn("Delivery worker: {}", e.toString(), e);
				LockSupport.parkNanos(this, settings.pollInterval().toNanos());
			}
		}
	}

	/** Records outcomes and receipts as they come, a batch per transaction, on its own thread. */
	private void recordLoop() {
		while (running || !done.isEmpty()) {
			try {
				Done first = done.poll(settings.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
				if (first != null) {
					record(first);
				}
			}
			catch (InterruptedException e) {
				if (!running) {
					return;
				}
			}
			catch (RuntimeException e) {
				log.warn("Delivery recorder: {}", e.toString(), e);
			}
		}
	}

	/**
	 * Starts what the channel may take now, from attempts this node already leased (leasing more
	 * when fewer than a window's worth are waiting); returns -1 when it started something, else how
	 * long to wait before it may (0: nothing due or no room).
	 */
	private long dispatch(Channel channel, ChannelAdapter adapter) {
		if (!adapter.ready()) {
			return 0;
		}
		java.util.ArrayDeque<Outbox.Claimed> buffer = leased.get(channel);
		// start what is already leased first: a lease is a round trip the free slots need not wait for
		long wait = start(channel, adapter, buffer);
		if (buffer.size() < adapter.maxInFlight()) {
			lease(channel, buffer, Math.min(CLAIM_BATCH, adapter.maxInFlight() * 4) - buffer.size());
			long more = start(channel, adapter, buffer);
			wait = wait < 0 || more < 0 ? -1 : Math.max(wait, more);
		}
		return wait;
	}

	/** Starts sends from the leased ones while the window and the rate allow; -1 when it started any. */
	private long start(Channel channel, ChannelAdapter adapter, java.util.ArrayDeque<Outbox.Claimed> buffer) {
		int room = adapter.maxInFlight() - inFlight.get(channel).get();
		if (room <= 0 || buffer.isEmpty()) {
			return 0;
		}
		RateLimiter limiter = limiters.get(channel);
		int tokens = limiter.available(System.nanoTime());
		if (tokens <= 0) {
			return limiter.nanosUntilNext();
		}
		int n = Math.min(Math.min(room, tokens), buffer.size());
		limiter.take(n);
		int batchSize = Math.max(1, adapter.batchSize());
		for (int from = 0; from < n; from += batchSize) {
			List<Outbox.Claimed> group = new ArrayList<>(Math.min(batchSize, n - from));
			while (group.size() < batchSize && from + group.size() < n) {
				group.add(buffer.poll());
			}
			inFlight.get(channel).addAndGet(group.size());
			sends.execute(() -> {
				try {
					done.addAll(send(adapter, group));
				}
				catch (RuntimeException e) {
					group.forEach(c -> done.add(new Outcome(c, new AttemptResult.Transient("error", e.toString(), null, null), null)));
				}
				finally {
					inFlight.get(channel).addAndGet(-group.size());
					wake();
				}
			});
		}
		return -1;
	}

	/** Leases up to {@code want} due attempts; those that may not go are recorded SKIPPED at once. */
	private void lease(Channel channel, java.util.ArrayDeque<Outbox.Claimed> buffer, int want) {
		Instant now = clock.instant();
		long nanos = System.nanoTime();
		int limit = Math.min(want, CLAIM_BATCH);
		BulkHold hold = bulkHold;
		int bulkLimit = hold.allowance(channel, limit, adapters.get(channel).batchSize(), now, nanos);
		List<Outbox.Claimed> claimed = outbox.claim(channel, limit, bulkLimit, now, now.plus(settings.lease()));
		if (channel == Channel.IN_APP) {
			claimed = withBatches(claimed, limit, bulkLimit, now);
		}
		if (claimed.isEmpty()) {
			return;
		}
		hold.took(channel, (int) claimed.stream().filter(c -> c.message().bulk()).count(), now, nanos);
		Map<Long, String> refused = refusals(channel, claimed);
		List<Outbox.Claimed> going = new ArrayList<>(claimed.size());
		for (Outbox.Claimed c : claimed) {
			String reason = refused.get(c.id());
			if (reason == null) {
				going.add(c);
			}
			else {
				done.add(new Skipped(c, reason, switch (reason) {
					case "no-phone" -> "The customer has no valid mobile number";
					case "suppressed" -> "The number " + c.address() + " is suppressed";
					default -> "The customer does not consent to " + c.message().purpose() + " messages by " + channel;
				}));
			}
		}
		queue(buffer, going);
	}

	/**
	 * The claimed attempts and, if there is room left (of the claim and of the bulk allowance), the
	 * messages of whole batches (V34), leased after them: a batch's messages are bulk.
	 */
	private List<Outbox.Claimed> withBatches(List<Outbox.Claimed> claimed, int limit, int bulkLimit, Instant now) {
		int bulk = (int) claimed.stream().filter(c -> c.message().bulk()).count();
		int room = Math.min(limit - claimed.size(), bulkLimit - bulk);
		if (room <= 0) {
			return claimed;
		}
		// rounded up to whole batches: a held lane's trickle goes into debt (BulkHold.took) rather than never
		// reaching a batch's 64 when it is set lower
		int rows = (room + OutboxBatches.SIZE - 1) / OutboxBatches.SIZE;
		List<OutboxBatches.Leased> leased;
		try {
			leased = batches.lease(rows, now, now.plus(settings.lease()));
		}
		catch (RuntimeException e) {
			// nothing leased: the attempts claimed go on, the batches are looked at again next time
			log.warn("Delivery: leasing batches failed: {}", e.toString());
			return claimed;
		}
		if (leased.isEmpty()) {
			return claimed;
		}
		List<Outbox.Claimed> all = new ArrayList<>(claimed);
		for (OutboxBatches.Leased b : leased) {
			Outbox.BatchLease lease = new Outbox.BatchLease(b.id(), b.leaseUntil(), b.messages().size());
			for (Outbox.MessageRow m : b.messages()) {
				all.add(new Outbox.Claimed(-batchMessageIds.incrementAndGet(), 0, 1, Channel.IN_APP, null, m, lease));
			}
		}
		return all;
	}

	/**
	 * Adds leased attempts to the channel's buffer, keeping its lanes: those that are not bulk go ahead
	 * of every bulk one already waiting (after the others that are not), so an order's notice leased
	 * now does not wait for the campaign messages leased before it.
	 */
	static void queue(java.util.ArrayDeque<Outbox.Claimed> buffer, List<Outbox.Claimed> leased) {
		Map<Boolean, List<Outbox.Claimed>> lanes = leased.stream()
			.collect(java.util.stream.Collectors.partitioningBy(c -> c.message().bulk()));
		List<Outbox.Claimed> urgent = lanes.getOrDefault(false, List.of());
		Outbox.Claimed last = buffer.peekLast();
		if (!urgent.isEmpty() && last != null && last.message().bulk()) {
			List<Outbox.Claimed> waiting = new ArrayList<>(buffer);
			buffer.clear();
			waiting.stream().filter(c -> !c.message().bulk()).forEach(buffer::add);
			buffer.addAll(urgent);
			waiting.stream().filter(c -> c.message().bulk()).forEach(buffer::add);
		}
		else {
			buffer.addAll(urgent);
		}
		buffer.addAll(lanes.getOrDefault(true, List.of()));
	}

	/**
	 * What may have changed since the requests were stored, for a whole claim at once: the channel's
	 * consent, and for SMS the phone and its suppression. Attempt id to the reason it may not go.
	 */
	private Map<Long, String> refusals(Channel channel, List<Outbox.Claimed> claimed) {
		Map<Long, String> out = new HashMap<>();
		Map<io.storecast.audience.Purpose, List<Outbox.Claimed>> byPurpose = new EnumMap<>(io.storecast.audience.Purpose.class);
		claimed.forEach(c -> byPurpose.computeIfAbsent(c.message().purpose(), k -> new ArrayList<>()).add(c));
		byPurpose.forEach((purpose, list) -> {
			Map<io.storecast.identity.CustomerId, String> refusals = consents.refusals(
					list.stream().map(c -> c.message().customerId()).toList(), channel, purpose);
			for (Outbox.Claimed c : list) {
				String reason = refusals.get(c.message().customerId());
				if (reason != null) {
					out.put(c.id(), reason);
				}
			}
		});
		if (channel == Channel.SMS) {
			java.util.Set<String> suppressed = suppressions.suppressedAmong(
					claimed.stream().map(Outbox.Claimed::address).filter(java.util.Objects::nonNull).toList());
			for (Outbox.Claimed c : claimed) {
				if (c.address() == null) {
					out.putIfAbsent(c.id(), "no-phone");
				}
				else if (suppressed.contains(c.address())) {
					out.putIfAbsent(c.id(), "suppressed");
				}
			}
		}
		return out;
	}

	/**
	 * Sends attempts (on a virtual thread), one alone or several in one {@link ChannelAdapter#sendAll},
	 * and waits for the channel's answers, all within one deadline.
	 */
	private List<Done> send(ChannelAdapter adapter, List<Outbox.Claimed> group) {
		List<Done> outcomes = new ArrayList<>(group.size());
		List<Outbox.Claimed> sendable = new ArrayList<>(group.size());
		List<Outgoing> outgoing = new ArrayList<>(group.size());
		for (Outbox.Claimed c : group) {
			try {
				outgoing.add(outgoing(c, c.message()));
				sendable.add(c);
			}
			catch (RuntimeException e) {
				// a stored content no message can be made of fails its own attempt, not its batch's
				outcomes.add(new Outcome(c, new AttemptResult.Permanent("invalid-content", e.toString(), false, null), null));
			}
		}
		if (sendable.isEmpty()) {
			return outcomes;
		}
		List<CompletionStage<AttemptResult>> stages = adapter.sendAll(outgoing);
		long deadline = System.nanoTime()
				+ settings.lease().minusSeconds(Math.min(30, settings.lease().toSeconds() / 2)).toNanos();
		for (int i = 0; i < sendable.size(); i++) {
			outcomes.add(new Outcome(sendable.get(i), await(stages.get(i), deadline), hash(outgoing.get(i))));
		}
		return outcomes;
	}

	private static AttemptResult await(CompletionStage<AttemptResult> stage, long deadline) {
		try {
			return stage.toCompletableFuture().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
		}
		catch (TimeoutException e) {
			return new AttemptResult.Transient("timeout", "The channel did not answer in time", null, null);
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			return new AttemptResult.Transient("interrupted", "The node is stopping", null, null);
		}
		catch (java.util.concurrent.ExecutionException e) {
			Throwable cause = e.getCause() == null ? e : e.getCause();
			return new AttemptResult.Transient("error", cause.toString(), null, null);
		}
	}

	Outgoing outgoing(Outbox.Claimed c, Outbox.MessageRow m) {
		JsonNode content = m.content();
		String text = content.path("text").asString("");
		if (c.channel() == Channel.SMS && content.hasNonNull("smsText")) {
			text = content.path("smsText").asString();
		}
		@SuppressWarnings("unchecked")
		Map<String, Object> card = content.hasNonNull("card") ? json.convertValue(content.get("card"), Map.class) : null;
		@SuppressWarnings("unchecked")
		Map<String, Object> data = content.hasNonNull("data") ? json.convertValue(content.get("data"), Map.class) : Map.of();
		return new Outgoing(c.id(), m.id().toString(), PostKey.of(m.id(), c.step()), c.number(), m.customerId(),
				m.storeId(), storeName(m.storeId()), m.purpose(), c.address(), text, card, data);
	}

	String storeName(OrgNodeId store) {
		return storeNames.computeIfAbsent(store, id -> org.find(id).map(OrgNode::name).orElse(""));
	}

	private static String hash(Outgoing o) {
		try {
			MessageDigest sha = MessageDigest.getInstance("SHA-256");
			sha.update(o.text().getBytes(StandardCharsets.UTF_8));
			if (o.card() != null) {
				sha.update(o.card().toString().getBytes(StandardCharsets.UTF_8));
			}
			return HexFormat.of().formatHex(sha.digest());
		}
		catch (NoSuchAlgorithmException e) {
			throw new IllegalStateException(e);
		}
	}

	// --- recording -----------------------------------------------------------------------------

	/** Records what is done, a batch per transaction; returns whether there was anything. */
	private void record(Done first) {
		List<Done> batch = new ArrayList<>(RECORD_BATCH);
		batch.add(first);
		done.drainTo(batch, RECORD_BATCH - 1);
		List<DeliveryStatusChanged> changes = new ArrayList<>();
		for (int attempt = 1;; attempt++) {
			try {
				changes.clear();
				Map<Outbox.BatchLease, Integer> written = recordOnce(batch, changes);
				// committed: the batches' messages written down are no longer open
				written.forEach((lease, n) -> lease.open.addAndGet(-n));
				return;
			}
			catch (org.springframework.dao.ConcurrencyFailureException e) {
				// a deadlock or serialization failure rolled the batch back: what it holds must not be lost
				if (attempt == 3) {
					throw e;
				}
				log.info("Delivery recorder: {}; recording the batch of {} again", e.getMessage(), batch.size());
			}
		}
	}

	/** One transaction; returns how many messages of each batch it wrote down. */
	private Map<Outbox.BatchLease, Integer> recordOnce(List<Done> batch, List<DeliveryStatusChanged> changes) {
		return Objects.requireNonNull(tx.execute(s -> {
			Instant now = clock.instant();
			// a batch's messages get their rows first: those that did not go become attempts as any other's
			List<Done> rest = new ArrayList<>(batch.size());
			List<Done> batched = new ArrayList<>();
			for (Done d : batch) {
				Outbox.Claimed c = d.attempt();
				(c != null && c.batch() != null ? batched : rest).add(d);
			}
			Map<Outbox.BatchLease, Integer> written = recordBatched(batched, now, changes, rest);
			// accepted sends first, set-based (the bulk of it), so a receipt in the same batch finds its send
			List<Outcome> accepted = new ArrayList<>();
			List<Receipt> receipts = new ArrayList<>();
			for (Done d : rest) {
				switch (d) {
					case Outcome o when o.result() instanceof AttemptResult.Accepted -> accepted.add(o);
					case Outcome o -> recordOutcome(o, now, changes);
					case Skipped k -> {
						if (outbox.ended(k.attempt().id(), "SKIPPED", k.code(), k.detail(), null, null, now)) {
							advance(k.attempt().message(), k.attempt().step(), k.attempt().channel(), k.code(), now, changes);
						}
					}
					case Receipt r -> receipts.add(r);
				}
			}
			recordAccepted(accepted, now, changes, receipts);
			recordReceipts(receipts, now, changes);
			changes.forEach(events::publishEvent);
			return written;
		}));
	}

	/**
	 * Writes down the batch messages that are done: a posted one as its rows (the delivery DELIVERED,
	 * its attempt with the post's result; READ if a read receipt came first), the others as a QUEUED
	 * delivery with a SENDING attempt, added to {@code rest} to be recorded as any leased attempt is
	 * (retried, skipped, fallen back). A batch whose messages are all written is deleted. Returns how
	 * many messages of each batch were written (or found written: another node's, after a lease ran out).
	 */
	private Map<Outbox.BatchLease, Integer> recordBatched(List<Done> batched, Instant now,
			List<DeliveryStatusChanged> changes, List<Done> rest) {
		Map<Outbox.BatchLease, Integer> written = new HashMap<>();
		if (batched.isEmpty()) {
			return written;
		}
		List<Outcome> posted = new ArrayList<>();
		List<Done> other = new ArrayList<>();
		java.util.Set<UUID> seen = new java.util.HashSet<>();
		for (Done d : batched) {
			Outbox.Claimed c = Objects.requireNonNull(d.attempt());
			written.merge(Objects.requireNonNull(c.batch()), 1, Integer::sum);
			if (!seen.add(c.message().id())) {
				// a second copy (this node leased the batch again after its first lease ran out): the first is written
				continue;
			}
			if (d instanceof Outcome o && o.result() instanceof AttemptResult.Accepted) {
				posted.add(o);
			}
			else {
				other.add(d);
			}
		}
		if (!posted.isEmpty()) {
			Map<UUID, Instant> readFirst = batches.takeEarlyReads(
					posted.stream().map(o -> o.attempt().message().id()).toList());
			List<Outbox.MessageRow> rows = new ArrayList<>(posted.size());
			List<Outbox.PostedAttempt> attempts = new ArrayList<>(posted.size());
			for (Outcome o : posted) {
				Outbox.MessageRow m = o.attempt().message();
				Outbox.PostedAttempt attempt = new Outbox.PostedAttempt(m.id(), o.attempt().channel(), acceptedRow(o, now),
						readFirst.get(m.id()));
				rows.add(m.withStatus(attempt.status()));
				attempts.add(attempt);
			}
			java.util.Set<UUID> inserted = outbox.insertMessages(rows, now);
			outbox.insertPosted(attempts.stream().filter(a -> inserted.contains(a.deliveryId())).toList(), now);
			for (int i = 0; i < posted.size(); i++) {
				Outbox.MessageRow m = rows.get(i);
				if (!inserted.contains(m.id())) {
					continue; // written meanwhile by a node that leased the batch after this one's lease ran out
				}
				Outbox.PostedAttempt a = attempts.get(i);
				int segments = a.result().segments();
				changes.add(change(m, a.channel(), DeliveryStatus.SENT, null, segments, now));
				if (m.status() != DeliveryStatus.SENT) {
					changes.add(change(m, a.channel(), DeliveryStatus.DELIVERED, null, segments, now));
				}
				if (a.readAt() != null) {
					changes.add(change(m, a.channel(), DeliveryStatus.READ, null, segments, a.readAt()));
				}
			}
		}
		if (!other.isEmpty()) {
			List<Outbox.Claimed> claimed = other.stream().map(d -> Objects.requireNonNull(d.attempt())).toList();
			java.util.Set<UUID> inserted = outbox.insertMessages(claimed.stream().map(Outbox.Claimed::message).toList(), now);
			Map<UUID, Long> attemptIds = outbox.insertAttempts(claimed.stream()
				.filter(c -> inserted.contains(c.message().id()))
				.map(c -> new Outbox.NewAttempt(c.message().id(), 0, 1, c.channel(), "SENDING", now, c.address(), null, null,
						true))
				.toList(), now);
			for (Done d : other) {
				Outbox.Claimed c = Objects.requireNonNull(d.attempt());
				Long id = attemptIds.get(c.message().id());
				if (id == null) {
					continue; // written meanwhile by another node
				}
				Outbox.Claimed leased = new Outbox.Claimed(id, c.step(), c.number(), c.channel(), c.address(), c.message());
				rest.add(switch (d) {
					case Outcome o -> new Outcome(leased, o.result(), o.payloadHash());
					case Skipped k -> new Skipped(leased, k.code(), k.detail());
					case Receipt r -> r;
				});
			}
		}
		Map<UUID, Instant> finished = new HashMap<>();
		written.forEach((lease, n) -> {
			if (lease.open.get() == n) {
				finished.put(lease.id, lease.leaseUntil);
			}
		});
		batches.delete(finished);
		return written;
	}

	/** Accepted sends in three statements; receipts that came before them join {@code receipts}. */
	private void recordAccepted(List<Outcome> accepted, Instant now, List<DeliveryStatusChanged> changes,
			List<Receipt> receipts) {
		if (accepted.isEmpty()) {
			return;
		}
		List<Outbox.Accepted> rows = new ArrayList<>(accepted.size());
		for (Outcome o : accepted) {
			rows.add(acceptedRow(o, now));
		}
		java.util.Set<Long> recorded = outbox.accepted(rows, now);
		List<Outbox.StatusChange> statuses = new ArrayList<>(recorded.size());
		Map<Channel, List<String>> providerIds = new EnumMap<>(Channel.class);
		for (Outcome o : accepted) {
			Outbox.Claimed c = o.attempt();
			if (!recorded.contains(c.id())) {
				continue; // this node's lease ran out meanwhile: another node owns the attempt now
			}
			Outbox.MessageRow m = c.message();
			AttemptResult.Accepted a = (AttemptResult.Accepted) o.result();
			statuses.add(new Outbox.StatusChange(m.id(), a.delivered() ? DeliveryStatus.DELIVERED : DeliveryStatus.SENT));
			changes.add(change(m, c.channel(), DeliveryStatus.SENT, null, a.segments(), now));
			if (a.delivered()) {
				changes.add(change(m, c.channel(), DeliveryStatus.DELIVERED, null, a.segments(), now));
			}
			else if (a.providerId() != null) {
				providerIds.computeIfAbsent(c.channel(), k -> new ArrayList<>()).add(a.providerId());
			}
		}
		outbox.setStatuses(statuses, now);
		providerIds.forEach((channel, ids) -> outbox.takeEarlyReceipts(channel, ids)
			.forEach((id, r) -> receipts.add(new Receipt(channel, id, r.delivered(), r.code(), r.addressFault(), r.detail(),
					r.receivedAt()))));
	}

	/** An accepted send as recorded: its result, and when to look whether it was read (in-app). */
	private Outbox.Accepted acceptedRow(Outcome o, Instant now) {
		Outbox.Claimed c = o.attempt();
		Outbox.MessageRow m = c.message();
		AttemptResult.Accepted a = (AttemptResult.Accepted) o.result();
		Instant fallbackAt = null;
		Route.Step step = m.route().get(c.step());
		if (c.channel() == Channel.IN_APP && step.fallbackAfterSeconds() != null && c.step() + 1 < m.route().size()) {
			fallbackAt = now.plusSeconds(step.fallbackAfterSeconds());
		}
		// an in-app message without a fallback is READ by its receipt (InAppReads), and read checks catch a missed one
		Instant readCheckAt = c.channel() == Channel.IN_APP && fallbackAt == null && a.providerId() != null
				? now.plus(settings.readCheckAfter()) : null;
		return new Outbox.Accepted(c.id(), a.delivered(), a.providerId(), Math.max(1, a.segments()), a.responseCode(),
				o.payloadHash(), fallbackAt, readCheckAt);
	}

	/** Receipts, set-based per channel: matched ones applied, unknown ones kept until their send is recorded. */
	private void recordReceipts(List<Receipt> receipts, Instant now, List<DeliveryStatusChanged> changes) {
		Map<Channel, List<Receipt>> byChannel = new EnumMap<>(Channel.class);
		receipts.forEach(r -> byChannel.computeIfAbsent(r.channel(), k -> new ArrayList<>()).add(r));
		byChannel.forEach((channel, list) -> {
			List<Outbox.Receipted> applied = outbox.applyReceipts(channel, list.stream()
				.map(r -> new Outbox.ReceiptRow(r.providerId(), r.delivered(), r.code(), r.detail(), r.at()))
				.toList(), now);
			java.util.Set<String> matched = new java.util.HashSet<>();
			applied.forEach(a -> matched.add(a.providerId()));
			List<String> unmatched = list.stream().map(Receipt::providerId).filter(id -> !matched.contains(id)).toList();
			java.util.Set<String> known = outbox.knownProviderIds(channel, unmatched);
			for (Receipt r : list) {
				if (!matched.contains(r.providerId()) && !known.contains(r.providerId())) {
					// before its send's result: kept until that is recorded
					outbox.keepEarlyReceipt(channel, r.providerId(),
							new Outbox.EarlyReceipt(r.delivered(), r.code(), r.addressFault(), r.detail(), r.at()));
				}
			}
			Map<String, Receipt> byId = new HashMap<>();
			list.forEach(r -> byId.putIfAbsent(r.providerId(), r));
			List<Outbox.StatusChange> delivered = new ArrayList<>();
			List<String> reached = new ArrayList<>();
			for (Outbox.Receipted a : applied) {
				Receipt r = byId.get(a.providerId());
				if (a.delivered()) {
					delivered.add(new Outbox.StatusChange(a.message().id(), DeliveryStatus.DELIVERED));
					changes.add(change(a.message(), channel, DeliveryStatus.DELIVERED, null, a.segments(), r.at()));
					if (a.address() != null) {
						reached.add(a.address());
					}
				}
				else {
					if (r.addressFault() && a.address() != null) {
						suppressions.recordFailure(a.address(), r.code(), now);
					}
					advance(a.message(), a.step(), channel, r.code().toLowerCase(java.util.Locale.ROOT), now, changes);
				}
			}
			outbox.setStatuses(delivered, now);
			if (!reached.isEmpty()) {
				suppressions.recordSuccesses(reached);
			}
		});
	}

	private void recordOutcome(Outcome o, Instant now, List<DeliveryStatusChanged> changes) {
		Outbox.Claimed c = o.attempt();
		Outbox.MessageRow m = c.message();
		switch (o.result()) {
			case AttemptResult.Accepted a -> throw new IllegalStateException("accepted sends are recorded in bulk");
			case AttemptResult.Transient t -> {
				if (c.number() < settings.maxAttempts()) {
					if (outbox.ended(c.id(), "RETRIED", t.code(), t.detail(), t.responseCode(), o.payloadHash(), now)) {
						Duration delay = t.retryAfter() != null ? t.retryAfter()
								: settings.retryDelay(c.number(), ThreadLocalRandom.current().nextDouble());
						outbox.insertAttempts(List.of(new Outbox.NewAttempt(m.id(), c.step(), c.number() + 1, c.channel(),
								"QUEUED", now.plus(delay), c.address(), null, null, m.bulk())), now);
					}
				}
				else if (outbox.ended(c.id(), "FAILED", t.code(), t.detail(), t.responseCode(), o.payloadHash(), now)) {
					advance(m, c.step(), c.channel(), "retries-exhausted", now, changes);
				}
			}
			case AttemptResult.Permanent p -> {
				if (outbox.ended(c.id(), "FAILED", p.code(), p.detail(), p.responseCode(), o.payloadHash(), now)) {
					if (p.addressFault() && c.channel() == Channel.SMS && c.address() != null) {
						suppressions.recordFailure(c.address(), p.code(), now);
					}
					advance(m, c.step(), c.channel(), p.code(), now, changes);
				}
			}
		}
	}

	/** The step failed: the next channel of the route, or the delivery fails. */
	private void advance(Outbox.MessageRow m, int step, Channel channel, String reason, Instant now,
			List<DeliveryStatusChanged> changes) {
		if (step + 1 < m.route().size()) {
			Channel next = m.route().get(step + 1).channel();
			outbox.insertAttempts(List.of(new Outbox.NewAttempt(m.id(), step + 1, 1, next, "QUEUED", now,
					addresses.of(next, m.customerId()), null, null, m.bulk())), now);
			outbox.setStep(m.id(), step + 1, now);
		}
		else {
			outbox.setStatus(m.id(), DeliveryStatus.FAILED, reason, now);
			changes.add(change(m, channel, DeliveryStatus.FAILED, reason, 0, now));
		}
	}

	static DeliveryStatusChanged change(Outbox.MessageRow m, Channel channel, DeliveryStatus status,
			@Nullable String reason, int segments, Instant at) {
		return new DeliveryStatusChanged(new DeliveryId(m.id()), m.source(), m.key(), m.customerId(), channel, status,
				reason, Math.max(segments, status == DeliveryStatus.FAILED ? 0 : 1), at);
	}

	// --- fallback and housekeeping ---------------------------------------------------------------

	/** Where an in-app message is: its provider id {@code <conversation id>/<seq>}. */
	record InAppRef(ConversationId conversation, long seq) {

		static InAppRef of(String providerId) {
			int slash = providerId.indexOf('/');
			return new InAppRef(new ConversationId(UUID.fromString(providerId.substring(0, slash))),
					Long.parseLong(providerId.substring(slash + 1)));
		}

		/** Whether the customer's read cursor (of {@link #readSeqs}) passed the message. */
		boolean readIn(Map<ConversationId, Long> readSeqs) {
			return readSeqs.getOrDefault(conversation, 0L) >= seq;
		}
	}

	/** The customers' read cursors of the conversations these in-app messages are in, in one query. */
	private Map<ConversationId, Long> readSeqs(List<String> providerIds) {
		return messaging.customerReadSeqs(providerIds.stream().map(id -> InAppRef.of(id).conversation()).distinct().toList());
	}

	/** In-app messages whose fallback time came: READ if the customer read them, else the next channel. */
	int fallbackSweep() {
		Integer n = tx.execute(s -> {
			Instant now = clock.instant();
			List<Outbox.FallbackDue> due = outbox.fallbackDue(now, RECORD_BATCH);
			if (due.isEmpty()) {
				return 0;
			}
			Map<ConversationId, Long> read = readSeqs(due.stream().map(Outbox.FallbackDue::providerId).toList());
			List<DeliveryStatusChanged> changes = new ArrayList<>();
			for (Outbox.FallbackDue d : due) {
				InAppRef ref = InAppRef.of(d.providerId());
				Outbox.MessageRow m = outbox.message(d.deliveryId()).orElseThrow();
				if (ref.readIn(read)) {
					markRead(m, d.id(), now, changes);
				}
				else if (m.step() == d.step() && m.status() != DeliveryStatus.READ) {
					advance(m, d.step(), Channel.IN_APP, "unread", now, changes);
				}
			}
			changes.forEach(events::publishEvent);
			return due.size();
		});
		return n == null ? 0 : n;
	}

	/** A sweep found the customer read the in-app attempt: it and its delivery are READ, at the receipt's time if one came. */
	private void markRead(Outbox.MessageRow m, long attemptId, Instant now, List<DeliveryStatusChanged> changes) {
		Instant readAt = outbox.markRead(attemptId, now);
		outbox.setStatus(m.id(), DeliveryStatus.READ, null, now);
		changes.add(change(m, Channel.IN_APP, DeliveryStatus.READ, null, 1, readAt));
	}

	static final Duration MAX_READ_CHECK_INTERVAL = Duration.ofHours(24);
	static final Duration READ_CHECKS_FOR = Duration.ofDays(7);

	/**
	 * In-app messages without a fallback whose read check came: READ if the customer's read cursor
	 * passed them, else looked at again after as long again as they have been out (at least
	 * {@code read-check-after}, at most 24 h), for 7 days. A safety net: the read receipt marks them
	 * READ at once ({@link InAppReads}); this finds the ones whose receipt was missed (a cursor moved by
	 * the customer's own message, a receipt that came while the result was being recorded).
	 */
	int readSweep() {
		Integer n = tx.execute(s -> {
			Instant now = clock.instant();
			List<Outbox.ReadCheck> due = outbox.readChecksDue(now, RECORD_BATCH);
			if (due.isEmpty()) {
				return 0;
			}
			Map<ConversationId, Long> read = readSeqs(due.stream().map(Outbox.ReadCheck::providerId).toList());
			List<DeliveryStatusChanged> changes = new ArrayList<>();
			List<Long> again = new ArrayList<>();
			List<Instant> at = new ArrayList<>();
			for (Outbox.ReadCheck d : due) {
				InAppRef ref = InAppRef.of(d.providerId());
				if (ref.readIn(read)) {
					markRead(outbox.message(d.deliveryId()).orElseThrow(), d.id(), now, changes);
				}
				else {
					Duration out = Duration.between(d.sentAt(), now);
					if (out.compareTo(READ_CHECKS_FOR) < 0) {
						Duration wait = out.compareTo(settings.readCheckAfter()) < 0 ? settings.readCheckAfter() : out;
						again.add(d.id());
						at.add(now.plus(wait.compareTo(MAX_READ_CHECK_INTERVAL) > 0 ? MAX_READ_CHECK_INTERVAL : wait));
					}
				}
			}
			outbox.nextReadChecks(again, at);
			changes.forEach(events::publishEvent);
			return due.size();
		});
		return n == null ? 0 : n;
	}

	private void housekeeping() {
		Instant now = clock.instant();
		int requeued = outbox.requeueExpired(now);
		if (requeued > 0) {
			log.info("Delivery: {} attempts whose lease ran out are queued again", requeued);
		}
		outbox.forgetEarlyReceipts(now.minus(Duration.ofDays(3)));
		int batchesRequeued = batches.requeueExpired(now);
		if (batchesRequeued > 0) {
			log.info("Delivery: {} batches whose lease ran out are queued again", batchesRequeued);
		}
		batches.forgetEarlyReads(now.minus(Duration.ofDays(3)));
		tx.executeWithoutResult(s -> reads.applyLate(RECORD_BATCH));
	}

	// --- lifecycle -----------------------------------------------------------------------------

	private static ExecutorService newSends() {
		return Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("delivery-send-", 0).factory());
	}

	@Override
	public void start() {
		if (sends.isShutdown()) {
			sends = newSends();
		}
		running = true;
		Thread r = Thread.ofPlatform().name("delivery-recorder").daemon().unstarted(this::recordLoop);
		recorder = r;
		r.start();
		Thread t = Thread.ofPlatform().name("delivery-dispatcher").daemon().unstarted(this::loop);
		dispatcher = t;
		t.start();
	}

	@Override
	public void stop() {
		running = false;
		Thread t = dispatcher;
		if (t != null) {
			LockSupport.unpark(t);
			try {
				t.join(10_000);
			}
			catch (InterruptedException e) {
				Thread.currentThread().interrupt();
			}
		}
		// leased but not started: back to the queue at once (others may take them now)
		List<Long> unstarted = new ArrayList<>();
		Map<UUID, Instant> unstartedBatches = new HashMap<>();
		// batches go back only after the sends in flight ended (below): another node would post those again
		leased.values().forEach(b -> {
			b.forEach(c -> {
				if (c.batch() == null) {
					unstarted.add(c.id());
				}
				else {
					// its messages already sent are written down by the recorder; the others go when it is leased again
					unstartedBatches.put(c.batch().id, c.batch().leaseUntil);
				}
			});
			b.clear();
		});
		try {
			outbox.release(unstarted, clock.instant());
		}
		catch (RuntimeException e) {
			log.warn("Delivery: {} leased attempts not released ({}); they go again when their lease runs out",
					unstarted.size(), e.toString());
		}
		// what is still in flight is waited for a moment, then keeps its lease and goes again after it
		sends.shutdown();
		try {
			sends.awaitTermination(5, TimeUnit.SECONDS);
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
		sends.shutdownNow();
		try {
			batches.release(unstartedBatches);
		}
		catch (RuntimeException e) {
			log.warn("Delivery: {} leased batches not released ({}); they go again when their lease runs out",
					unstartedBatches.size(), e.toString());
		}
		Thread r = recorder;
		if (r != null) {
			try {
				r.join(10_000);
			}
			catch (InterruptedException e) {
				Thread.currentThread().interrupt();
			}
		}
		dispatcher = null;
		recorder = null;
	}

	@Override
	public boolean isRunning() {
		return running;
	}

	@Override
	public int getPhase() {
		// after the web server and the gateway stop taking requests, before the database goes
		return Integer.MAX_VALUE - 2000;
	}

	/** Counts of this node's in-flight sends, per channel (for the stats view). */
	Map<String, Integer> inFlightByChannel() {
		Map<String, Integer> out = new HashMap<>();
		inFlight.forEach((c, n) -> out.put(c.name(), n.get()));
		return out;
	}
}
