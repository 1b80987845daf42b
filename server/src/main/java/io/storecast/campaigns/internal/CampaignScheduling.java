package io.storecast.campaigns.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.SchedulerClient;
import com.github.kagkarlsson.scheduler.task.FailureHandler;
import com.github.kagkarlsson.scheduler.task.TaskInstance;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;

import io.storecast.campaigns.CampaignId;

/**
 * Campaign sends on db-scheduler's persistent schedule (rows in {@code scheduled_tasks}, so a restart
 * loses none, and one node of a cluster runs each): one one-time task instance per campaign for its
 * send ({@code <id>}), and one per wake-up of its deferred recipients ({@code <id>@<epoch second>}).
 * A run that fails (a crash of the database connection) is tried again with a growing delay; at
 * start, sends a stopped node left SENDING are resumed at once.
 */
@Configuration(proxyBeanMethods = false)
class CampaignScheduling {

	static final String TASK = "campaigns-send";
	private static final Logger log = LoggerFactory.getLogger(CampaignScheduling.class);

	private final ObjectProvider<SchedulerClient> scheduler;
	private final Campaigns campaigns;
	private final CampaignSettings settings;
	private final Clock clock;

	CampaignScheduling(ObjectProvider<SchedulerClient> scheduler, Campaigns campaigns, CampaignSettings settings,
			Clock clock) {
		this.scheduler = scheduler;
		this.campaigns = campaigns;
		this.settings = settings;
		this.clock = clock;
	}

	@Bean
	OneTimeTask<Void> campaignSendTask(ObjectProvider<CampaignSending> sending) {
		return Tasks.oneTime(TASK)
			.onFailure(new FailureHandler.ExponentialBackoffFailureHandler<>(Duration.ofSeconds(10)))
			.execute((instance, context) -> sending.getObject().run(campaignOf(instance.getId())));
	}

	/** Schedules the campaign's send (in the caller's transaction: it is stored or not with the campaign). */
	void start(CampaignId id, Instant at) {
		scheduler.getObject().scheduleIfNotExists(new TaskInstance<Void>(TASK, id.toString()), at);
		soon(at);
	}

	/**
	 * Moves the campaign from {@code from} to SCHEDULED and schedules its send at {@code when}, in the
	 * caller's transaction; false when it was not in {@code from}.
	 */
	boolean schedule(CampaignId id, Campaign.Status from, Instant when, Instant now) {
		if (!campaigns.transition(id, java.util.List.of(from), Campaign.Status.SCHEDULED, null, now)) {
			return false;
		}
		campaigns.scheduleAt(id, when, now);
		start(id, when);
		return true;
	}

	/** Schedules a run at {@code at} (a wake-up for deferred recipients, or a resumption). */
	void wakeUp(CampaignId id, Instant at) {
		scheduler.getObject()
			.scheduleIfNotExists(new TaskInstance<Void>(TASK, id + "@" + at.getEpochSecond()), at);
		soon(at);
	}

	/**
	 * A run due now starts at once rather than at the scheduler's next poll (10 s): db-scheduler's own
	 * immediate execution looks before the caller's transaction has committed the row, so look again
	 * after the commit.
	 */
	void soon(Instant at) {
		if (at.isAfter(clock.instant()) || !(scheduler.getObject() instanceof Scheduler s)) {
			return;
		}
		if (TransactionSynchronizationManager.isSynchronizationActive()) {
			TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
				@Override
				public void afterCommit() {
					s.triggerCheckForDueExecutions();
				}
			});
		}
		else {
			s.triggerCheckForDueExecutions();
		}
	}

	/** Resumes the sends that were under way when the server stopped. */
	@EventListener(ApplicationReadyEvent.class)
	void resumeOnStart() {
		if (settings.resumeOnStart()) {
			resumeInterrupted();
		}
	}

	/** Schedules a run now for every campaign still SENDING; how many. */
	int resumeInterrupted() {
		var sending = campaigns.sending();
		Instant now = clock.instant();
		sending.forEach(id -> wakeUp(id, now));
		if (!sending.isEmpty()) {
			log.info("Resuming {} campaign send(s) interrupted by a stop", sending.size());
		}
		return sending.size();
	}

	static CampaignId campaignOf(String instance) {
		int at = instance.indexOf('@');
		return CampaignId.valueOf(at < 0 ? instance : instance.substring(0, at));
	}
}
