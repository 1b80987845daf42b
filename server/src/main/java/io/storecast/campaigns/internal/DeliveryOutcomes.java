package io.storecast.campaigns.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import io.storecast.campaigns.CampaignId;
import io.storecast.delivery.DeliveryStatusChanged;

/**
 * Counts what delivery reports for each campaign's messages (SENT, DELIVERED, READ, FAILED) in
 * {@code campaigns_counters}, and records each recipient's outcome for the results
 * ({@link Engagement#reports}, one statement per transaction). It listens synchronously, inside delivery's own transaction, and adds
 * the transaction's counts up before it commits: a count commits exactly with the status it counts,
 * and a million messages cost a few counter updates per delivery batch rather than a million event
 * publications (which an {@code @ApplicationModuleListener} would store and replay).
 */
@Component
class DeliveryOutcomes {

	static final String PREFIX = "delivery:";
	private static final String SOURCE = "campaign:";

	private final Recipients recipients;
	private final Engagement engagement;

	DeliveryOutcomes(Recipients recipients, Engagement engagement) {
		this.recipients = recipients;
		this.engagement = engagement;
	}

	@EventListener
	void on(DeliveryStatusChanged event) {
		if (!event.source().startsWith(SOURCE)) {
			return;
		}
		CampaignId campaign;
		try {
			campaign = CampaignId.valueOf(event.source().substring(SOURCE.length()));
		}
		catch (IllegalArgumentException notOurs) {
			return;
		}
		String counter = PREFIX + event.status().name();
		// and per recipient, for results by store, channel and hour
		Engagement.Report report = new Engagement.Report(campaign, event.customerId(), event.status(), event.channel(),
				event.at());
		if (!TransactionSynchronizationManager.isSynchronizationActive()) {
			recipients.add(campaign, Map.of(counter, 1L), shard());
			engagement.reports(List.of(report));
			return;
		}
		Tally tally = (Tally) TransactionSynchronizationManager.getResource(this);
		if (tally == null) {
			Tally created = new Tally();
			TransactionSynchronizationManager.bindResource(this, created);
			TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
				@Override
				public void beforeCommit(boolean readOnly) {
					created.counts.forEach((id, counts) -> recipients.add(id, counts, shard()));
					engagement.reports(created.reports);
				}

				@Override
				public void afterCompletion(int status) {
					TransactionSynchronizationManager.unbindResourceIfPossible(DeliveryOutcomes.this);
				}
			});
			tally = created;
		}
		tally.counts.computeIfAbsent(campaign, k -> new HashMap<>()).merge(counter, 1L, Long::sum);
		tally.reports.add(report);
	}

	private static int shard() {
		return (int) (Thread.currentThread().threadId() & 7);
	}

	/** One transaction's counts per campaign. */
	private static final class Tally {
		final Map<CampaignId, Map<String, Long>> counts = new HashMap<>();
		final List<Engagement.Report> reports = new ArrayList<>();
	}
}
