/**
 * Orders and their logistics as the merchant's systems report them (REST and a signed inbound
 * webhook): lines priced in fen against the catalog's SKUs, coupon codes used, and a status timeline
 * ordered by each event's own time. Customers hear of payment, shipping and delivery as order cards
 * in their conversation with the store. Other modules read orders through {@link io.storecast.orders.Orders}
 * and hear of them through its events ({@link io.storecast.orders.OrderPaid}, {@link io.storecast.orders.OrderCancelled} …).
 */
@NullMarked
@ApplicationModule(displayName = "Orders and logistics",
		allowedDependencies = { "platform", "identity", "messaging", "catalog" })
package io.storecast.orders;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.ApplicationModule;
