package io.storecast.orders.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneId;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.storecast.identity.CustomerId;
import io.storecast.identity.OpeningHours;
import io.storecast.identity.OrgNode;
import io.storecast.identity.OrgNodeId;
import io.storecast.identity.OrgNodeKind;
import io.storecast.orders.OrderId;
import io.storecast.orders.OrderStatus;
import io.storecast.orders.OrderStatusChanged;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

class OrderCardsUnitTest {

	static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");
	static final OrgNode STORE = new OrgNode(new OrgNodeId(UUID.randomUUID()), null, OrgNodeKind.STORE, "SH-NJR",
			"上海南京路店", SHANGHAI, "上海", OpeningHours.none(), "/x/", Instant.EPOCH, Instant.EPOCH);

	@Test
	void a_shipped_card_names_the_carrier_the_tracking_number_and_the_day() {
		OrderStatusChanged shipped = event(OrderStatus.SHIPPED, "顺丰速运", "SF1234567890", "2026-05-03T02:00:00Z");
		ObjectNode card = new OrderCards(null, null, JsonMapper.builder().build()).card(shipped, STORE);
		assertThat(card.path("card").asString()).isEqualTo("order");
		ObjectNode payload = (ObjectNode) card.path("payload");
		assertThat(payload.path("orderId").asString()).isEqualTo("SO-9");
		assertThat(payload.path("status").asString()).isEqualTo("SHIPPED");
		assertThat(payload.path("title").asString()).isEqualTo("您的订单已发货");
		assertThat(payload.path("text").asString())
			.isEqualTo("订单 SO-9 已发货(顺丰速运 运单号 SF1234567890),预计5月3日送达。");
		assertThat(payload.path("carrier").asString()).isEqualTo("顺丰速运");
		assertThat(payload.path("totalFen").asLong()).isEqualTo(25_600);
		assertThat(OrderCards.key(shipped)).isEqualTo("order-" + shipped.orderId() + "-SHIPPED")
			.matches("[A-Za-z0-9._:-]{1,64}");
	}

	@Test
	void paid_and_delivered_cards_speak_of_money_and_thanks() {
		assertThat(OrderCards.text(event(OrderStatus.PAID, null, null, null), STORE))
			.isEqualTo("订单 SO-9 已支付 ¥256.00,上海南京路店正在为您备货。");
		assertThat(OrderCards.text(event(OrderStatus.DELIVERED, null, null, null), STORE))
			.isEqualTo("订单 SO-9 已送达,感谢您在上海南京路店购物!");
		assertThat(OrderCards.yuan(5)).isEqualTo("¥0.05");
		assertThat(OrderCards.expected("2026-12-31", SHANGHAI)).isEqualTo("12月31日");
		assertThat(OrderCards.expected("soon", SHANGHAI)).isNull();
	}

	private static OrderStatusChanged event(OrderStatus status, String carrier, String tracking, String expected) {
		return new OrderStatusChanged(new OrderId(UUID.randomUUID()), "SO-9", new CustomerId(UUID.randomUUID()),
				STORE.id(), OrderStatus.PAID, status, Instant.parse("2026-05-01T10:00:00Z"), 25_600, carrier, tracking,
				expected, true);
	}
}
