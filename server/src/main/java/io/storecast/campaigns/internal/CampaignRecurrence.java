package io.storecast.campaigns.internal;

import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.support.TransactionTemplate;

import com.github.kagkarlsson.scheduler.SchedulerClient;
import com.github.kagkarlsson.scheduler.task.ExecutionComplete;
import com.github.kagkarlsson.scheduler.task.FailureHandler;
import com.github.kagkarlsson.scheduler.task.TaskInstance;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import com.github.kagkarlsson.scheduler.task.schedule.CronSchedule;

import io.storecast.campaigns.CampaignId;
import io.storecast.identity.OrgDirectory;
import io.storecast.platform.ApiException;
import io.storecast.platform.Ids;

/**
 * Recurring campaigns: a cron rule (db-scheduler's syntax, in a zone) whose every occurrence is one
 * <b>run</b>. A run is a child campaign, a clone of the campaign's definition, sent now through the
 * ordinary send — its own recipient list, so each customer hears each run once, under the shared
 * frequency cap — and nothing of the sending path changes. Runs are db-scheduler one-time task
 * instances {@code <id>#<run>}, one at a time, each scheduling the next: persistent across restarts, one
 * node of a cluster runs each, and a run retried after a crash finds its child (the run number is the key).
 */
@Configuration(proxyBeanMethods = false)
class CampaignRecurrence {

	static final String TASK = "campaigns-recur";
	/** How many occurrences are looked at to check the rule's interval. */
	private static final int CHECKED_OCCURRENCES = 10;
	private static final int RUNS_SHOWN = 20;

	/** A recurrence as asked: the cron pattern, its zone (default: the head office's), the last instant it may fire. */
	record Recurrence(@Nullable String cron, @Nullable String zone, @Nullable Instant until) {
	}

	/** A checked rule and its first run. */
	record Checked(String cron, ZoneId zone, @Nullable Instant until, Instant first) {
	}

	record RunView(int run, CampaignId campaignId, Instant dueAt, Instant startedAt, Campaign.Status status,
			@Nullable String statusReason, long recipients, long handedOff, long deferred, long skipped) {
	}

	/**
	 * @param lastRun the latest run started (null before the first)
	 * @param runs the newest first (at most 20)
	 */
	record RecurrenceView(String cron, ZoneId zone, @Nullable Instant until, @Nullable Instant nextRunAt, int runCount,
			@Nullable RunView lastRun, List<RunView> runs) {
	}

	private final ObjectProvider<SchedulerClient> scheduler;
	private final Campaigns campaigns;
	private final Recurrences recurrences;
	private final Recipients recipients;
	private final RecipientWalks walks;
	private final CampaignScheduling scheduling;
	private final OrgDirectory org;
	private final CampaignSettings settings;
	private final TransactionTemplate tx;
	private final Clock clock;

	CampaignRecurrence(ObjectProvider<SchedulerClient> scheduler, Campaigns campaigns, Recurrences recurrences,
			Recipients recipients, RecipientWalks walks, CampaignScheduling scheduling, OrgDirectory org,
			CampaignSettings settings, TransactionTemplate tx, Clock clock) {
		this.scheduler = scheduler;
		this.campaigns = campaigns;
		this.recurrences = recurrences;
		this.recipients = recipients;
		this.walks = walks;
		this.scheduling = scheduling;
		this.org = org;
		this.settings = settings;
		this.tx = tx;
		this.clock = clock;
	}

	@Bean
	OneTimeTask<Void> campaignRecurTask(ObjectProvider<CampaignRecurrence> recurrence) {
		return Tasks.oneTime(TASK)
			.onFailure(new FailureHandler.ExponentialBackoffFailureHandler<>(Duration.ofSeconds(10)))
			.execute((instance, context) -> recurrence.getObject().run(instance.getId()));
	}

	/** Checks the rule against the campaign's end; nothing is stored. */
	Checked check(Campaign c, Recurrence r, Instant now) {
		if (r.cron() == null || r.cron().isBlank()) {
			throw invalidCron("recurrence.cron is required, e.g. \"0 0 10 * * MON\" (second minute hour day month weekday)");
		}
		ZoneId zone;
		try {
			zone = r.zone() == null ? org.headOffice().timeZone() : ZoneId.of(r.zone());
		}
		catch (DateTimeException e) {
			throw ApiException.badRequest("invalid-zone", "recurrence.zone",
					"recurrence.zone (" + r.zone() + ") is not a time zone; use a region id such as Asia/Shanghai");
		}
		CronSchedule schedule;
		try {
			schedule = new CronSchedule(r.cron().trim(), zone);
		}
		catch (RuntimeException e) {
			throw invalidCron("recurrence.cron (" + r.cron() + ") is not a cron pattern: " + e.getMessage());
		}
		if (schedule.isDisabled()) {
			throw invalidCron("recurrence.cron \"-\" never fires");
		}
		if (r.until() != null && !r.until().isAfter(now)) {
			throw ApiException.badRequest("schedule-in-past", "recurrence.until",
					"recurrence.until (" + r.until() + ") is in the past");
		}
		Instant end = end(c, r.until());
		Instant first = next(schedule, now);
		if (first == null || !first.isBefore(end)) {
			throw ApiException.badRequest("recurrence-never-fires", "recurrence",
					"The rule " + r.cron() + " (" + zone + ") does not fire before " + end
							+ (r.until() != null && r.until().isBefore(c.endsAt()) ? " (until)" : " (the campaign's end)")
							+ "; nothing is scheduled");
		}
		Instant previous = first;
		for (int i = 0; i < CHECKED_OCCURRENCES; i++) {
			Instant following = next(schedule, previous);
			if (following == null || !following.isBefore(end)) {
				break;
			}
			if (Duration.between(previous, following).compareTo(settings.minRecurrenceInterval()) < 0) {
				throw ApiException.badRequest("recurrence-too-frequent", "recurrence.cron", "The rule runs " + previous
						+ " and again " + following + "; runs are at least " + settings.minRecurrenceInterval() + " apart");
			}
			previous = following;
		}
		return new Checked(r.cron().trim(), zone, r.until(), first);
	}

	/**
	 * Moves the campaign from {@code from} to RECURRING and schedules its first run, in the caller's
	 * transaction; false when it was not in {@code from}.
	 */
	boolean start(CampaignId id, Campaign.Status from, Checked rule, Instant now) {
		if (!campaigns.transition(id, List.of(from), Campaign.Status.RECURRING, null, now)) {
			return false;
		}
		recurrences.insert(new Recurrences.Rule(id, rule.cron(), rule.zone(), rule.until(), rule.first()), now);
		campaigns.scheduleAt(id, rule.first(), now);
		schedule(id, 1, rule.first());
		return true;
	}

	/** A run of the rule: its child campaign is created and sent now, and the next run scheduled. */
	void run(String instance) {
		int hash = instance.lastIndexOf('#');
		CampaignId id = CampaignId.valueOf(instance.substring(0, hash));
		int run = Integer.parseInt(instance.substring(hash + 1));
		tx.executeWithoutResult(s -> {
			Campaign parent = campaigns.lock(id).orElse(null);
			Recurrences.Rule rule = recurrences.find(id).orElse(null);
			if (parent == null || rule == null || parent.status() != Campaign.Status.RECURRING
					|| recurrences.hasRun(id, run)) {
				return;
			}
			Instant now = clock.instant();
			Instant due = rule.nextRunAt() == null ? now : rule.nextRunAt();
			Instant end = end(parent, rule.until());
			if (!now.isBefore(end)) {
				finish(id, now);
				return;
			}
			Campaign child = new Campaign(new CampaignId(Ids.newId()),
					StaffNoticeRuns.shorten(parent.name() + " · 第" + run + "期", 100), parent.purpose(), parent.startsAt(),
					parent.endsAt(), parent.definition(), parent.scopeNodeId(), parent.scopePath(), Campaign.Status.DRAFT, null,
					null, null, null, null, null, parent.createdBy(), now, now);
			campaigns.insert(child);
			recurrences.insertRun(id, new Recurrences.Run(run, child.id(), due, now));
			scheduling.schedule(child.id(), Campaign.Status.DRAFT, now, now);
			// occurrences missed while the server was down are made up by this one run, not one each
			Instant next = next(new CronSchedule(rule.cron(), rule.zone()), due.isAfter(now) ? due : now);
			if (next == null || !next.isBefore(end)) {
				finish(id, now);
				return;
			}
			recurrences.nextRunAt(id, next);
			campaigns.scheduleAt(id, next, now);
			schedule(id, run + 1, next);
		});
	}

	/** Stops future runs (the campaign is cancelled) and cancels the runs still scheduled or sending. */
	void cancelRuns(CampaignId id, Instant now) {
		recurrences.nextRunAt(id, null);
		for (Recurrences.Run run : runs(id)) {
			Campaign child = campaigns.lock(run.childId()).orElseThrow();
			if (child.status().cancellable()) {
				campaigns.transition(child.id(), List.of(child.status()), Campaign.Status.CANCELLED, "cancelled", now);
				walks.skipRemaining(child, "campaign-cancelled", now);
			}
		}
	}

	/** The rule, its next run and the newest runs with where each stands; null for a campaign that does not recur. */
	@Nullable RecurrenceView view(CampaignId id) {
		return recurrences.find(id).map(rule -> {
			List<RunView> runs = recurrences.runs(id, RUNS_SHOWN).stream().map(run -> {
				Campaign child = campaigns.find(run.childId()).orElseThrow();
				Map<String, Long> counters = recipients.counters(run.childId());
				long skipped = counters.entrySet().stream().filter(e -> e.getKey().startsWith("SKIPPED:"))
					.mapToLong(Map.Entry::getValue).sum();
				return new RunView(run.run(), run.childId(), run.dueAt(), run.startedAt(), child.status(),
						child.statusReason(), counters.getOrDefault(Recipients.TOTAL, 0L),
						counters.getOrDefault("HANDED_OFF", 0L), counters.getOrDefault("DEFERRED", 0L), skipped);
			}).toList();
			return new RecurrenceView(rule.cron(), rule.zone(), rule.until(), rule.nextRunAt(), recurrences.runCount(id),
					runs.isEmpty() ? null : runs.get(0), runs);
		}).orElse(null);
	}

	/** Whether the campaign was sent with a recurrence rule. */
	boolean recurs(CampaignId id) {
		return recurrences.find(id).isPresent();
	}

	/** Every run the campaign started, the newest first; none for a campaign that does not recur. */
	List<Recurrences.Run> runs(CampaignId id) {
		return recurrences.runs(id, Integer.MAX_VALUE);
	}

	private void finish(CampaignId id, Instant now) {
		recurrences.nextRunAt(id, null);
		campaigns.transition(id, List.of(Campaign.Status.RECURRING), Campaign.Status.SENT, "recurrence-ended", now);
	}

	private void schedule(CampaignId id, int run, Instant at) {
		scheduler.getObject().scheduleIfNotExists(new TaskInstance<Void>(TASK, id + "#" + run), at);
		scheduling.soon(at);
	}

	private static Instant end(Campaign c, @Nullable Instant until) {
		return until != null && until.isBefore(c.endsAt()) ? until.plusNanos(1) : c.endsAt();
	}

	/** The rule's first occurrence after {@code after}; null when there is none. */
	private static @Nullable Instant next(CronSchedule schedule, Instant after) {
		try {
			Instant next = schedule.getNextExecutionTime(ExecutionComplete.simulatedSuccess(after));
			return next == null || next.isAfter(Instant.parse("9000-01-01T00:00:00Z")) ? null : next;
		}
		catch (RuntimeException e) {
			return null;
		}
	}

	private static ApiException invalidCron(String detail) {
		return ApiException.badRequest("invalid-cron", "recurrence.cron", detail);
	}
}
