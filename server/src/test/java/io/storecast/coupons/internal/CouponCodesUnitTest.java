package io.storecast.coupons.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

class CouponCodesUnitTest {

	final CouponCodes codes = new CouponCodes(new SecureRandom());

	@Test
	void codes_are_sixteen_characters_of_the_alphabet_and_pass_their_own_check() {
		Set<String> seen = new HashSet<>();
		for (int i = 0; i < 10_000; i++) {
			String code = codes.next();
			assertThat(code).hasSize(16).matches("[23456789ABCDEFGHJKLMNPQRSTUVWXYZ]{16}");
			assertThat(CouponCodes.normalise(code)).contains(code);
			seen.add(code);
		}
		assertThat(seen).hasSize(10_000);
	}

	@Test
	void every_random_position_takes_every_character_of_the_alphabet() {
		// 75 bits cut into 15 characters: a slicing mistake would leave a position short of characters
		java.util.List<Set<Character>> byPosition = new java.util.ArrayList<>();
		for (int p = 0; p < CouponCodes.RANDOM_LENGTH; p++) {
			byPosition.add(new HashSet<>());
		}
		for (int i = 0; i < 5_000; i++) {
			String code = codes.next();
			for (int p = 0; p < CouponCodes.RANDOM_LENGTH; p++) {
				byPosition.get(p).add(code.charAt(p));
			}
		}
		assertThat(byPosition).allSatisfy(chars -> assertThat(chars).hasSize(32));
	}

	@Test
	void people_may_type_codes_in_groups_in_lower_case() {
		String code = codes.next();
		String display = CouponCodes.display(code);
		assertThat(display).matches("[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}");
		assertThat(CouponCodes.normalise(display.toLowerCase())).contains(code);
		assertThat(CouponCodes.normalise(" " + display.replace("-", " ") + " ")).contains(code);
	}

	@Test
	void every_single_typo_and_every_swap_of_neighbours_is_caught() {
		for (int n = 0; n < 300; n++) {
			String code = codes.next();
			for (int i = 0; i < code.length(); i++) {
				for (char c : CouponCodes.ALPHABET.toCharArray()) {
					if (c != code.charAt(i)) {
						String typo = code.substring(0, i) + c + code.substring(i + 1);
						assertThat(CouponCodes.normalise(typo)).as("%s with a typo at %d", code, i).isEmpty();
					}
				}
				if (i + 1 < code.length() && code.charAt(i) != code.charAt(i + 1)) {
					String swapped = code.substring(0, i) + code.charAt(i + 1) + code.charAt(i) + code.substring(i + 2);
					assertThat(CouponCodes.normalise(swapped)).as("%s swapped at %d", code, i).isEmpty();
				}
			}
		}
	}

	@Test
	void look_alikes_and_wrong_lengths_are_not_codes() {
		String code = codes.next();
		assertThat(CouponCodes.normalise(code.substring(1))).isEmpty();
		assertThat(CouponCodes.normalise(code + "2")).isEmpty();
		assertThat(CouponCodes.normalise("O" + code.substring(1))).isEmpty();
		assertThat(CouponCodes.normalise("0" + code.substring(1))).isEmpty();
		assertThat(CouponCodes.normalise("I" + code.substring(1))).isEmpty();
		assertThat(CouponCodes.normalise("优惠券优惠券优惠券优惠券优惠券优惠")).isEmpty();
		assertThat(CouponCodes.normalise(null)).isEmpty();
		assertThat(CouponCodes.normalise("")).isEmpty();
	}
}
