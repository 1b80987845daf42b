package io.storecast.orders;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.springframework.context.event.EventListener;

/** Records the events the orders module publishes, as they are published (inside the transaction). */
public class OrderEvents {

	private final List<Object> seen = new CopyOnWriteArrayList<>();

	@EventListener({ OrderCreated.class, OrderPaid.class, OrderShipped.class, OrderDelivered.class,
			OrderCancelled.class, OrderRefunded.class, OrderStatusChanged.class })
	void on(Object event) {
		seen.add(event);
	}

	/** The events of this type about the order with this external id, in publishing order. */
	public <T> List<T> of(Class<T> type, String externalId) {
		return seen.stream()
			.filter(type::isInstance)
			.map(type::cast)
			.filter(e -> externalId.equals(externalIdOf(e)))
			.toList();
	}

	/** Every event about the order with this external id. */
	public List<Object> about(String externalId) {
		return seen.stream().filter(e -> externalId.equals(externalIdOf(e))).toList();
	}

	private static String externalIdOf(Object event) {
		return switch (event) {
			case OrderCreated e -> e.externalId();
			case OrderPaid e -> e.externalId();
			case OrderShipped e -> e.externalId();
			case OrderDelivered e -> e.externalId();
			case OrderCancelled e -> e.externalId();
			case OrderRefunded e -> e.externalId();
			case OrderStatusChanged e -> e.externalId();
			default -> null;
		};
	}
}
