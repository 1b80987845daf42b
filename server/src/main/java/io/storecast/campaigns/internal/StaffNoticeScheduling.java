package io.storecast.campaigns.internal;

import java.time.Duration;
import java.time.Instant;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import com.github.kagkarlsson.scheduler.SchedulerClient;
import com.github.kagkarlsson.scheduler.task.FailureHandler;
import com.github.kagkarlsson.scheduler.task.TaskInstance;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;

/**
 * Staff notices on db-scheduler's persistent schedule: one one-time task instance per notice for its
 * posting ({@code <id>}), per reminder ({@code <id>#remind-<k>}) and per check-in round
 * ({@code <id>#check-in-<k>}). Each is scheduled in the transaction that decides it (stored or not
 * with what caused it), and each run does its work once: the notice's row remembers the next reminder
 * and round, so a run repeated after a crash finds its work done.
 */
@Configuration(proxyBeanMethods = false)
class StaffNoticeScheduling {

	static final String TASK = "campaigns-staff-notice";
	static final String REMIND = "#remind-";
	static final String CHECK_IN = "#check-in-";

	private final ObjectProvider<SchedulerClient> scheduler;
	private final CampaignScheduling campaigns;

	StaffNoticeScheduling(ObjectProvider<SchedulerClient> scheduler, CampaignScheduling campaigns) {
		this.scheduler = scheduler;
		this.campaigns = campaigns;
	}

	@Bean
	OneTimeTask<Void> staffNoticeTask(ObjectProvider<StaffNoticeRuns> runs) {
		return Tasks.oneTime(TASK)
			.onFailure(new FailureHandler.ExponentialBackoffFailureHandler<>(Duration.ofSeconds(10)))
			.execute((instance, context) -> run(runs.getObject(), instance.getId()));
	}

	private static void run(StaffNoticeRuns runs, String instance) {
		int remind = instance.indexOf(REMIND);
		int checkIn = instance.indexOf(CHECK_IN);
		if (remind > 0) {
			runs.remind(StaffNoticeId.valueOf(instance.substring(0, remind)),
					Integer.parseInt(instance.substring(remind + REMIND.length())));
		}
		else if (checkIn > 0) {
			runs.checkIn(StaffNoticeId.valueOf(instance.substring(0, checkIn)),
					Integer.parseInt(instance.substring(checkIn + CHECK_IN.length())));
		}
		else {
			runs.post(StaffNoticeId.valueOf(instance));
		}
	}

	/** Schedules the notice's posting (in the caller's transaction). */
	void post(StaffNoticeId id, Instant at) {
		schedule(id.toString(), at);
	}

	void remind(StaffNoticeId id, int k, Instant at) {
		schedule(id + REMIND + k, at);
	}

	void checkIn(StaffNoticeId id, int k, Instant at) {
		schedule(id + CHECK_IN + k, at);
	}

	private void schedule(String instance, Instant at) {
		scheduler.getObject().scheduleIfNotExists(new TaskInstance<Void>(TASK, instance), at);
		campaigns.soon(at);
	}
}
