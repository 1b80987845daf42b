package io.storecast.campaigns.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.support.TransactionTemplate;

import com.github.kagkarlsson.scheduler.SchedulerClient;
import com.github.kagkarlsson.scheduler.task.FailureHandler;
import com.github.kagkarlsson.scheduler.task.TaskInstance;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;

import io.storecast.campaigns.CampaignId;

/**
 * A send waiting for approval does not wait forever: each request has a db-scheduler one-time task
 * ({@code campaigns-approval-expiry}, instance {@code <campaign id>/<request id>}), stored with the
 * request, due when the campaign ends (or a recurrence's {@code until}, if sooner). Still undecided
 * then, the campaign is a DRAFT again ({@code approval-expired}). A decided request's task is left to
 * run and finds nothing to do (cancelling it could race its run).
 */
@Configuration(proxyBeanMethods = false)
class ApprovalScheduling {

	static final String TASK = "campaigns-approval-expiry";
	static final String EXPIRED = "approval-expired";
	private static final Logger log = LoggerFactory.getLogger(ApprovalScheduling.class);

	private final ObjectProvider<SchedulerClient> scheduler;
	private final CampaignScheduling scheduling;
	private final Campaigns campaigns;
	private final Approvals approvals;
	private final ApplicationEventPublisher events;
	private final TransactionTemplate tx;
	private final Clock clock;

	ApprovalScheduling(ObjectProvider<SchedulerClient> scheduler, CampaignScheduling scheduling, Campaigns campaigns,
			Approvals approvals, ApplicationEventPublisher events, TransactionTemplate tx, Clock clock) {
		this.scheduler = scheduler;
		this.scheduling = scheduling;
		this.campaigns = campaigns;
		this.approvals = approvals;
		this.events = events;
		this.tx = tx;
		this.clock = clock;
	}

	@Bean
	OneTimeTask<Void> campaignApprovalExpiryTask(ObjectProvider<ApprovalScheduling> expiry) {
		return Tasks.oneTime(TASK)
			.onFailure(new FailureHandler.ExponentialBackoffFailureHandler<>(Duration.ofSeconds(10)))
			.execute((instance, context) -> expiry.getObject().expire(instance.getId()));
	}

	/**
	 * A send started waiting for approval: schedules its expiry and tells the approvers (an event after
	 * the commit), in the caller's transaction.
	 */
	void requested(Campaign c, UUID requestId, CampaignManagement.SendRequest asked) {
		Instant due = c.endsAt();
		if (asked.recurrence() != null && asked.recurrence().until() != null && asked.recurrence().until().isBefore(due)) {
			due = asked.recurrence().until();
		}
		scheduler.getObject().scheduleIfNotExists(new TaskInstance<Void>(TASK, c.id() + "/" + requestId), due);
		scheduling.soon(due);
		events.publishEvent(new ApprovalRequested(c.id(), requestId));
	}

	/** A request was decided: the requester and the approvers are told (an event after the commit). */
	void decided(ApprovalDecided decision) {
		events.publishEvent(decision);
	}

	/** The request's expiry, when due: a campaign still waiting for it is a DRAFT again. */
	void expire(String instance) {
		int slash = instance.indexOf('/');
		CampaignId id = CampaignId.valueOf(instance.substring(0, slash));
		UUID requestId = UUID.fromString(instance.substring(slash + 1));
		tx.executeWithoutResult(s -> {
			Campaign c = campaigns.lock(id).orElse(null);
			Approvals.Approval a = approvals.find(id).orElse(null);
			if (c == null || a == null || !a.pending() || !requestId.equals(a.requestId())
					|| c.status() != Campaign.Status.PENDING_APPROVAL) {
				return;
			}
			Instant now = clock.instant();
			campaigns.transition(id, List.of(Campaign.Status.PENDING_APPROVAL), Campaign.Status.DRAFT, EXPIRED, now);
			approvals.decide(id, Approvals.Decision.EXPIRED, "system", now, EXPIRED);
			decided(new ApprovalDecided(id, requestId, Approvals.Decision.EXPIRED, "系统", null, EXPIRED,
					a.requestedByStaff()));
			log.info("Campaign {}: its send waited for approval until the campaign ended; a draft again", id);
		});
	}
}
