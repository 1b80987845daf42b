package io.storecast.messaging.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Component;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Group commit for sends. Concurrent sends (from any connections, to any conversations) queue here;
 * one writer stores whatever has queued up in a single statement and a single commit, then answers
 * each sender with its seq. Under light load a batch is one message and nothing waits; under heavy
 * load one commit carries many messages, which is what lets PostgreSQL keep up. Every sender still
 * gets its answer only after its message is committed.
 *
 * <p>If a batch fails (a repeated client message id, a deadlock with another writer), its messages
 * are stored one by one, so one bad message never takes the others down with it.
 */
@Component
class SendBatcher implements SmartLifecycle {

	private static final Logger log = LoggerFactory.getLogger(SendBatcher.class);
	static final int MAX_BATCH = 256;

	private record Pending(MessageStore.NewMessage message, CompletableFuture<Long> seq) {
	}

	private final MessageStore store;
	private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
	private final DistributionSummary batchSizes;
	private volatile boolean running;
	private Thread writer;

	SendBatcher(MessageStore store, MeterRegistry meters) {
		this.store = store;
		this.batchSizes = DistributionSummary.builder("storecast.messaging.send.batch")
			.description("messages stored per commit")
			.register(meters);
	}

	/**
	 * Stores the message and returns its seq once committed; throws what storing it alone would
	 * ({@link org.springframework.dao.DuplicateKeyException} for a repeated client message id).
	 */
	long store(MessageStore.NewMessage message) {
		if (!running) {
			// not started or shutting down: no queue, no waiting
			return insertOne(message);
		}
		Pending pending = new Pending(message, new CompletableFuture<>());
		queue.add(pending);
		try {
			return pending.seq().get();
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while the message was being stored", e);
		}
		catch (ExecutionException e) {
			if (e.getCause() instanceof RuntimeException r) {
				throw r;
			}
			throw new IllegalStateException(e.getCause());
		}
	}

	private long insertOne(MessageStore.NewMessage m) {
		return store.insertNext(m.conversationId(), m.id(), m.sender(), m.clientMsgId(), m.kind(), m.body(),
				m.requiresAck(), m.createdAt(), m.searchTerms());
	}

	private void run() {
		List<Pending> batch = new ArrayList<>(MAX_BATCH);
		while (running || !queue.isEmpty()) {
			try {
				Pending first = queue.poll(100, TimeUnit.MILLISECONDS);
				if (first == null) {
					continue;
				}
				batch.add(first);
				queue.drainTo(batch, MAX_BATCH - 1);
				write(batch);
			}
			catch (InterruptedException e) {
				Thread.currentThread().interrupt();
				return;
			}
			catch (RuntimeException e) {
				// never leave a sender waiting
				batch.forEach(p -> p.seq().completeExceptionally(e));
				log.error("Storing a batch of {} messages failed", batch.size(), e);
			}
			finally {
				batch.clear();
			}
		}
	}

	private void write(List<Pending> batch) {
		batchSizes.record(batch.size());
		if (batch.size() > 1) {
			try {
				Map<java.util.UUID, Long> seqs = store.insertBatch(batch.stream().map(Pending::message).toList());
				for (Pending p : batch) {
					Long seq = seqs.get(p.message().id());
					if (seq != null) {
						p.seq().complete(seq);
					}
					else {
						p.seq().completeExceptionally(new IllegalStateException(
								"Conversation " + p.message().conversationId() + " was not found when storing"));
					}
				}
				return;
			}
			catch (DataAccessException e) {
				log.debug("A batch of {} failed ({}); storing its messages one by one", batch.size(), e.toString());
			}
		}
		for (Pending p : batch) {
			try {
				p.seq().complete(insertOne(p.message()));
			}
			catch (RuntimeException e) {
				p.seq().completeExceptionally(e);
			}
		}
	}

	@Override
	public void start() {
		running = true;
		writer = Thread.ofPlatform().name("storecast-send-batcher").daemon().start(this::run);
	}

	@Override
	public void stop() {
		running = false;
		try {
			// what has queued is still written before the database goes
			writer.join(TimeUnit.SECONDS.toMillis(10));
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
	}

	@Override
	public boolean isRunning() {
		return running;
	}

	@Override
	public int getPhase() {
		// stops after the gateway and the web server (higher phases stop first), before the database
		return 0;
	}
}
