package io.storecast.delivery.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

class DeliveryKeyUnitTest {

	@Test
	void a_key_is_checked_as_the_pattern_says_without_it() {
		List<String> keys = List.of("", "a", "0b9e1c2d-7f3a-4e5b-9c8d-1a2b3c4d5e6f", "c42-v1-0001", "a.b_c:d-e",
				"x".repeat(64), "x".repeat(65), "with space", "中文", "a/b", "a+b", "a\nb", "A-Z.az_09:", "é", "a#b");
		for (String key : keys) {
			assertThat(DeliveryService.validKey(key)).as(key).isEqualTo(DeliveryService.KEY.matcher(key).matches());
		}
	}
}
