/**
 * Delivery channels: one {@link io.storecast.delivery.Delivery} to hand a message for one customer
 * to an ordered route of channels (in-app through messaging, SMS over SMPP, the merchant's webhook),
 * an outbox of attempts processed by workers (nothing lost or sent twice across a crash, one
 * idempotency key per recipient and message), retries with backoff and jitter, per-channel rate
 * limits, fallback to the next channel when the message is not read in time, delivery receipts, a
 * dead-letter view, and status events ({@link io.storecast.delivery.DeliveryStatusChanged}) for
 * campaigns and analytics.
 */
@NullMarked
@ApplicationModule(displayName = "Delivery channels",
		allowedDependencies = { "platform", "identity", "messaging", "audience" })
package io.storecast.delivery;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.ApplicationModule;
