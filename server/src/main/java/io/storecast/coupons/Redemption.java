package io.storecast.coupons;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

import io.storecast.identity.CustomerId;
import io.storecast.identity.OrgNodeId;

/**
 * Coupons redeemed (核销) against one order, all or none.
 *
 * @param replayed true when this order had already redeemed exactly these codes: nothing changed,
 * this is the earlier redemption (a retry of the same request)
 */
public record Redemption(String orderExternalId, CustomerId customerId, @Nullable OrgNodeId storeId,
		long discountFen, List<Coupon> coupons, boolean replayed) {

	public record Coupon(UUID redemptionId, UUID couponId, String code, CouponTemplateId templateId,
			long discountFen, Instant redeemedAt) {
	}
}
