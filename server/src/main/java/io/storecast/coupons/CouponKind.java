package io.storecast.coupons;

/** What a coupon takes off an order. */
public enum CouponKind {
	/** 满减: {@code discountFen} off when the applicable lines reach {@code thresholdFen}. */
	AMOUNT_OFF,
	/** {@code percentOff} % off the applicable lines (9折 is 10), at most {@code capFen}, over an optional threshold. */
	PERCENT_OFF,
	/** 无门槛: {@code discountFen} off, no threshold. */
	NO_THRESHOLD,
	/** One unit of {@code giftSku} free, over an optional threshold. */
	FREE_GIFT,
	/** The order's shipping free, up to {@code capFen}, over an optional threshold. */
	SHIPPING
}
