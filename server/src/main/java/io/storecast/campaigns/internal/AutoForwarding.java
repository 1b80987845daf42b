package io.storecast.campaigns.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;

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
import io.storecast.identity.OrgDirectory;
import io.storecast.identity.StaffDirectory;
import io.storecast.identity.OrgNode;
import io.storecast.identity.OrgNodeId;
import io.storecast.platform.ApiException;

/**
 * Cascades forwarded by a store's rule: when a cascade's staff notice is posted, each participating
 * store it announces the campaign to (a recipient works at the store or above it) whose rule is on and
 * takes the campaign's purpose gets an automatic forward, due {@code delayMinutes} later — a
 * db-scheduler one-time task {@code campaigns-auto-forward}, instance {@code <source>/<store>}, stored
 * with the notice's posting. When due, the forward is made through {@link CascadeForwarding} in the
 * name of whoever set the rule, unless someone of the store forwarded by hand first. Its outcome is
 * kept in {@code campaigns_auto_forwards} (shown in the cascade's roll-up): one row per source and
 * store, decided once, and one forward per source and store, so a run repeated after a crash forwards
 * nothing twice.
 */
@Configuration(proxyBeanMethods = false)
class AutoForwarding {

	static final String TASK = "campaigns-auto-forward";
	private static final Logger log = LoggerFactory.getLogger(AutoForwarding.class);

	private final ObjectProvider<SchedulerClient> scheduler;
	private final CampaignScheduling scheduling;
	private final ForwardRules rules;
	private final AutoForwards autoForwards;
	private final Forwards forwards;
	private final Campaigns campaigns;
	private final ObjectProvider<CascadeForwarding> cascades;
	private final OrgDirectory org;
	private final StaffDirectory staff;
	private final TransactionTemplate tx;
	private final Clock clock;

	AutoForwarding(ObjectProvider<SchedulerClient> scheduler, CampaignScheduling scheduling, ForwardRules rules,
			AutoForwards autoForwards, Forwards forwards, Campaigns campaigns, ObjectProvider<CascadeForwarding> cascades,
			OrgDirectory org, StaffDirectory staff, TransactionTemplate tx, Clock clock) {
		this.scheduler = scheduler;
		this.scheduling = scheduling;
		this.rules = rules;
		this.autoForwards = autoForwards;
		this.forwards = forwards;
		this.campaigns = campaigns;
		this.cascades = cascades;
		this.org = org;
		this.staff = staff;
		this.tx = tx;
		this.clock = clock;
	}

	@Bean
	OneTimeTask<Void> campaignAutoForwardTask(ObjectProvider<AutoForwarding> autoForwarding) {
		return Tasks.oneTime(TASK)
			.onFailure(new FailureHandler.ExponentialBackoffFailureHandler<>(Duration.ofSeconds(10)))
			.execute((instance, context) -> autoForwarding.getObject().run(instance.getId()));
	}

	/**
	 * A cascade's notice was posted to staff working at {@code recipientNodes}: schedules the automatic
	 * forward of each participating store it announces the campaign to and whose rule is on (in the
	 * caller's transaction: stored or not with the posting).
	 */
	void announced(StaffNotice notice, Collection<OrgNodeId> recipientNodes, Instant now) {
		CampaignId sourceId = notice.campaignId();
		Campaign source = sourceId == null ? null : campaigns.find(sourceId).orElse(null);
		if (source == null) {
			return;
		}
		Set<String> told = new HashSet<>();
		new HashSet<>(recipientNodes).forEach(id -> org.find(id).ifPresent(n -> told.add(n.path())));
		for (ForwardRules.Rule rule : rules.enabledAt(source.definition().stores())) {
			OrgNode store = org.find(rule.storeId()).orElse(null);
			if (store == null || told.stream().noneMatch(store.path()::startsWith)
					|| forwards.find(source.id(), store.id()).isPresent()) {
				continue;
			}
			if (!rule.forwards(source.purpose())) {
				autoForwards.insert(new AutoForwards.AutoForward(source.id(), store.id(), notice.id(), now,
						AutoForwards.Status.SKIPPED, "purpose-not-in-rule",
						"The store's rule forwards " + rule.purposes() + " campaigns, not " + source.purpose(), null, now, now));
				continue;
			}
			Instant due = now.plus(Duration.ofMinutes(rule.delayMinutes()));
			if (autoForwards.insert(new AutoForwards.AutoForward(source.id(), store.id(), notice.id(), due,
					AutoForwards.Status.PENDING, null, null, null, now, null))) {
				scheduler.getObject().scheduleIfNotExists(new TaskInstance<Void>(TASK, instance(source.id(), store.id())), due);
				scheduling.soon(due);
			}
		}
	}

	static String instance(CampaignId source, OrgNodeId store) {
		return source + "/" + store.value();
	}

	/** The automatic forward of a source to a store, when due: made once, or its reason recorded. */
	void run(String instance) {
		int slash = instance.indexOf('/');
		CampaignId sourceId = CampaignId.valueOf(instance.substring(0, slash));
		OrgNodeId storeId = new OrgNodeId(java.util.UUID.fromString(instance.substring(slash + 1)));
		try {
			tx.executeWithoutResult(s -> decide(sourceId, storeId));
		}
		catch (ApiException refused) {
			log.info("Automatic forward of campaign {} to store {} refused: {}", sourceId, storeId, refused.getMessage());
			tx.executeWithoutResult(s -> {
				Instant now = clock.instant();
				if (refused.code().equals("already-forwarded")) {
					// someone forwarded by hand while the rule was at it
					autoForwards.decide(sourceId, storeId, AutoForwards.Status.BY_HAND, null, null, child(sourceId, storeId), now);
				}
				else {
					autoForwards.decide(sourceId, storeId, AutoForwards.Status.FAILED, refused.code(), refused.getMessage(),
							null, now);
				}
			});
		}
	}

	/** In one transaction holding the automatic forward's row: whether it is still to be made, and making it. */
	private void decide(CampaignId sourceId, OrgNodeId storeId) {
		AutoForwards.AutoForward pending = autoForwards.lock(sourceId, storeId).orElse(null);
		if (pending == null || pending.status() != AutoForwards.Status.PENDING) {
			return;
		}
		Instant now = clock.instant();
		ForwardRules.Rule rule = rules.find(storeId).orElse(null);
		Campaign source = campaigns.find(sourceId).orElse(null);
		String skipped = rule == null ? "rule-removed" : !rule.enabled() ? "rule-disabled"
				: source != null && !rule.forwards(source.purpose()) ? "purpose-not-in-rule" : null;
		if (skipped != null) {
			autoForwards.decide(sourceId, storeId, AutoForwards.Status.SKIPPED, skipped, switch (skipped) {
				case "rule-removed" -> "The store's forward rule was removed before the forward was due";
				case "rule-disabled" -> "The store's forward rule was turned off before the forward was due";
				default -> "The store's forward rule no longer forwards " + Objects.requireNonNull(source).purpose() + " campaigns";
			}, null, now);
			return;
		}
		CampaignId byHand = child(sourceId, storeId);
		if (byHand != null) {
			autoForwards.decide(sourceId, storeId, AutoForwards.Status.BY_HAND, null, null, byHand, now);
			return;
		}
		ForwardRules.Rule on = Objects.requireNonNull(rule);
		var owner = staff.actorOf(on.setBy())
			.orElseThrow(() -> ApiException.conflict("rule-owner-inactive",
					on.setByName() + ", who set the store's forward rule, is no longer active: set the rule again"));
		CascadeForwarding.ForwardView made = cascades.getObject().forwardByRule(owner, sourceId, storeId, on.audience());
		autoForwards.decide(sourceId, storeId, AutoForwards.Status.FORWARDED, null, null, made.childId(), now);
	}

	private @Nullable CampaignId child(CampaignId sourceId, OrgNodeId storeId) {
		return forwards.find(sourceId, storeId).map(Forwards.Forward::childId).orElse(null);
	}
}
