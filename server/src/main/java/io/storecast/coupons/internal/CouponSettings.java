package io.storecast.coupons.internal;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Coupon settings.
 *
 * @param expiryInterval how often the expiry job runs (expires coupons, emits reminders)
 * @param reminderBefore how long before its end an unused coupon is announced as expiring soon (not one issued
 *        already within that time)
 * @param newCustomerDays a customer registered within this many days, who never redeemed a coupon, is new
 * @param dormantDays a customer registered longer ago than this, with no redemption in as many days, is dormant (win-back)
 * @param maxSlots the most stock slots (striped counters) a template's stock is split into
 * @param unitsPerSlot stock per slot before more slots are used (small stock: fewer slots)
 * @param expiryBatchSize coupons expired per transaction by the expiry job
 */
@ConfigurationProperties("storecast.coupons")
record CouponSettings(@DefaultValue("1m") Duration expiryInterval, @DefaultValue("24h") Duration reminderBefore,
		@DefaultValue("30") int newCustomerDays, @DefaultValue("90") int dormantDays, @DefaultValue("64") int maxSlots,
		@DefaultValue("8") int unitsPerSlot, @DefaultValue("500") int expiryBatchSize) {

	CouponSettings {
		if (expiryInterval.compareTo(Duration.ofSeconds(1)) < 0) {
			throw new IllegalArgumentException("storecast.coupons.expiry-interval must be at least 1s");
		}
		if (reminderBefore.isNegative()) {
			throw new IllegalArgumentException("storecast.coupons.reminder-before must not be negative");
		}
		if (newCustomerDays < 0 || dormantDays < 1) {
			throw new IllegalArgumentException(
					"storecast.coupons.new-customer-days must be >= 0 and storecast.coupons.dormant-days >= 1");
		}
		if (maxSlots < 1 || maxSlots > 1024 || unitsPerSlot < 1) {
			throw new IllegalArgumentException(
					"storecast.coupons.max-slots must be between 1 and 1024, storecast.coupons.units-per-slot at least 1");
		}
		if (expiryBatchSize < 1 || expiryBatchSize > 10_000) {
			throw new IllegalArgumentException("storecast.coupons.expiry-batch-size must be between 1 and 10000");
		}
	}

	/** How many slots a stock is split into. */
	int slotsFor(int stock) {
		return (int) Math.max(1, Math.min(maxSlots, (stock + (long) unitsPerSlot - 1) / unitsPerSlot));
	}
}
