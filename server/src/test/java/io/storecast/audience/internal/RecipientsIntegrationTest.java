package io.storecast.audience.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import io.storecast.audience.Channel;
import io.storecast.support.StorecastIntegrationTest;

/**
 * A chunk of customers in id order read as its id range gives the very facts the lookups give,
 * and gives up (null) when the range holds more profiles than the limit.
 */
@StorecastIntegrationTest
class RecipientsIntegrationTest {

	@Autowired
	Recipients recipients;

	@Autowired
	JdbcClient jdbc;

	@Test
	void a_chunk_read_as_its_id_range_has_the_facts_of_the_lookups_and_only_its_own() {
		// the demo merchant's customers, in the database's order (which is not Java's UUID order)
		List<UUID> all = jdbc.sql("SELECT customer_id FROM audience_profiles ORDER BY customer_id LIMIT 60")
			.query(UUID.class)
			.list();
		assertThat(all).hasSizeGreaterThan(10);
		// every other one: the range holds as many customers that are not in the chunk
		List<UUID> chunk = new ArrayList<>();
		for (int i = 0; i < all.size(); i += 2) {
			chunk.add(all.get(i));
		}
		for (Channel channel : List.of(Channel.IN_APP, Channel.SMS)) {
			Map<UUID, Recipients.Facts> looked = recipients.facts(chunk, channel);
			Map<UUID, Recipients.Facts> ranged = recipients.factsOfRange(chunk, channel, 2 * chunk.size());
			assertThat(ranged).isNotNull().isEqualTo(looked).containsOnlyKeys(chunk);
		}
		// the range holds about twice the chunk: with a limit below that, the caller must look up
		assertThat(recipients.factsOfRange(chunk, Channel.IN_APP, chunk.size())).isNull();
	}
}
