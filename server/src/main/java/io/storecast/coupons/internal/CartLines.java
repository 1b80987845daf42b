package io.storecast.coupons.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import io.storecast.catalog.Catalog;
import io.storecast.catalog.ProductView;
import io.storecast.catalog.SkuView;
import io.storecast.coupons.Cart;
import io.storecast.platform.ApiException;

/**
 * Checks a cart and resolves each line's product and category through the catalog (cached: a SKU's
 * product never changes, a product's category rarely does).
 */
@Component
class CartLines {

	private final Catalog catalog;
	private final Cache<String, Optional<String>> productOfSku = Caffeine.newBuilder().maximumSize(200_000).build();
	private final Cache<String, Optional<String>> categoryOfProduct = Caffeine.newBuilder()
		.maximumSize(100_000)
		.expireAfterWrite(Duration.ofSeconds(30))
		.build();

	CartLines(Catalog catalog) {
		this.catalog = catalog;
	}

	/** The cart's lines, checked (400 {@code invalid-cart} naming the field) and resolved. */
	List<Pricing.Line> resolve(@Nullable Cart cart, String field) {
		if (cart == null || cart.lines() == null) {
			throw ApiException.badRequest("invalid-cart", field + ".lines", "The cart needs its lines");
		}
		List<Cart.Line> lines = cart.lines();
		if (lines.size() > CouponRules.MAX_LINES) {
			throw ApiException.badRequest("invalid-cart", field + ".lines", "At most " + CouponRules.MAX_LINES + " lines");
		}
		for (int i = 0; i < lines.size(); i++) {
			Cart.Line l = lines.get(i);
			String at = field + ".lines[" + i + "]";
			if (l == null || l.sku() == null || !CouponRules.EXTERNAL_ID.matcher(l.sku()).matches()) {
				throw ApiException.badRequest("invalid-cart", at + ".sku", "Each line needs the SKU's external id");
			}
			if (l.quantity() == null || l.quantity() < 1 || l.quantity() > CouponRules.MAX_QUANTITY) {
				throw ApiException.badRequest("invalid-cart", at + ".quantity",
						"quantity must be between 1 and " + CouponRules.MAX_QUANTITY + ", was " + l.quantity());
			}
			if (l.unitPriceFen() == null || l.unitPriceFen() < 0 || l.unitPriceFen() > CouponRules.MAX_FEN) {
				throw ApiException.badRequest("invalid-cart", at + ".unitPriceFen",
						"unitPriceFen must be between 0 and " + CouponRules.MAX_FEN + ", was " + l.unitPriceFen());
			}
		}
		shipping(cart, field);
		Map<String, Optional<String>> products = new HashMap<>();
		List<String> unknown = new ArrayList<>();
		for (Cart.Line l : lines) {
			Optional<String> known = productOfSku.getIfPresent(l.sku());
			if (known != null) {
				products.put(l.sku(), known);
			}
			else if (!unknown.contains(l.sku())) {
				unknown.add(l.sku());
			}
		}
		if (!unknown.isEmpty()) {
			Map<String, SkuView> found = catalog.findSkus(unknown);
			for (String sku : unknown) {
				Optional<String> product = Optional.ofNullable(found.get(sku)).map(SkuView::productExternalId);
				if (product.isPresent()) {
					// only found SKUs are remembered: a SKU imported later is seen at once
					productOfSku.put(sku, product);
				}
				products.put(sku, product);
			}
		}
		List<Pricing.Line> out = new ArrayList<>(lines.size());
		for (int i = 0; i < lines.size(); i++) {
			Cart.Line l = lines.get(i);
			String product = products.get(l.sku()).orElse(null);
			String category = product == null ? null
					: categoryOfProduct.get(product, p -> catalog.findProduct(p).map(ProductView::category))
						.orElse(null);
			out.add(new Pricing.Line(i, l.sku(), l.quantity(), l.unitPriceFen(), product, category));
		}
		return out;
	}

	static long shipping(Cart cart, String field) {
		long shipping = cart.shippingFen() == null ? 0 : cart.shippingFen();
		if (shipping < 0 || shipping > CouponRules.MAX_FEN) {
			throw ApiException.badRequest("invalid-cart", field + ".shippingFen",
					"shippingFen must be between 0 and " + CouponRules.MAX_FEN + ", was " + shipping);
		}
		return shipping;
	}
}
