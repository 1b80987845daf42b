package io.storecast.coupons.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.storecast.coupons.CartPricing;
import io.storecast.coupons.CouponKind;
import io.storecast.coupons.CouponTemplateId;
import io.storecast.platform.Ids;

class PricingUnitTest {

	static final Instant T0 = Instant.parse("2026-09-01T00:00:00Z");

	static Template template(String name, CouponKind kind, Long discount, long threshold, Integer percent, Long cap,
			String gift, List<String> products, List<String> categories, boolean exclusive, String group, int max) {
		return new Template(new CouponTemplateId(Ids.newId()), name, null, kind, discount, threshold, percent, cap, gift,
				discount, T0, T0.plusSeconds(86_400 * 30), null, 100, null, 4, 1, null, products, categories, List.of(),
				exclusive, group, max, false, Set.of(), false, Template.Status.ACTIVE, "test", T0, T0);
	}

	static Template amountOff(long discount, long threshold, List<String> categories) {
		return template("满" + threshold / 100 + "减" + discount / 100, CouponKind.AMOUNT_OFF, discount, threshold, null,
				null, null, List.of(), categories, true, null, 1);
	}

	static final List<Pricing.Line> CART = List.of(new Pricing.Line(0, "MC-001-A", 2, 12800, "MC-001", "月饼礼盒"),
			new Pricing.Line(1, "TEA-002-B", 1, 8800, "TEA-002", "茶叶礼盒"),
			new Pricing.Line(2, "UNKNOWN-1", 3, 100, null, null));

	String code() {
		return new CouponCodes(new java.security.SecureRandom()).next();
	}

	@Test
	void amount_off_over_a_threshold_counts_only_the_applicable_lines() {
		CartPricing p = Pricing.price(CART, 0, List.of(Pricing.Candidate.of(code(), amountOff(3000, 20000, List.of("月饼礼盒")))));
		assertThat(p.subtotalFen()).isEqualTo(25600 + 8800 + 300);
		assertThat(p.discountFen()).isEqualTo(3000);
		assertThat(p.payableFen()).isEqualTo(34700 - 3000);
		assertThat(p.applied().getFirst().lines()).extracting(CartPricing.LineDiscount::line).containsExactly(0);

		CartPricing tea = Pricing.price(CART, 0, List.of(Pricing.Candidate.of(code(), amountOff(3000, 20000, List.of("茶叶礼盒")))));
		assertThat(tea.applied()).isEmpty();
		assertThat(tea.rejected().getFirst().reason()).isEqualTo("threshold-not-met");
		assertThat(tea.rejected().getFirst().detail()).contains("¥200.00").contains("¥88.00");

		CartPricing none = Pricing.price(CART, 0, List.of(Pricing.Candidate.of(code(), amountOff(1000, 2000, List.of("戒指")))));
		assertThat(none.rejected().getFirst().reason()).isEqualTo("product-not-applicable");
	}

	@Test
	void a_percentage_rounds_down_then_caps_and_is_spread_over_the_lines_to_the_fen() {
		Template nineTenths = template("9折", CouponKind.PERCENT_OFF, null, 0, 10, 5000L, null, List.of(), List.of(), true,
				null, 1);
		CartPricing p = Pricing.price(CART, 0, List.of(Pricing.Candidate.of(code(), nineTenths)));
		assertThat(p.discountFen()).isEqualTo(3470);
		assertThat(p.applied().getFirst().lines().stream().mapToLong(CartPricing.LineDiscount::discountFen).sum())
			.isEqualTo(3470);
		Template capped = template("8折", CouponKind.PERCENT_OFF, null, 0, 20, 5000L, null, List.of(), List.of(), true,
				null, 1);
		assertThat(Pricing.price(CART, 0, List.of(Pricing.Candidate.of(code(), capped))).discountFen()).isEqualTo(5000);
	}

	@Test
	void exclusive_coupons_stand_alone_and_combinable_ones_stack_up_to_their_group_limit() {
		Template shop = template("无门槛10元", CouponKind.NO_THRESHOLD, 1000L, 0, null, null, null, List.of(), List.of(),
				false, "店铺券", 1);
		Template shop2 = template("无门槛5元", CouponKind.NO_THRESHOLD, 500L, 0, null, null, null, List.of(), List.of(),
				false, "店铺券", 1);
		Template shipping = template("包邮", CouponKind.SHIPPING, null, 0, null, 1000L, null, List.of(), List.of(), false,
				"运费券", 1);
		Template exclusive = amountOff(3000, 20000, List.of());
		CartPricing stacked = Pricing.price(CART, 1200,
				List.of(Pricing.Candidate.of(code(), shop), Pricing.Candidate.of(code(), shop2),
						Pricing.Candidate.of(code(), shipping), Pricing.Candidate.of(code(), exclusive)));
		assertThat(stacked.applied()).extracting(CartPricing.Applied::templateName).containsExactly("无门槛10元", "包邮");
		assertThat(stacked.rejected()).extracting(CartPricing.Rejected::reason)
			.containsExactly("stack-limit-reached", "not-stackable");
		assertThat(stacked.discountFen()).isEqualTo(1000 + 1000);
		assertThat(stacked.applied().get(1).shippingDiscountFen()).isEqualTo(1000);
		assertThat(stacked.payableFen()).isEqualTo(34700 + 1200 - 2000);

		CartPricing first = Pricing.price(CART, 0,
				List.of(Pricing.Candidate.of(code(), exclusive), Pricing.Candidate.of(code(), shop)));
		assertThat(first.applied()).hasSize(1);
		assertThat(first.rejected().getFirst().reason()).isEqualTo("not-stackable");
	}

	@Test
	void a_discount_never_takes_a_line_below_zero() {
		List<Pricing.Line> small = List.of(new Pricing.Line(0, "A", 1, 333, "A", null),
				new Pricing.Line(1, "B", 1, 334, "B", null), new Pricing.Line(2, "C", 1, 333, "C", null));
		Template big = template("无门槛50元", CouponKind.NO_THRESHOLD, 5000L, 0, null, null, null, List.of(), List.of(),
				false, "g", 2);
		Template more = template("无门槛1元", CouponKind.NO_THRESHOLD, 100L, 0, null, null, null, List.of(), List.of(),
				false, "g", 2);
		CartPricing p = Pricing.price(small, 0, List.of(Pricing.Candidate.of(code(), big), Pricing.Candidate.of(code(), more)));
		assertThat(p.applied()).hasSize(1);
		assertThat(p.discountFen()).isEqualTo(1000);
		assertThat(p.payableFen()).isZero();
		assertThat(p.applied().getFirst().lines()).extracting(CartPricing.LineDiscount::discountFen)
			.containsExactly(333L, 334L, 333L);
		assertThat(p.rejected().getFirst().reason()).isEqualTo("nothing-to-discount");
	}

	@Test
	void allocation_gives_the_odd_fen_to_the_largest_remainders() {
		List<Pricing.Line> lines = List.of(new Pricing.Line(0, "A", 1, 100, "A", null),
				new Pricing.Line(1, "B", 1, 100, "B", null), new Pricing.Line(2, "C", 1, 100, "C", null));
		long[] left = { 100, 100, 100 };
		List<CartPricing.LineDiscount> d = Pricing.allocate(lines, left, List.of(0, 1, 2), 100);
		assertThat(d).extracting(CartPricing.LineDiscount::discountFen).containsExactly(34L, 33L, 33L);
		assertThat(left).containsExactly(66, 67, 67);
	}

	@Test
	void a_free_gift_takes_its_unit_off_or_asks_to_add_it() {
		Template gift = template("送蜡烛", CouponKind.FREE_GIFT, null, 20000, null, null, "CD-001-A", List.of(),
				List.of("月饼礼盒"), true, null, 1);
		CartPricing without = Pricing.price(CART, 0, List.of(Pricing.Candidate.of(code(), gift)));
		assertThat(without.applied().getFirst().giftSku()).isEqualTo("CD-001-A");
		assertThat(without.discountFen()).isZero();
		List<Pricing.Line> with = new java.util.ArrayList<>(CART);
		with.add(new Pricing.Line(3, "CD-001-A", 2, 8900, "CD-001", "家居香氛"));
		CartPricing p = Pricing.price(with, 0, List.of(Pricing.Candidate.of(code(), gift)));
		assertThat(p.discountFen()).isEqualTo(8900);
		assertThat(p.applied().getFirst().giftSku()).isNull();
		assertThat(p.applied().getFirst().lines()).extracting(CartPricing.LineDiscount::line).containsExactly(3);
	}

	@Test
	void refusals_found_before_pricing_are_reported_in_order() {
		CartPricing p = Pricing.price(CART, 0, List.of(Pricing.Candidate.refused("X", "invalid-code", "typo"),
				Pricing.Candidate.of(code(), amountOff(3000, 20000, List.of()))));
		assertThat(p.rejected()).extracting(CartPricing.Rejected::reason).containsExactly("invalid-code");
		assertThat(p.applied()).hasSize(1);
	}
}
