package io.storecast.gateway.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.util.concurrent.EventExecutor;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.storecast.coupons.ClaimCommand;
import io.storecast.coupons.ClaimOutcome;
import io.storecast.coupons.CouponTemplateId;
import io.storecast.coupons.Coupons;
import io.storecast.identity.Actor;
import io.storecast.identity.TokenVerifier;
import io.storecast.platform.ApiException;

/**
 * Claims that arrive together are handled together: each worker takes every claim waiting (up to a
 * batch, and while another worker is busy, those that arrive within a few ms: {@link #gather}), verifies their tokens with one session query ({@link TokenVerifier#verifyAll}), issues
 * them with one transaction per template ({@link Coupons#claimAll}), and answers each on its own
 * connection. Under light load a batch is one claim and nothing waits; under a storm the batches
 * grow by themselves while the workers are busy, and the database sees a few statements per batch
 * instead of a transaction per claim.
 */
final class ClaimBatcher {

	private static final Logger log = LoggerFactory.getLogger(ClaimBatcher.class);

	/** A claim request, checked as far as it can be without the database. */
	record Pending(ClaimRoute route, ChannelHandlerContext ctx, String path, boolean keepAlive, String token,
			@Nullable ApiException invalid, @Nullable CouponTemplateId template, @Nullable String key,
			@Nullable String source, @Nullable String sourceRef) {
	}

	static final String METER = "storecast.gateway.claims";

	private final TokenVerifier verifier;
	private final Coupons coupons;
	private final int batchSize;
	private final BlockingQueue<Pending> queue;
	private final Counter issued;
	private final Counter replayed;
	private final Counter refused;
	private final DistributionSummary batches;
	private final Timer batchTime;
	private final List<Thread> workers = new ArrayList<>();
	/** Held by the worker gathering the next batch. */
	private final ReentrantLock intake = new ReentrantLock();
	/** Workers busy with a batch (gathered, not yet answered). */
	private final AtomicInteger processing = new AtomicInteger();
	private final long gatherNanos;
	private volatile boolean running;

	ClaimBatcher(TokenVerifier verifier, Coupons coupons, int workers, int batchSize, int queueSize, Duration gather,
			MeterRegistry meters) {
		this.verifier = verifier;
		this.coupons = coupons;
		this.batchSize = batchSize;
		this.gatherNanos = gather.toNanos();
		this.queue = new ArrayBlockingQueue<>(queueSize);
		this.issued = outcome(meters, "issued");
		this.replayed = outcome(meters, "replayed");
		this.refused = outcome(meters, "refused");
		this.batches = DistributionSummary.builder(METER + ".batch")
			.description("Claims taken by one batch on the gateway's port")
			.register(meters);
		this.batchTime = Timer.builder(METER + ".batch.time")
			.description("How long a worker took over one batch: tokens, claims, and handing the answers to the event loops")
			.register(meters);
		meters.gauge(METER + ".waiting", queue, BlockingQueue::size);
		for (int i = 0; i < workers; i++) {
			this.workers.add(Thread.ofPlatform().name("claim-batch-" + i).daemon().unstarted(this::work));
		}
	}

	void start() {
		running = true;
		workers.forEach(Thread::start);
	}

	void stop() {
		running = false;
		workers.forEach(Thread::interrupt);
	}

	/** False when too many claims wait already (the caller answers 503). */
	boolean offer(Pending pending) {
		boolean queued = running && queue.offer(pending);
		if (!queued) {
			refused.increment();
		}
		return queued;
	}

	private void work() {
		List<Pending> batch = new ArrayList<>(batchSize);
		while (running) {
			try {
				if (!gather(batch)) {
					continue;
				}
			}
			catch (InterruptedException e) {
				Thread.currentThread().interrupt();
				break;
			}
			try {
				long started = System.nanoTime();
				Answers answers = new Answers();
				handle(batch, answers);
				answers.send();
				batchTime.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
			}
			catch (RuntimeException e) {
				// the tokens could not be checked (the database is away): nobody was answered yet
				log.error("A batch of {} claims failed", batch.size(), e);
				Answers answers = new Answers();
				batch.forEach(p -> answer(answers, p, unavailable()));
				answers.send();
			}
			finally {
				processing.decrementAndGet();
				batch.clear();
			}
		}
		// stopping: what still waits is answered, not dropped
		Pending left;
		Answers answers = new Answers();
		while ((left = queue.poll()) != null) {
			answer(answers, left, new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "unavailable",
					"The server is stopping; try again with the same Idempotency-Key"));
		}
		answers.send();
	}

	/**
	 * Fills {@code batch} with the claims waiting; false when none came within a second. One worker
	 * gathers at a time. When another worker is busy with a batch as it starts, the gatherer goes on
	 * taking the claims that arrive for {@code gather} (or until the batch is full): under a storm the
	 * batches hold the claims of a few milliseconds (a few statements for twenty claims, not for two
	 * or three), and a claim that finds every worker idle is issued at once.
	 */
	private boolean gather(List<Pending> batch) throws InterruptedException {
		intake.lockInterruptibly();
		try {
			Pending first = queue.poll(1, TimeUnit.SECONDS);
			if (first == null) {
				return false;
			}
			batch.add(first);
			queue.drainTo(batch, batchSize - 1);
			long deadline = System.nanoTime() + gatherNanos;
			boolean othersBusy = processing.get() > 0;
			while (batch.size() < batchSize && othersBusy) {
				long left = deadline - System.nanoTime();
				if (left <= 0) {
					break;
				}
				Pending next = queue.poll(left, TimeUnit.NANOSECONDS);
				if (next != null) {
					batch.add(next);
					queue.drainTo(batch, batchSize - batch.size());
				}
			}
			processing.incrementAndGet();
			return true;
		}
		finally {
			intake.unlock();
		}
	}

	private static Counter outcome(MeterRegistry meters, String outcome) {
		return Counter.builder(METER)
			.tag("outcome", outcome)
			.description("Claims answered on the gateway's port: issued, replayed or refused (any 4xx/5xx)")
			.register(meters);
	}

	private void handle(List<Pending> batch, Answers answers) {
		batches.record(batch.size());
		List<TokenVerifier.Verification> verified = verifier.verifyAll(batch.stream().map(Pending::token).toList());
		List<Pending> claims = new ArrayList<>(batch.size());
		List<ClaimCommand> commands = new ArrayList<>(batch.size());
		for (int i = 0; i < batch.size(); i++) {
			Pending p = batch.get(i);
			TokenVerifier.Verification v = verified.get(i);
			ApiException refusal = refusal(p, v);
			if (refusal != null) {
				answer(answers, p, refusal);
			}
			else if (v.actor() instanceof Actor.Customer customer && p.template() != null) {
				claims.add(p);
				commands.add(new ClaimCommand(customer.id(), p.template(), p.key(), p.source(), p.sourceRef()));
			}
		}
		if (commands.isEmpty()) {
			return;
		}
		List<ClaimOutcome> outcomes;
		try {
			outcomes = coupons.claimAll(commands);
		}
		catch (RuntimeException e) {
			log.error("A batch of {} claims failed", commands.size(), e);
			claims.forEach(p -> answer(answers, p, unavailable()));
			return;
		}
		for (int i = 0; i < claims.size(); i++) {
			Pending p = claims.get(i);
			ClaimOutcome outcome = outcomes.get(i);
			if (outcome.refusal() != null) {
				answer(answers, p, outcome.refusal());
			}
			else {
				(outcome.replayed() ? replayed : issued).increment();
				answers.add(p, () -> {
					FullHttpResponse response = p.route()
						.json(outcome.replayed() ? HttpResponseStatus.OK : HttpResponseStatus.CREATED, outcome.coupon());
					response.headers().set("Idempotent-Replayed", Boolean.toString(outcome.replayed()));
					ClaimRoute.respond(p.ctx(), response, p.keepAlive());
				});
			}
		}
	}

	/** What the REST API answers before the claim itself, in its order: 401, the body's 400, 403 (then coupons checks the key). */
	private static @Nullable ApiException refusal(Pending p, TokenVerifier.Verification v) {
		if (v.refusal() != null) {
			return v.refusal();
		}
		if (p.invalid() != null) {
			return p.invalid();
		}
		if (!(v.actor() instanceof Actor.Customer)) {
			return ApiException.forbidden("forbidden",
					"Customers claim coupons; the merchant's systems grant them (POST .../grants)");
		}
		return null;
	}

	private static ApiException unavailable() {
		return new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "unavailable",
				"The claim could not be processed; try again with the same Idempotency-Key");
	}

	private void answer(Answers answers, Pending p, ApiException e) {
		refused.increment();
		answers.add(p, () -> {
			FullHttpResponse response = p.route().problem(e, p.path());
			if (e.retryAfter() != null) {
				response.headers().set("Retry-After", String.valueOf(Math.max(1, e.retryAfter().toSeconds())));
			}
			ClaimRoute.respond(p.ctx(), response, p.keepAlive());
		});
	}

	/**
	 * A batch's answers, written (and serialised) on their connections' event loops, one task per
	 * event loop for the whole batch: the worker goes on to the next batch, and an event loop is woken
	 * once per batch rather than once per answer.
	 */
	private static final class Answers {

		private final Map<EventExecutor, List<Runnable>> byLoop = new HashMap<>(4);

		void add(Pending p, Runnable write) {
			byLoop.computeIfAbsent(p.ctx().executor(), loop -> new ArrayList<>()).add(write);
		}

		void send() {
			byLoop.forEach((loop, writes) -> loop.execute(() -> writes.forEach(Answers::write)));
			byLoop.clear();
		}

		/** One answer; one that cannot be written (its connection's trouble) does not stop the others. */
		private static void write(Runnable write) {
			try {
				write.run();
			}
			catch (RuntimeException e) {
				log.error("A claim's answer could not be written", e);
			}
		}
	}
}
