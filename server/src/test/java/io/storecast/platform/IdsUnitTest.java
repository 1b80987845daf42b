package io.storecast.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.Test;

class IdsUnitTest {

	@Test
	void ids_are_version_7_unique_and_ordered_by_time() throws InterruptedException {
		UUID first = Ids.newId();
		assertThat(first.version()).isEqualTo(7);
		assertThat(first.variant()).isEqualTo(2);
		Set<UUID> seen = new HashSet<>();
		for (int i = 0; i < 100_000; i++) {
			assertThat(seen.add(Ids.newId())).isTrue();
		}
		long firstMillis = first.getMostSignificantBits() >>> 16;
		UUID later = Ids.newId();
		assertThat(later.getMostSignificantBits() >>> 16).isGreaterThanOrEqualTo(firstMillis);
		assertThat(Math.abs((later.getMostSignificantBits() >>> 16) - System.currentTimeMillis())).isLessThan(5_000);
	}
}
