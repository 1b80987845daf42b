package io.storecast.orders;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.context.annotation.Import;
import org.springframework.test.context.TestPropertySource;

import io.storecast.support.StorecastIntegrationTest;

/**
 * The whole server with the orders webhook's secret set and the orders events recorded; every test
 * class carrying it shares one application context.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@StorecastIntegrationTest
@TestPropertySource(properties = "storecast.orders.webhook-secret=" + OrderTesting.WEBHOOK_SECRET)
@Import(OrderEvents.class)
public @interface OrdersIntegrationTest {
}
