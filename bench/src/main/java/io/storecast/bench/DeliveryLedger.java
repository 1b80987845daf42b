package io.storecast.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntFunction;

/**
 * Who got which message, once: the accounting behind "missing" and "duplicates". Messages are
 * numbered 0 … capacity-1 by the sender; receivers (connections or clients) 0 … receivers-1; each
 * message has a fixed set of expected receivers ({@code audience}). Thread-safe: sends, acks and
 * receipts are recorded from any thread (event loops, the pacer), and the counts read from another.
 * <ul>
 * <li>a receipt of a message by one of its receivers the first time is a <em>delivery</em>, and its
 * send→receive latency is recorded when the send time is known;</li>
 * <li>the same receipt again is a <em>duplicate</em>;</li>
 * <li>a receipt by a receiver outside the message's audience is <em>unexpected</em> (never counted
 * as a delivery);</li>
 * <li>an acked message that one of its receivers never got is <em>missing</em> (once per receiver).</li>
 * </ul>
 * Deliveries and acks whose time falls inside {@link #window} are also counted separately, for rates.
 */
final class DeliveryLedger {

	private final int capacity;
	private final IntFunction<int[]> audience;
	private final AtomicBits[] received;
	private final AtomicLongArray sentAt;
	private final AtomicLongArray ackedAt;
	private final LongAdder sent = new LongAdder();
	private final LongAdder acked = new LongAdder();
	private final LongAdder errors = new LongAdder();
	private final LongAdder delivered = new LongAdder();
	private final LongAdder expectedOfAcked = new LongAdder();
	private final LongAdder duplicates = new LongAdder();
	private final LongAdder unexpected = new LongAdder();
	private final LongAdder deliveredInWindow = new LongAdder();
	private final LongAdder ackedInWindow = new LongAdder();
	private final List<Latencies.Recorder> deliveryRecorders = new ArrayList<>();
	private final List<Latencies.Recorder> ackRecorders = new ArrayList<>();
	private final ThreadLocal<Latencies.Recorder> deliveryRecorder = ThreadLocal.withInitial(() -> newRecorder(deliveryRecorders));
	private final ThreadLocal<Latencies.Recorder> ackRecorder = ThreadLocal.withInitial(() -> newRecorder(ackRecorders));
	private volatile long windowFrom = Long.MIN_VALUE;
	private volatile long windowTo = Long.MAX_VALUE;
	private volatile boolean windowSet;

	/**
	 * @param capacity messages at most
	 * @param receivers receivers at most
	 * @param audience the receivers expected to get message {@code m} (the array is not modified)
	 */
	DeliveryLedger(int capacity, int receivers, IntFunction<int[]> audience) {
		this.capacity = capacity;
		this.audience = audience;
		this.received = new AtomicBits[receivers];
		for (int r = 0; r < receivers; r++) {
			received[r] = new AtomicBits(capacity);
		}
		this.sentAt = new AtomicLongArray(capacity);
		this.ackedAt = new AtomicLongArray(capacity);
	}

	int capacity() {
		return capacity;
	}

	/** Only deliveries and acks at {@code from} ≤ t ≤ {@code to} (nanoTime) count toward the windowed figures. */
	void window(long from, long to) {
		windowFrom = from;
		windowTo = to;
		windowSet = true;
	}

	/** Message {@code m} was sent at {@code nanos} (the intended send time, for open-loop pacing). */
	void sent(int m, long nanos) {
		sentAt.set(m, nanos == 0 ? 1 : nanos);
		sent.increment();
	}

	/** The sender got the ack of message {@code m}; false for an unknown message or a second ack. */
	boolean acked(int m, long nanos) {
		if (m < 0 || m >= capacity || !ackedAt.compareAndSet(m, 0, nanos == 0 ? 1 : nanos)) {
			return false;
		}
		acked.increment();
		expectedOfAcked.add(audience.apply(m).length);
		long sentNanos = sentAt.get(m);
		if (sentNanos != 0) {
			record(ackRecorder.get(), nanos - sentNanos);
		}
		if (inWindow(nanos)) {
			ackedInWindow.increment();
		}
		return true;
	}

	/** The sender got an error instead of an ack. */
	void error(int m) {
		errors.increment();
	}

	/** Receiver {@code r} got message {@code m} at {@code nanos}; true if that was its first copy. */
	boolean received(int r, int m, long nanos) {
		if (m < 0 || m >= capacity || r < 0 || r >= received.length || !expects(r, m)) {
			unexpected.increment();
			return false;
		}
		if (!received[r].set(m)) {
			duplicates.increment();
			return false;
		}
		delivered.increment();
		long sentNanos = sentAt.get(m);
		if (sentNanos != 0) {
			record(deliveryRecorder.get(), nanos - sentNanos);
		}
		if (inWindow(nanos)) {
			deliveredInWindow.increment();
		}
		return true;
	}

	boolean wasReceived(int r, int m) {
		return received[r].get(m);
	}

	private boolean expects(int r, int m) {
		for (int x : audience.apply(m)) {
			if (x == r) {
				return true;
			}
		}
		return false;
	}

	private boolean inWindow(long nanos) {
		return !windowSet || (nanos - windowFrom >= 0 && nanos - windowTo <= 0);
	}

	long sent() {
		return sent.sum();
	}

	long acked() {
		return acked.sum();
	}

	long errors() {
		return errors.sum();
	}

	long delivered() {
		return delivered.sum();
	}

	long duplicates() {
		return duplicates.sum();
	}

	long unexpected() {
		return unexpected.sum();
	}

	long deliveredInWindow() {
		return deliveredInWindow.sum();
	}

	long ackedInWindow() {
		return ackedInWindow.sum();
	}

	/** Every sent message is answered (ack or error) and every acked one reached all its receivers. */
	boolean settled() {
		return acked.sum() + errors.sum() >= sent.sum() && delivered.sum() >= expectedOfAcked.sum();
	}

	/** Acked messages × expected receivers that did not get them (so far). */
	long missing() {
		long missing = 0;
		for (int m = 0; m < capacity; m++) {
			if (ackedAt.get(m) != 0) {
				for (int r : audience.apply(m)) {
					if (!received[r].get(m)) {
						missing++;
					}
				}
			}
		}
		return missing;
	}

	/** Sent messages that got neither an ack nor an error. */
	long unanswered() {
		return Math.max(0, sent.sum() - acked.sum() - errors.sum());
	}

	Latencies deliveryLatencies() {
		return merge(deliveryRecorders);
	}

	Latencies ackLatencies() {
		return merge(ackRecorders);
	}

	private static Latencies.Recorder newRecorder(List<Latencies.Recorder> all) {
		Latencies.Recorder r = new Latencies.Recorder();
		synchronized (all) {
			all.add(r);
		}
		return r;
	}

	private static void record(Latencies.Recorder recorder, long nanos) {
		synchronized (recorder) {
			recorder.record(Math.max(0, nanos));
		}
	}

	private static Latencies merge(List<Latencies.Recorder> all) {
		synchronized (all) {
			List<Latencies.Recorder> copies = new ArrayList<>();
			for (Latencies.Recorder r : all) {
				synchronized (r) {
					copies.add(r.copy());
				}
			}
			return Latencies.merge(copies);
		}
	}

	/** A fixed-size bit set whose bits are set atomically. */
	static final class AtomicBits {

		private final AtomicLongArray words;

		AtomicBits(int bits) {
			words = new AtomicLongArray((bits + 63) >>> 6);
		}

		/** Sets bit {@code i}; true if it was clear. */
		boolean set(int i) {
			int w = i >>> 6;
			long mask = 1L << (i & 63);
			while (true) {
				long old = words.get(w);
				if ((old & mask) != 0) {
					return false;
				}
				if (words.compareAndSet(w, old, old | mask)) {
					return true;
				}
			}
		}

		boolean get(int i) {
			return (words.get(i >>> 6) & (1L << (i & 63))) != 0;
		}
	}
}
