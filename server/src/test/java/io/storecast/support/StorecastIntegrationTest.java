package io.storecast.support;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.ContextConfiguration;

/**
 * The whole server on a random port bound to 127.0.0.1, on a database of its own, with the demo
 * merchant loaded and known passwords. Tests with the same extra properties share one context.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "server.address=127.0.0.1", "storecast.demo=true",
				"storecast.identity.owner-password=" + Fixtures.OWNER_PASSWORD,
				"storecast.identity.demo-password=" + Fixtures.DEMO_PASSWORD,
				"storecast.identity.token-secret=" + Fixtures.TOKEN_SECRET,
				"storecast.identity.login-attempts-per-ip=100000", "storecast.identity.visitor-tokens-per-ip=100000",
				"storecast.identity.login-failures-per-account=1000",
				"storecast.gateway.port=0", "storecast.delivery.backoff=300ms", "storecast.delivery.max-backoff=2s", "storecast.delivery.fallback-sweep=200ms", "storecast.delivery.read-check-after=1s", "storecast.campaigns.triggers.tick=500ms", "storecast.campaigns.triggers.fallback-minute=100ms", "storecast.delivery.poll-interval=100ms", "storecast.db.pool-size=10", "storecast.messaging.reject-words=赌博,代开发票", "storecast.messaging.mask-words=微信号",
				// the server looks for due db-scheduler work every 10 s; tests that bring a task forward or
				// wait for one due in a few seconds waited up to that long for the next look
				"db-scheduler.polling-interval=500ms" })
@ContextConfiguration(initializers = TestDatabase.class)
@ExtendWith(ExternalDatabaseCondition.class)
public @interface StorecastIntegrationTest {
}
