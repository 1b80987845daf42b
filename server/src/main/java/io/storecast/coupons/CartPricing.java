package io.storecast.coupons;

import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * What a set of codes does to a cart: which apply and for how much, and why the others do not.
 * Codes are considered in the order given; each discount is allocated over the lines it applies to,
 * so that no line is discounted below zero and refunds can be apportioned.
 *
 * @param subtotalFen the lines' total before discounts
 * @param discountFen all applied discounts, shipping included
 * @param payableFen subtotal plus shipping minus discount
 */
public record CartPricing(long subtotalFen, long shippingFen, long discountFen, long payableFen,
		List<Applied> applied, List<Rejected> rejected) {

	/**
	 * A code that applies.
	 *
	 * @param lines the discount per cart line (index into the cart's lines), only lines it touches
	 * @param shippingDiscountFen the part of {@code discountFen} taken off shipping
	 * @param giftSku for a FREE_GIFT coupon whose gift is not in the cart: the SKU to add, free
	 */
	public record Applied(String code, CouponTemplateId templateId, String templateName, CouponKind kind,
			long discountFen, long shippingDiscountFen, List<LineDiscount> lines, @Nullable String giftSku) {
	}

	public record LineDiscount(int line, String sku, long discountFen) {
	}

	/**
	 * A code that does not apply, with a stable {@code reason}: {@code invalid-code},
	 * {@code unknown-code}, {@code not-your-coupon}, {@code coupon-not-yet-valid},
	 * {@code coupon-expired}, {@code coupon-redeemed}, {@code coupon-revoked}, {@code duplicate-code},
	 * {@code store-not-applicable}, {@code product-not-applicable}, {@code threshold-not-met},
	 * {@code not-stackable}, {@code stack-limit-reached}, {@code nothing-to-discount}.
	 */
	public record Rejected(String code, String reason, String detail) {
	}
}
