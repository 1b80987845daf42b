package io.storecast.coupons;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.PayloadApplicationEvent;

/**
 * Records the coupon events a running server publishes. Added to the (shared, cached) test context
 * at run time, so it changes no context configuration; remove it after the test.
 */
final class CouponEvents implements ApplicationListener<PayloadApplicationEvent<?>>, AutoCloseable {

	final List<Object> events = new CopyOnWriteArrayList<>();
	private final ConfigurableApplicationContext context;

	CouponEvents(ConfigurableApplicationContext context) {
		this.context = context;
		context.addApplicationListener(this);
	}

	@Override
	public void onApplicationEvent(PayloadApplicationEvent<?> event) {
		if (event.getPayload().getClass().getPackageName().equals("io.storecast.coupons")) {
			events.add(event.getPayload());
		}
	}

	<T> List<T> of(Class<T> type) {
		return events.stream().filter(type::isInstance).map(type::cast).toList();
	}

	@Override
	public void close() {
		context.removeApplicationListener(this);
	}
}
