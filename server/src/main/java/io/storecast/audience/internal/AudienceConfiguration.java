package io.storecast.audience.internal;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import com.github.kagkarlsson.scheduler.task.helper.RecurringTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import com.github.kagkarlsson.scheduler.task.schedule.FixedDelay;

/**
 * The periodic refresh of rule tags (rules that look back N days change with time alone), every
 * {@code storecast.audience.rule-refresh}, on db-scheduler's persistent schedule: one node of a
 * cluster runs it at a time, and a run missed while the server was down happens at the next start.
 */
@Configuration(proxyBeanMethods = false)
class AudienceConfiguration {

	static final String RULE_REFRESH_TASK = "audience-rule-refresh";

	@Bean
	RecurringTask<Void> audienceRuleRefreshTask(ObjectProvider<RuleEvaluation> rules, AudienceSettings settings) {
		return Tasks.recurring(RULE_REFRESH_TASK, FixedDelay.of(settings.ruleRefresh()))
			.execute((instance, context) -> rules.getObject().refresh());
	}
}
