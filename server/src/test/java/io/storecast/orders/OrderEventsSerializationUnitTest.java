package io.storecast.orders;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.storecast.catalog.ProductId;
import io.storecast.catalog.SkuId;
import io.storecast.identity.CustomerId;
import io.storecast.identity.OrgNodeId;
import tools.jackson.databind.json.JsonMapper;

/** The event registry stores events as JSON and reads them back after a crash: every event survives the trip. */
class OrderEventsSerializationUnitTest {

	static final JsonMapper JSON = JsonMapper.builder().build();
	static final OrderId ORDER = new OrderId(UUID.randomUUID());
	static final CustomerId CUSTOMER = new CustomerId(UUID.randomUUID());
	static final OrgNodeId STORE = new OrgNodeId(UUID.randomUUID());
	static final Instant AT = Instant.parse("2026-09-20T08:30:00Z");
	static final List<OrderLine> LINES = List.of(new OrderLine(1, new SkuId(UUID.randomUUID()), "S-1",
			new ProductId(UUID.randomUUID()), "P-1", "流心奶黄月饼礼盒 6枚装", "月饼", 2, 12_800, 25_600));

	@Test
	void every_event_reads_back_as_it_was_written() {
		List<Object> events = List.of(
				new OrderCreated(ORDER, "SO-1", CUSTOMER, STORE, 25_600, "CNY", List.of("C-1"), LINES, AT),
				new OrderPaid(ORDER, "SO-1", CUSTOMER, STORE, 25_600, 0, 25_600, "CNY", List.of(), LINES,
						OrderStatus.PAID, AT),
				new OrderShipped(ORDER, "SO-1", CUSTOMER, STORE, "顺丰速运", "SF1", null, AT),
				new OrderDelivered(ORDER, "SO-1", CUSTOMER, STORE, LINES, AT),
				new OrderCancelled(ORDER, "SO-1", CUSTOMER, STORE, 25_600, "CNY", List.of("C-1"), true, AT),
				new OrderRefunded(ORDER, "SO-1", CUSTOMER, STORE, 10_000, 25_600, "CNY", List.of(), AT),
				new OrderStatusChanged(ORDER, "SO-1", CUSTOMER, STORE, OrderStatus.PAID, OrderStatus.SHIPPED, AT,
						25_600, "顺丰速运", "SF1", "2026-09-22", true));
		for (Object event : events) {
			String json = JSON.writeValueAsString(event);
			assertThat(JSON.readValue(json, event.getClass())).as(json).isEqualTo(event);
		}
	}
}
