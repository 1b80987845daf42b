package io.storecast.orders.internal;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.event.TransactionalEventListener;
import org.springframework.stereotype.Component;

import io.storecast.identity.OrgDirectory;
import io.storecast.identity.OrgNode;
import io.storecast.messaging.ConversationId;
import io.storecast.messaging.MerchantMessaging;
import io.storecast.messaging.MessageDraft;
import io.storecast.messaging.MessageKind;
import io.storecast.orders.OrderStatus;
import io.storecast.orders.OrderStatusChanged;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Tells the customer, in their conversation with the store, that their order was paid, shipped, is
 * out for delivery or was delivered. Runs after the order's transaction commits, from the event
 * registry (a crash before the card is posted posts it at the next start), and posts under a key per
 * order and status, so a second run never posts twice. These cards are transactional: they are not
 * marketing and go straight to the conversation, day or night.
 */
@Component
class OrderCards {

	private static final Logger log = LoggerFactory.getLogger(OrderCards.class);

	private final MerchantMessaging messaging;
	private final OrgDirectory org;
	private final JsonMapper json;

	OrderCards(MerchantMessaging messaging, OrgDirectory org, JsonMapper json) {
		this.messaging = messaging;
		this.org = org;
		this.json = json;
	}

	/**
	 * Runs right after the status change commits, on the thread that recorded it (not asynchronously as
	 * module listeners do): status changes recorded one after the other then reach the customer in that
	 * order, never "delivered" before "out for delivery". The event registry still keeps the publication
	 * until the card is posted, so a crash in between posts it on restart.
	 */
	@TransactionalEventListener
	@Transactional(propagation = Propagation.REQUIRES_NEW)
	void on(OrderStatusChanged event) {
		if (!event.notifyCustomer()) {
			return;
		}
		OrgNode store = org.find(event.storeId()).orElse(null);
		if (store == null) {
			log.warn("Order {} names store {}, which no longer exists: no order card", event.externalId(), event.storeId());
			return;
		}
		ConversationId conversation;
		try {
			conversation = messaging.customerConversation(event.storeId(), event.customerId());
		}
		catch (IllegalArgumentException gone) {
			log.warn("No order card for order {}: {}", event.externalId(), gone.getMessage());
			return;
		}
		messaging.post(conversation, key(event), new MessageDraft(MessageKind.CARD, card(event, store), false));
	}

	/** One card per order and status, whatever happens: {@code order-<order id>-<STATUS>}. */
	static String key(OrderStatusChanged event) {
		return "order-" + event.orderId() + "-" + event.status();
	}

	ObjectNode card(OrderStatusChanged event, OrgNode store) {
		ObjectNode payload = json.createObjectNode()
			.put("orderId", event.externalId())
			.put("status", event.status().name())
			.put("title", title(event.status()))
			.put("text", text(event, store))
			.put("totalFen", event.totalFen());
		if (event.carrier() != null && event.status() != OrderStatus.PAID) {
			payload.put("carrier", event.carrier());
		}
		if (event.trackingNumber() != null && event.status() != OrderStatus.PAID) {
			payload.put("trackingNumber", event.trackingNumber());
		}
		if (event.expectedDelivery() != null && event.status() != OrderStatus.DELIVERED) {
			payload.put("expectedDelivery", event.expectedDelivery());
		}
		ObjectNode body = json.createObjectNode().put("card", "order");
		body.set("payload", payload);
		return body;
	}

	static String title(OrderStatus status) {
		return switch (status) {
			case PAID -> "订单支付成功";
			case SHIPPED -> "您的订单已发货";
			case OUT_FOR_DELIVERY -> "您的订单正在派送";
			case DELIVERED -> "您的订单已送达";
			case CREATED -> "订单已创建";
			case CANCELLED -> "订单已取消";
			case REFUNDED -> "订单已退款";
		};
	}

	static String text(OrderStatusChanged event, OrgNode store) {
		String order = "订单 " + event.externalId();
		String expected = expected(event.expectedDelivery(), store.timeZone());
		return switch (event.status()) {
			case PAID -> order + " 已支付 " + yuan(event.totalFen()) + "," + store.name() + "正在为您备货。";
			case SHIPPED -> order + " 已发货" + logistics(event) + (expected == null ? "。" : ",预计" + expected + "送达。");
			case OUT_FOR_DELIVERY -> order + " 正在派送" + logistics(event) + ",请保持电话畅通。";
			case DELIVERED -> order + " 已送达,感谢您在" + store.name() + "购物!";
			case CREATED, CANCELLED, REFUNDED -> order + " " + title(event.status()) + "。";
		};
	}

	private static String logistics(OrderStatusChanged event) {
		if (event.carrier() == null) {
			return "";
		}
		return "(" + event.carrier() + (event.trackingNumber() == null ? "" : " 运单号 " + event.trackingNumber()) + ")";
	}

	/** ¥128.00 from 12800 fen. */
	static String yuan(long fen) {
		return "¥" + fen / 100 + "." + String.format("%02d", fen % 100);
	}

	/** "5月1日" from a date, or from an instant in the store's time zone. */
	static @Nullable String expected(@Nullable String expectedDelivery, ZoneId zone) {
		if (expectedDelivery == null) {
			return null;
		}
		try {
			LocalDate date = expectedDelivery.contains("T") ? Instant.parse(expectedDelivery).atZone(zone).toLocalDate()
					: LocalDate.parse(expectedDelivery);
			return date.getMonthValue() + "月" + date.getDayOfMonth() + "日";
		}
		catch (DateTimeParseException e) {
			return null;
		}
	}
}
