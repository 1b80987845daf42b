package io.storecast.delivery.internal;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.modulith.events.ApplicationModuleListener;
import org.springframework.stereotype.Component;

import io.storecast.audience.Channel;
import io.storecast.delivery.DeliveryStatus;
import io.storecast.delivery.DeliveryStatusChanged;
import io.storecast.messaging.CustomerReadUpTo;
import io.storecast.messaging.MerchantMessaging;

/**
 * In-app messages become READ when the customer's read receipt says so: messaging tells which of the
 * store's posts the receipt covered (their keys, {@code <delivery id>:<step>}), and their attempts are
 * marked in one statement, at the receipt's time. The read checks ({@link DeliveryWorkers#readSweep})
 * are left as a safety net. A receipt that reaches a batch's message (V34) posted but not written
 * down yet is kept, and the message is written down READ.
 */
@Component
class InAppReads {

	private final Outbox outbox;
	private final OutboxBatches batches;
	private final MerchantMessaging messaging;
	private final ApplicationEventPublisher events;
	private final Clock clock;

	InAppReads(Outbox outbox, OutboxBatches batches, MerchantMessaging messaging, ApplicationEventPublisher events,
			Clock clock) {
		this.outbox = outbox;
		this.batches = batches;
		this.messaging = messaging;
		this.events = events;
		this.clock = clock;
	}

	@ApplicationModuleListener
	void on(CustomerReadUpTo read) {
		List<UUID> deliveries = new ArrayList<>();
		List<Integer> steps = new ArrayList<>();
		for (String key : messaging.postKeys(read.conversationId(), read.fromSeq(), read.seq())) {
			// another module's post (a card, a notice) is not a delivery's
			PostKey.parse(key).ifPresent(k -> {
				deliveries.add(k.deliveryId());
				steps.add(k.step());
			});
		}
		java.util.Set<UUID> reached = apply(deliveries, steps, read.at());
		// a batch's message posted but not written down yet: READ when it is (DeliveryWorkers.recordBatched)
		List<UUID> unreached = new ArrayList<>();
		for (int i = 0; i < deliveries.size(); i++) {
			if (steps.get(i) == 0 && !reached.contains(deliveries.get(i))) {
				unreached.add(deliveries.get(i));
			}
		}
		batches.keepEarlyReads(unreached, read.at());
	}

	/** Marks the posts' attempts read at {@code at}; returns the deliveries an attempt was found for. */
	private java.util.Set<UUID> apply(List<UUID> deliveries, List<Integer> steps, Instant at) {
		Instant now = clock.instant();
		List<Outbox.StatusChange> statuses = new ArrayList<>();
		List<DeliveryStatusChanged> changes = new ArrayList<>();
		java.util.Set<UUID> reached = new java.util.HashSet<>();
		for (Outbox.ReadAttempt a : outbox.readUpTo(deliveries, steps, at, now)) {
			reached.add(a.deliveryId());
			if (a.read()) {
				Outbox.MessageRow m = outbox.message(a.deliveryId()).orElseThrow();
				statuses.add(new Outbox.StatusChange(m.id(), DeliveryStatus.READ));
				changes.add(DeliveryWorkers.change(m, Channel.IN_APP, DeliveryStatus.READ, null, 1, at));
			}
		}
		outbox.setStatuses(statuses, now);
		changes.forEach(events::publishEvent);
		return reached;
	}

	/**
	 * Early reads whose message has been written down since: a receipt and the recording of its
	 * message ran at the same time, so neither saw the other. Applied now, at the receipt's time (the
	 * workers' housekeeping calls this every few seconds, in a transaction). Returns how many.
	 */
	int applyLate(int limit) {
		List<OutboxBatches.EarlyRead> late = batches.takeWrittenEarlyReads(limit);
		for (OutboxBatches.EarlyRead r : late) {
			apply(List.of(r.deliveryId()), List.of(r.step()), r.readAt());
		}
		return late.size();
	}
}
