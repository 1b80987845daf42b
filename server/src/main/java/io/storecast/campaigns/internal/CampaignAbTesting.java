package io.storecast.campaigns.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.support.TransactionTemplate;

import com.github.kagkarlsson.scheduler.SchedulerClient;
import com.github.kagkarlsson.scheduler.task.FailureHandler;
import com.github.kagkarlsson.scheduler.task.TaskInstance;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;

import io.storecast.campaigns.CampaignId;
import io.storecast.identity.Actor;
import io.storecast.platform.ApiException;

/**
 * A/B tests of campaigns. The send hands the test part off (each recipient their variant, the rest
 * HELD); once it has, the winner is chosen — by someone, or for AUTO by a db-scheduler one-time task
 * ({@code campaigns-ab-decide}, instance = the campaign) at the end of the test period, which
 * survives restarts — the best variant by the campaign's metric over the test recipients, ties going
 * to the earlier key. Choosing releases the rest to the same chunk sender with the winner's variant,
 * in one transaction holding the campaign's row lock: the held rows become PLANNED, so each
 * recipient is still handed off once.
 */
@Configuration(proxyBeanMethods = false)
class CampaignAbTesting {

	static final String TASK = "campaigns-ab-decide";
	static final String AUTO = "auto";
	private static final Logger log = LoggerFactory.getLogger(CampaignAbTesting.class);

	/**
	 * NOT_STARTED: the test part is not handed off yet; TESTING: waiting for the winner;
	 * WINNER_CHOSEN: chosen (the rest, if any, being sent); SENT_TO_REST: the rest has been decided.
	 */
	enum Status {
		NOT_STARTED, TESTING, WINNER_CHOSEN, SENT_TO_REST
	}

	record WinnerRequest(@Nullable String variant) {
	}

	/**
	 * A variant's test figures and its metric: {@code base} is what the metric divides by (delivered for
	 * the read and click rates, recipients otherwise); {@code value} the rate (4 places) or fen per
	 * recipient (2 places), null without a base; {@code confidenceInterval} its 95% interval.
	 */
	record VariantView(String key, int split, long recipients, long delivered, long read, long clicked, long redeemed,
			long revenueFen, long base, @Nullable Double value, AbStatistics.@Nullable Interval confidenceInterval) {
	}

	/** @param rest the recipients held back from the test, by status */
	record AbView(CampaignId campaignId, Campaign.Metric metric, Campaign.WinnerMode winnerMode, double testFraction,
			@Nullable Duration testPeriod, Status status, @Nullable Instant testSentAt, @Nullable Instant decideAt,
			@Nullable String winner, @Nullable String chosenBy, @Nullable Instant chosenAt, @Nullable String reason,
			@Nullable Instant releasedAt, List<VariantView> variants, Map<String, Long> rest) {
	}

	private final ObjectProvider<SchedulerClient> scheduler;
	private final CampaignManagement management;
	private final Campaigns campaigns;
	private final Recipients recipients;
	private final AbTests tests;
	private final CampaignScheduling scheduling;
	private final TransactionTemplate tx;
	private final Clock clock;

	CampaignAbTesting(ObjectProvider<SchedulerClient> scheduler, CampaignManagement management, Campaigns campaigns,
			Recipients recipients, AbTests tests, CampaignScheduling scheduling, TransactionTemplate tx, Clock clock) {
		this.scheduler = scheduler;
		this.management = management;
		this.campaigns = campaigns;
		this.recipients = recipients;
		this.tests = tests;
		this.scheduling = scheduling;
		this.tx = tx;
		this.clock = clock;
	}

	@Bean
	OneTimeTask<Void> campaignAbDecideTask(ObjectProvider<CampaignAbTesting> testing) {
		return Tasks.oneTime(TASK)
			.onFailure(new FailureHandler.ExponentialBackoffFailureHandler<>(Duration.ofSeconds(10)))
			.execute((instance, context) -> testing.getObject().decide(CampaignId.valueOf(instance.getId())));
	}

	/**
	 * The send has handed off the test part (called by the sender's last step of a run, holding the
	 * campaign's lock): recorded once, and for AUTO the decision scheduled at the test period's end.
	 */
	void testHandedOff(Campaign c, Instant now) {
		Campaign.AbTest test = Objects.requireNonNull(c.definition().abTest());
		Instant decideAt = test.winner() == Campaign.WinnerMode.AUTO ? now.plus(Objects.requireNonNull(test.testPeriod()))
				: null;
		if (tests.testSent(c.id(), now, decideAt) && decideAt != null) {
			scheduler.getObject().scheduleIfNotExists(new TaskInstance<Void>(TASK, c.id().toString()), decideAt);
			log.info("Campaign {}: A/B test part handed off, the winner is picked at {}", c.id(), decideAt);
		}
	}

	AbView view(Actor actor, CampaignId id) {
		return view(abCampaign(management.readable(actor, id)));
	}

	/** Someone chooses the winner: the rest is sent the winner's variant. */
	AbView choose(Actor actor, CampaignId id, @Nullable WinnerRequest request) {
		Campaign c = abCampaign(management.writable(actor, id));
		Campaign.AbTest test = Objects.requireNonNull(c.definition().abTest());
		String variant = request == null ? null : request.variant();
		if (variant == null || variant.isBlank()) {
			throw ApiException.badRequest("validation-failed", "variant", "variant names the winner, e.g. {\"variant\": \"B\"}");
		}
		if (test.variants().stream().noneMatch(v -> v.key().equals(variant))) {
			throw ApiException.badRequest("unknown-variant", "variant", "The test has no variant " + variant + "; it has "
					+ String.join(", ", test.variants().stream().map(Campaign.AbTest.Variant::key).toList()));
		}
		String by = CampaignManagement.createdBy(actor);
		tx.executeWithoutResult(s -> {
			Campaign locked = campaigns.lock(id).orElseThrow();
			AbTests.State state = tests.find(id).orElseThrow(() -> ApiException.conflict("ab-test-not-sent",
					"The test part has not been handed off yet: the winner is chosen once it has"));
			if (state.winner() != null) {
				throw alreadyChosen(state);
			}
			choose(locked, variant, by, "chosen by " + by, clock.instant());
		});
		return view(campaigns.find(id).orElseThrow());
	}

	/** The AUTO decision at the test period's end: the best variant by the metric (ties: the earlier key). */
	void decide(CampaignId id) {
		tx.executeWithoutResult(s -> {
			Campaign c = campaigns.lock(id).orElse(null);
			AbTests.State state = tests.find(id).orElse(null);
			if (c == null || c.definition().abTest() == null || state == null || state.winner() != null) {
				return;
			}
			List<VariantView> variants = variants(c, tests.facts(id));
			VariantView best = null;
			for (VariantView v : variants) {
				if (v.value() != null && (best == null || best.value() == null || v.value() > best.value())) {
					best = v;
				}
			}
			Campaign.Metric metric = c.definition().abTest().metric();
			String reason;
			if (best == null) {
				best = variants.getFirst();
				reason = metric + ": no variant had any data after the test period; the first variant by key";
			}
			else {
				VariantView winner = best;
				reason = metric + " after the test period: " + String.join("; ", variants.stream()
					.map(v -> (v == winner ? "winner " : "") + describe(v))
					.toList()) + " (ties go to the earlier key)";
			}
			choose(c, best.key(), AUTO, reason, clock.instant());
		});
	}

	private static String describe(VariantView v) {
		String interval = v.confidenceInterval() == null ? "no interval"
				: "95% CI " + v.confidenceInterval().lower() + "–" + v.confidenceInterval().upper();
		return v.key() + " = " + (v.value() == null ? "n/a" : v.value()) + " (" + interval + ", base " + v.base() + ")";
	}

	/** Records the winner and, while the campaign is sending, releases the rest to the sender; in the caller's transaction. */
	private void choose(Campaign c, String winner, String by, String reason, Instant now) {
		CampaignId id = c.id();
		if (!tests.choose(id, winner, by, now, reason)) {
			return;
		}
		if (c.status() == Campaign.Status.SENDING && recipients.release(id, winner) > 0) {
			tests.released(id, now);
			scheduling.wakeUp(id, now);
		}
		log.info("Campaign {}: A/B winner {} ({}): {}", id, winner, by, reason);
	}

	private static ApiException alreadyChosen(AbTests.State state) {
		return ApiException.conflict("winner-already-chosen",
				"The winner is " + state.winner() + ", chosen by " + state.chosenBy() + " at " + state.chosenAt());
	}

	private static Campaign abCampaign(Campaign c) {
		if (c.definition().abTest() == null) {
			throw ApiException.conflict("not-an-ab-test", "The campaign has no A/B test");
		}
		return c;
	}

	private AbView view(Campaign c) {
		Campaign.AbTest test = Objects.requireNonNull(c.definition().abTest());
		AbTests.State state = tests.find(c.id()).orElse(null);
		Map<String, Long> rest = recipients.rest(c.id());
		Status status;
		if (state == null) {
			status = Status.NOT_STARTED;
		}
		else if (state.winner() == null) {
			status = Status.TESTING;
		}
		else {
			boolean restPending = rest.getOrDefault("PLANNED", 0L) + rest.getOrDefault("HELD", 0L) > 0;
			status = state.releasedAt() != null && !restPending ? Status.SENT_TO_REST : Status.WINNER_CHOSEN;
		}
		return new AbView(c.id(), test.metric(), test.winner(), test.testFraction(), test.testPeriod(), status,
				state == null ? null : state.testSentAt(), state == null ? null : state.decideAt(),
				state == null ? null : state.winner(), state == null ? null : state.chosenBy(),
				state == null ? null : state.chosenAt(), state == null ? null : state.reason(),
				state == null ? null : state.releasedAt(), variants(c, tests.facts(c.id())), rest);
	}

	private static List<VariantView> variants(Campaign c, Map<String, AbTests.Facts> facts) {
		Campaign.AbTest test = Objects.requireNonNull(c.definition().abTest());
		List<VariantView> out = new ArrayList<>();
		for (int i = 0; i < test.variants().size(); i++) {
			String key = test.variants().get(i).key();
			AbTests.Facts f = facts.getOrDefault(key, new AbTests.Facts(0, 0, 0, 0, 0, 0, 0));
			long base = switch (test.metric()) {
				case READ_RATE, CLICK_RATE -> f.delivered();
				case REDEMPTION_RATE, REVENUE_PER_RECIPIENT -> f.recipients();
			};
			Double value = null;
			AbStatistics.Interval interval = null;
			switch (test.metric()) {
				case READ_RATE -> {
					value = CampaignResults.rate(Math.min(f.read(), base), base);
					interval = AbStatistics.wilson(f.read(), base);
				}
				case CLICK_RATE -> {
					value = CampaignResults.rate(Math.min(f.clicked(), base), base);
					interval = AbStatistics.wilson(f.clicked(), base);
				}
				case REDEMPTION_RATE -> {
					value = CampaignResults.rate(f.redeemers(), base);
					interval = AbStatistics.wilson(f.redeemers(), base);
				}
				case REVENUE_PER_RECIPIENT -> {
					value = base == 0 ? null : AbStatistics.round((double) f.revenueFen() / base, 2);
					interval = AbStatistics.mean(base, f.revenueFen(), f.revenueSquares());
				}
			}
			out.add(new VariantView(key, test.split().get(i), f.recipients(), f.delivered(), f.read(), f.clicked(),
					f.redeemers(), f.revenueFen(), base, value, interval));
		}
		return out;
	}
}
