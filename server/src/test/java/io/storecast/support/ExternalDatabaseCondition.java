package io.storecast.support;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/** In the external-database run, skips (with the reason) when no PostgreSQL answers on 127.0.0.1:5432. */
public class ExternalDatabaseCondition implements ExecutionCondition {

	@Override
	public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
		if (!TestDatabase.external()) {
			return ConditionEvaluationResult.enabled("embedded PostgreSQL");
		}
		if (TestDatabase.externalReachable()) {
			return ConditionEvaluationResult.enabled("external PostgreSQL on 127.0.0.1:5432");
		}
		return ConditionEvaluationResult.disabled(
				"SKIPPED: the external-database run needs PostgreSQL on 127.0.0.1:5432 (trust auth, user postgres), and none answers");
	}
}
