package io.storecast.catalog.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.support.TransactionTemplate;

import com.github.kagkarlsson.scheduler.SchedulerClient;
import com.github.kagkarlsson.scheduler.exceptions.TaskInstanceCurrentlyExecutingException;
import com.github.kagkarlsson.scheduler.task.FailureHandler;
import com.github.kagkarlsson.scheduler.task.TaskInstance;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;

import io.storecast.catalog.ProductId;
import io.storecast.catalog.ProductLaunched;
import io.storecast.catalog.ProductView;
import io.storecast.platform.ApiException;

/**
 * Launches announced when their time comes, on db-scheduler's persistent schedule (rows in
 * {@code scheduled_tasks}: a restart loses none, one node of a cluster runs each): an API upsert that
 * sets a launch time ahead schedules one one-time task instance per product ({@code <product id>}),
 * moved when the launch time moves. When it runs, the product is announced ({@link ProductLaunched})
 * if it is still active, on sale now, its launch time is still the one scheduled and that launch was
 * not announced yet, so a second run or a restart announces nothing twice.
 */
@Configuration(proxyBeanMethods = false)
class LaunchScheduling {

	static final String TASK = "catalog-launch";

	private final ObjectProvider<SchedulerClient> scheduler;
	private final Products products;
	private final ApplicationEventPublisher events;
	private final TransactionTemplate tx;
	private final Clock clock;

	LaunchScheduling(ObjectProvider<SchedulerClient> scheduler, Products products, ApplicationEventPublisher events,
			TransactionTemplate tx, Clock clock) {
		this.scheduler = scheduler;
		this.products = products;
		this.events = events;
		this.tx = tx;
		this.clock = clock;
	}

	@Bean
	OneTimeTask<Void> catalogLaunchTask(ObjectProvider<LaunchScheduling> launches) {
		return Tasks.oneTime(TASK)
			.onFailure(new FailureHandler.ExponentialBackoffFailureHandler<>(Duration.ofSeconds(10)))
			.execute((instance, context) -> launches.getObject().announce(ProductId.valueOf(instance.getId())));
	}

	/**
	 * Schedules (or moves) the announcement of each product at its launch time, in the caller's
	 * transaction: stored or not with the upsert. A product whose earlier launch is being announced at
	 * this very moment cannot have its task moved: 409 {@code launch-being-announced}, retry.
	 */
	void schedule(Map<ProductId, Instant> launches) {
		launches.forEach((id, at) -> {
			try {
				scheduler.getObject()
					.schedule(new TaskInstance<Void>(TASK, id.toString()), at, SchedulerClient.ScheduleOptions.WHEN_EXISTS_RESCHEDULE);
			}
			catch (TaskInstanceCurrentlyExecutingException running) {
				throw ApiException.conflict("launch-being-announced", "Product " + id
						+ "'s earlier launch is being announced right now; send the change again in a moment");
			}
		});
	}

	/** Announces the product's scheduled launch if it is due and not announced yet; whether it did. */
	boolean announce(ProductId id) {
		return Boolean.TRUE.equals(tx.execute(s -> {
			Instant now = clock.instant();
			if (!products.claimScheduledLaunch(id, now)) {
				return false;
			}
			ProductView p = products.findProduct(id).orElseThrow();
			events.publishEvent(new ProductLaunched(p.id(), p.externalId(), p.name(), p.category(), p.tags(), now));
			return true;
		}));
	}
}
