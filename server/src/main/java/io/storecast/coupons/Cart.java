package io.storecast.coupons;

import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * A cart (or an order) to price coupons against, in the merchant's own prices.
 *
 * @param lines the lines, in the order the caller lists them (discounts are allocated to them)
 * @param shippingFen the shipping charge, 0 when none (a SHIPPING coupon takes it off)
 */
public record Cart(@Nullable List<Line> lines, @Nullable Long shippingFen) {

	/**
	 * One line: {@code quantity} units of the SKU (the merchant's external id) at {@code unitPriceFen}
	 * each. Products and categories come from the catalog; a SKU the catalog does not know counts only
	 * for coupons that apply to everything.
	 */
	public record Line(@Nullable String sku, @Nullable Long quantity, @Nullable Long unitPriceFen) {
	}
}
