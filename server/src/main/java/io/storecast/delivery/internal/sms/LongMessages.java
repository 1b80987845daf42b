package io.storecast.delivery.internal.sms;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.jspecify.annotations.Nullable;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

/**
 * Joins the receipts of a long SMS's parts into one receipt under the first part's message id (the
 * attempt's provider id): delivered when every part is, failed as soon as one part is. Receipts of
 * single messages pass straight through. A receipt can arrive before its submit_sm_resp was read;
 * while a long message is being submitted, a receipt for an id not known yet is held until its part
 * turns up, or passed on once no long message is outstanding or it is older than {@code holdLimit}
 * (then it cannot belong to a part any more). Parts are remembered for {@code receiptWait}; after a
 * restart the receipts of earlier long messages pass through part by part. Thread-safe.
 */
final class LongMessages {

	/** One receipt to hand to the core. */
	record Report(String providerId, Receipt receipt, boolean delivered, String detail) {
	}

	/** The parts of one long message being submitted and their receipts. */
	static final class Group {
		private final String[] ids;
		private final @Nullable Receipt[] receipts;
		private boolean reported;
		private boolean abandoned;

		Group(int parts) {
			this.ids = new String[parts];
			this.receipts = new Receipt[parts];
		}

		/** The report this group is ready to make, once. */
		private synchronized @Nullable Report ready() {
			if (reported || abandoned || ids[0] == null) {
				return null;
			}
			for (int i = 0; i < receipts.length; i++) {
				Receipt r = receipts[i];
				if (r != null && !r.delivered()) {
					reported = true;
					return new Report(ids[0], r, false, "part " + (i + 1) + "/" + ids.length + ": " + r.detail());
				}
			}
			for (Receipt r : receipts) {
				if (r == null) {
					return null;
				}
			}
			reported = true;
			return new Report(ids[0], receipts[receipts.length - 1], true,
					"all " + ids.length + " parts delivered; last " + receipts[receipts.length - 1].detail());
		}
	}

	private record Held(Receipt receipt, long atNanos) {
	}

	private final Cache<String, Group> parts;
	private final Map<String, Held> early = new ConcurrentHashMap<>();
	private final AtomicInteger submitting = new AtomicInteger();
	private final long holdLimitNanos;

	LongMessages(Duration receiptWait, Duration holdLimit) {
		this.parts = Caffeine.newBuilder().expireAfterWrite(receiptWait).maximumSize(5_000_000).build();
		this.holdLimitNanos = holdLimit.toNanos();
	}

	/** A long message of {@code count} parts is about to be submitted. */
	Group open(int count) {
		submitting.incrementAndGet();
		return new Group(count);
	}

	/** Part {@code index} was accepted under {@code id}; returns what is ready to report. */
	List<Report> accepted(Group group, int index, String id) {
		synchronized (group) {
			group.ids[index] = id;
		}
		parts.put(id, group);
		Held held = early.remove(id);
		if (held != null) {
			synchronized (group) {
				group.receipts[index] = held.receipt();
			}
		}
		return reportOf(group.ready());
	}

	/**
	 * The submit of a long message ended: all parts accepted, or not (then the attempt is retried as a
	 * whole and the receipts of the parts that went are swallowed). Returns held receipts that can now
	 * only be single messages'.
	 */
	List<Report> finished(Group group, boolean allAccepted) {
		if (!allAccepted) {
			synchronized (group) {
				group.abandoned = true;
			}
		}
		return submitting.decrementAndGet() == 0 ? release(Long.MAX_VALUE) : List.of();
	}

	/** A final receipt arrived: what to report now (possibly nothing, possibly the joined receipt). */
	List<Report> receipt(Receipt receipt, long nowNanos) {
		Group group = parts.getIfPresent(receipt.messageId());
		if (group == null) {
			if (submitting.get() == 0) {
				return List.of(new Report(receipt.messageId(), receipt, receipt.delivered(), receipt.detail()));
			}
			Held held = new Held(receipt, nowNanos);
			early.put(receipt.messageId(), held);
			// its part may have been accepted meanwhile (accepted() publishes the id, then looks here)
			group = parts.getIfPresent(receipt.messageId());
			if (group == null || !early.remove(receipt.messageId(), held)) {
				// the last long message may have finished meanwhile: then nothing else would release it
				return submitting.get() == 0 ? release(Long.MAX_VALUE) : List.of();
			}
		}
		synchronized (group) {
			for (int i = 0; i < group.ids.length; i++) {
				if (receipt.messageId().equals(group.ids[i])) {
					group.receipts[i] = receipt;
				}
			}
		}
		return reportOf(group.ready());
	}

	/** Held receipts older than the hold limit, passed through as single messages' (a periodic sweep). */
	List<Report> expired(long nowNanos) {
		return release(nowNanos - holdLimitNanos);
	}

	int held() {
		return early.size();
	}

	/** The ids of the parts remembered (for tests). */
	Set<String> knownParts() {
		return parts.asMap().keySet();
	}

	private List<Report> release(long heldBeforeNanos) {
		List<Report> out = new ArrayList<>();
		for (var e : early.entrySet()) {
			Held h = e.getValue();
			if ((heldBeforeNanos == Long.MAX_VALUE || h.atNanos() - heldBeforeNanos < 0) && early.remove(e.getKey(), h)) {
				Receipt r = h.receipt();
				out.add(new Report(r.messageId(), r, r.delivered(), r.detail()));
			}
		}
		return out;
	}

	private static List<Report> reportOf(@Nullable Report report) {
		return report == null ? List.of() : List.of(report);
	}
}
