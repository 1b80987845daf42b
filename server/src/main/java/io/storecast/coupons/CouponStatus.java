package io.storecast.coupons;

/**
 * Where an issued coupon is: ISSUED → REDEEMED → (rolled back: ISSUED again, or EXPIRED when its
 * validity ended meanwhile); ISSUED → EXPIRED; ISSUED → REVOKED. A rollback is recorded on the
 * redemption (status ROLLED_BACK), not as a state of the coupon.
 */
public enum CouponStatus {
	ISSUED, REDEEMED, EXPIRED, REVOKED
}
