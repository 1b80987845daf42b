package io.storecast.coupons;

import java.util.List;
import java.util.UUID;

/**
 * The redemptions of an order undone (cancelled or refunded): each coupon is usable again if still
 * valid ({@code statusAfter} ISSUED), otherwise EXPIRED; counts and spend are restored. Empty when
 * the order had nothing (left) to roll back, so a repeated rollback changes nothing.
 */
public record Rollback(String orderExternalId, List<Coupon> coupons) {

	public record Coupon(UUID redemptionId, UUID couponId, String code, CouponTemplateId templateId,
			long discountFen, CouponStatus statusAfter) {
	}
}
