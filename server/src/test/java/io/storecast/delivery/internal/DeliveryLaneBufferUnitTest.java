package io.storecast.delivery.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.storecast.audience.Channel;
import io.storecast.audience.Purpose;
import io.storecast.delivery.DeliveryStatus;
import io.storecast.identity.CustomerId;
import io.storecast.identity.OrgNodeId;
import tools.jackson.databind.node.JsonNodeFactory;

/** A worker's buffer of leased attempts keeps the lanes: what is not bulk goes ahead of bulk already waiting. */
class DeliveryLaneBufferUnitTest {

	@Test
	void an_attempt_that_is_not_bulk_goes_ahead_of_bulk_ones_already_waiting_and_behind_earlier_ones_that_are_not() {
		ArrayDeque<Outbox.Claimed> buffer = new ArrayDeque<>();
		DeliveryWorkers.queue(buffer, List.of(claimed(1, false), claimed(2, true), claimed(3, true)));
		assertThat(ids(buffer)).containsExactly(1L, 2L, 3L);
		DeliveryWorkers.queue(buffer, List.of(claimed(4, false), claimed(5, true), claimed(6, false)));
		assertThat(ids(buffer)).containsExactly(1L, 4L, 6L, 2L, 3L, 5L);
		// with no bulk waiting, each lane is added in its order, the bulk one last
		ArrayDeque<Outbox.Claimed> plain = new ArrayDeque<>(List.of(claimed(7, false)));
		DeliveryWorkers.queue(plain, List.of(claimed(8, true), claimed(9, false)));
		assertThat(ids(plain)).containsExactly(7L, 9L, 8L);
		DeliveryWorkers.queue(plain, List.of());
		assertThat(ids(plain)).containsExactly(7L, 9L, 8L);
	}

	private static List<Long> ids(ArrayDeque<Outbox.Claimed> buffer) {
		return buffer.stream().map(Outbox.Claimed::id).toList();
	}

	private static Outbox.Claimed claimed(long id, boolean bulk) {
		return new Outbox.Claimed(id, 0, 1, Channel.IN_APP, null, new Outbox.MessageRow(UUID.randomUUID(), "test", "k" + id,
				new CustomerId(UUID.randomUUID()), new OrgNodeId(UUID.randomUUID()), Purpose.TRANSACTIONAL,
				List.of(new Route.Step(Channel.IN_APP, null)), JsonNodeFactory.instance.objectNode(), DeliveryStatus.QUEUED, 0,
				bulk));
	}
}
