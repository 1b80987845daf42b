/**
 * Coupons that never oversell: templates (amount off over a threshold, percent off with a cap,
 * no-threshold, free gift, shipping) with stock, budget, per-customer limits, audience, validity,
 * applicability and stacking rules; claims by customers and grants by the merchant's systems, both
 * idempotent on a request key; unguessable codes with a check character; cart validation and
 * pricing; redemption against an order exactly once, and its rollback on cancel or refund; expiry
 * and reminders on a persistent schedule. Other modules call {@link io.storecast.coupons.Coupons}
 * and hear of its facts through its events ({@link io.storecast.coupons.CouponClaimed} …).
 */
@NullMarked
@ApplicationModule(displayName = "Coupons")
package io.storecast.coupons;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.ApplicationModule;
