package io.storecast.coupons.internal;

import java.time.Clock;
import java.time.Instant;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.support.TransactionTemplate;

import com.github.kagkarlsson.scheduler.task.helper.RecurringTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import com.github.kagkarlsson.scheduler.task.schedule.FixedDelay;

import io.storecast.coupons.CouponExpired;
import io.storecast.coupons.CouponExpiringSoon;

/**
 * The expiry job, on db-scheduler's persistent schedule (a row in {@code scheduled_tasks}; one node
 * of a cluster runs it at a time, and a run missed while the server was down happens at the next
 * start): expires unused coupons past their validity, a batch per transaction with the events in the
 * same transaction, then announces the coupons that expire within {@code reminder-before}, once each
 * (not those issued already within it: {@link IssuedCoupons#remindDue}).
 */
@Configuration(proxyBeanMethods = false)
class CouponExpiry {

	static final String TASK = "coupons-expiry";
	private static final Logger log = LoggerFactory.getLogger(CouponExpiry.class);

	@Bean
	RecurringTask<Void> couponExpiryTask(Sweep sweep, CouponSettings settings) {
		return Tasks.recurring(TASK, FixedDelay.of(settings.expiryInterval())).execute((instance, context) -> sweep.run());
	}

	@Bean
	Sweep couponExpirySweep(IssuedCoupons coupons, TemplateManagement templates, CouponSettings settings,
			ApplicationEventPublisher events, TransactionTemplate tx, Clock clock) {
		return new Sweep(coupons, templates, settings, events, tx, clock);
	}

	/** One run of the job. */
	record Sweep(IssuedCoupons coupons, TemplateManagement templates, CouponSettings settings,
			ApplicationEventPublisher events, TransactionTemplate tx, Clock clock) {

		void run() {
			Instant now = clock.instant();
			int expired = 0;
			int batch;
			do {
				List<CouponRow> done = tx.execute(s -> {
					List<CouponRow> rows = coupons.expireDue(now, settings.expiryBatchSize());
					rows.forEach(c -> events.publishEvent(new CouponExpired(c.id(), CouponCodes.display(c.code()),
							c.templateId(), c.customerId(), c.validUntil(), now)));
					return rows;
				});
				batch = done == null ? 0 : done.size();
				expired += batch;
			}
			while (batch == settings.expiryBatchSize());
			int reminded = 0;
			do {
				List<CouponRow> done = tx.execute(s -> {
					List<CouponRow> rows = coupons.remindDue(now, settings.reminderBefore(), settings.expiryBatchSize());
					rows.forEach(c -> events.publishEvent(new CouponExpiringSoon(c.id(), CouponCodes.display(c.code()),
							c.templateId(), templates.cached(c.templateId()).map(Template::name).orElse(""),
							c.customerId(), c.validUntil())));
					return rows;
				});
				batch = done == null ? 0 : done.size();
				reminded += batch;
			}
			while (batch == settings.expiryBatchSize());
			if (expired > 0 || reminded > 0) {
				log.info("Coupon expiry: {} expired, {} reminders", expired, reminded);
			}
		}
	}
}
