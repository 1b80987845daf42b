package io.storecast.campaigns.internal;

import java.time.Clock;
import java.util.List;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import com.github.kagkarlsson.scheduler.task.helper.RecurringTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import com.github.kagkarlsson.scheduler.task.schedule.FixedDelay;

/**
 * The triggers' periodic run on db-scheduler (persistent, one node of a cluster at a time): every
 * {@code storecast.campaigns.triggers.tick} it decides the recipients whose time has come — deferred
 * by quiet hours, due N days after a purchase, or left planned by a stop — and fires the birthday
 * triggers.
 */
@Configuration(proxyBeanMethods = false)
class TriggerSchedule {

	static final String TASK = "campaigns-triggers";
	private static final Logger log = LoggerFactory.getLogger(TriggerSchedule.class);
	/** Firings taken per run (the next run takes the rest). */
	private static final int FIRINGS_PER_RUN = 1000;

	@Bean
	RecurringTask<Void> campaignTriggersTask(ObjectProvider<TriggerSchedule> schedule, TriggerSettings settings) {
		return Tasks.recurring(TASK, FixedDelay.of(settings.tick())).execute((instance, context) -> schedule.getObject().run());
	}

	private final Triggers triggers;
	private final TriggerSending sending;
	private final TriggerEvents events;
	private final TriggerBirthdays birthdays;
	private final Clock clock;

	TriggerSchedule(Triggers triggers, TriggerSending sending, TriggerEvents events, TriggerBirthdays birthdays,
			Clock clock) {
		this.triggers = triggers;
		this.sending = sending;
		this.events = events;
		this.birthdays = birthdays;
		this.clock = clock;
	}

	/** One run: every recipient due now, then the birthdays. */
	void run() {
		List<UUID> due = triggers.firingsDue(clock.instant(), FIRINGS_PER_RUN);
		due.forEach(id -> sending.process(id, events));
		if (!due.isEmpty()) {
			log.debug("Trigger run: {} firing(s) with recipients due", due.size());
		}
		birthdays.run();
	}
}
