package io.storecast.coupons.internal;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import io.storecast.coupons.CartPricing;
import io.storecast.coupons.CouponKind;

/**
 * Prices a cart with coupons, free of Spring and of the database: the caller resolves codes,
 * templates and each line's product and category first. Codes are taken in the order given.
 * <ul>
 * <li>A coupon applies to the lines of its products or categories (all lines when it names none);
 * its threshold is met by those lines' amounts before any discount.</li>
 * <li>An exclusive coupon is the only one on the order; combinable coupons stack, at most
 * {@code maxPerOrder} of one stack group.</li>
 * <li>A discount never exceeds what is left of its lines after earlier coupons, and is allocated over
 * them in proportion to what is left (largest remainder, to the fen), so no line goes below zero.</li>
 * <li>Percentages round down to the fen, then the cap applies.</li>
 * </ul>
 */
final class Pricing {

	/** A cart line with what the catalog says of its SKU (null product and category: unknown SKU). */
	record Line(int index, String sku, long quantity, long unitPriceFen, @Nullable String product,
			@Nullable String category) {

		long amount() {
			return quantity * unitPriceFen;
		}
	}

	/** A code to price: its template, or the reason it was refused before pricing. */
	record Candidate(String code, @Nullable Template template, @Nullable String reason, @Nullable String detail) {

		static Candidate of(String code, Template template) {
			return new Candidate(code, template, null, null);
		}

		static Candidate refused(String code, String reason, String detail) {
			return new Candidate(code, null, reason, detail);
		}
	}

	private Pricing() {
	}

	static CartPricing price(List<Line> lines, long shippingFen, List<Candidate> candidates) {
		long[] left = new long[lines.size()];
		long subtotal = 0;
		for (int i = 0; i < lines.size(); i++) {
			left[i] = lines.get(i).amount();
			subtotal += left[i];
		}
		long shippingLeft = shippingFen;
		List<CartPricing.Applied> applied = new ArrayList<>();
		List<CartPricing.Rejected> rejected = new ArrayList<>();
		Map<String, Integer> perGroup = new HashMap<>();
		String exclusiveCode = null;
		long total = 0;
		for (Candidate c : candidates) {
			if (c.template() == null) {
				rejected.add(new CartPricing.Rejected(c.code(), String.valueOf(c.reason()), String.valueOf(c.detail())));
				continue;
			}
			Template t = c.template();
			String shown = CouponCodes.display(c.code());
			if (exclusiveCode != null) {
				rejected.add(new CartPricing.Rejected(shown, "not-stackable",
						CouponCodes.display(exclusiveCode) + " is exclusive: no other coupon combines with it"));
				continue;
			}
			if (t.exclusive() && !applied.isEmpty()) {
				rejected.add(new CartPricing.Rejected(shown, "not-stackable",
						"'" + t.name() + "' is exclusive and cannot be combined with the coupons before it"));
				continue;
			}
			if (!t.exclusive() && perGroup.getOrDefault(t.group(), 0) >= t.maxPerOrder()) {
				rejected.add(new CartPricing.Rejected(shown, "stack-limit-reached", "At most " + t.maxPerOrder()
						+ " coupon(s) of the group '" + t.group() + "' combine on one order"));
				continue;
			}
			List<Integer> eligible = new ArrayList<>();
			long base = 0;
			for (Line line : lines) {
				if (applies(t, line)) {
					eligible.add(line.index());
					base += line.amount();
				}
			}
			if (eligible.isEmpty()) {
				rejected.add(new CartPricing.Rejected(shown, "product-not-applicable",
						"No item in the cart is one of the products or categories '" + t.name() + "' applies to"));
				continue;
			}
			if (base < t.thresholdFen()) {
				rejected.add(new CartPricing.Rejected(shown, "threshold-not-met", "'" + t.name() + "' needs "
						+ yuan(t.thresholdFen()) + " of applicable items; the cart has " + yuan(base)));
				continue;
			}
			long room = 0;
			for (int i : eligible) {
				room += left[i];
			}
			long discount;
			long shippingDiscount = 0;
			String giftToAdd = null;
			List<CartPricing.LineDiscount> allocation = List.of();
			switch (t.kind()) {
				case AMOUNT_OFF, NO_THRESHOLD -> {
					discount = Math.min(nonNull(t.discountFen()), room);
					allocation = allocate(lines, left, eligible, discount);
				}
				case PERCENT_OFF -> {
					discount = room * nonNull(t.percentOff()) / 100;
					if (t.capFen() != null) {
						discount = Math.min(discount, t.capFen());
					}
					allocation = allocate(lines, left, eligible, discount);
				}
				case FREE_GIFT -> {
					Line gift = lines.stream().filter(l -> l.sku().equals(t.giftSku())).findFirst().orElse(null);
					if (gift == null) {
						discount = 0;
						giftToAdd = t.giftSku();
					}
					else {
						discount = Math.min(gift.unitPriceFen(), left[gift.index()]);
						allocation = allocate(lines, left, List.of(gift.index()), discount);
					}
				}
				case SHIPPING -> {
					discount = t.capFen() == null ? shippingLeft : Math.min(shippingLeft, t.capFen());
					shippingLeft -= discount;
					shippingDiscount = discount;
				}
				default -> throw new IllegalStateException("unknown kind " + t.kind());
			}
			if (discount == 0 && giftToAdd == null) {
				rejected.add(new CartPricing.Rejected(shown, "nothing-to-discount", t.kind() == CouponKind.SHIPPING
						? "The cart has no shipping charge left to take off"
						: "The applicable items are already fully discounted"));
				continue;
			}
			applied.add(new CartPricing.Applied(shown, t.id(), t.name(), t.kind(), discount,
					shippingDiscount, allocation, giftToAdd));
			total += discount;
			if (t.exclusive()) {
				exclusiveCode = c.code();
			}
			else {
				perGroup.merge(t.group(), 1, Integer::sum);
			}
		}
		return new CartPricing(subtotal, shippingFen, total, subtotal + shippingFen - total, applied, rejected);
	}

	/** Whether the template applies to the line: it names none, or the line's product, SKU or category. */
	static boolean applies(Template t, Line line) {
		if (t.products().isEmpty() && t.categories().isEmpty()) {
			return true;
		}
		return (line.product() != null && t.products().contains(line.product())) || t.products().contains(line.sku())
				|| (line.category() != null && t.categories().contains(line.category()));
	}

	/**
	 * Spreads {@code discount} (at most what is left of the lines) over the lines in proportion to
	 * what is left of each: floors first, then one fen each to the largest remainders, earlier lines
	 * first on ties. Updates {@code left}.
	 */
	static List<CartPricing.LineDiscount> allocate(List<Line> lines, long[] left, List<Integer> eligible,
			long discount) {
		long room = 0;
		for (int i : eligible) {
			room += left[i];
		}
		if (discount <= 0 || room <= 0) {
			return List.of();
		}
		long[] share = new long[eligible.size()];
		long[] remainder = new long[eligible.size()];
		long given = 0;
		BigInteger d = BigInteger.valueOf(discount);
		BigInteger r = BigInteger.valueOf(room);
		for (int k = 0; k < eligible.size(); k++) {
			BigInteger[] qr = d.multiply(BigInteger.valueOf(left[eligible.get(k)])).divideAndRemainder(r);
			share[k] = qr[0].longValueExact();
			remainder[k] = qr[1].longValueExact();
			given += share[k];
		}
		long rest = discount - given;
		while (rest > 0) {
			int best = -1;
			for (int k = 0; k < eligible.size(); k++) {
				if (share[k] < left[eligible.get(k)] && (best < 0 || remainder[k] > remainder[best])) {
					best = k;
				}
			}
			share[best]++;
			remainder[best] = -1;
			rest--;
		}
		List<CartPricing.LineDiscount> out = new ArrayList<>();
		for (int k = 0; k < eligible.size(); k++) {
			int i = eligible.get(k);
			left[i] -= share[k];
			if (share[k] > 0) {
				out.add(new CartPricing.LineDiscount(i, lines.get(i).sku(), share[k]));
			}
		}
		return out;
	}

	static String yuan(long fen) {
		return String.format("¥%d.%02d", fen / 100, fen % 100);
	}

	private static long nonNull(@Nullable Number n) {
		return n == null ? 0 : n.longValue();
	}
}
