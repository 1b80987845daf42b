package io.storecast.delivery.internal;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import io.storecast.audience.Channel;
import io.storecast.audience.Consents;
import io.storecast.audience.Purpose;
import io.storecast.audience.ReplyOutcome;
import io.storecast.delivery.DeliveryRequest;
import io.storecast.delivery.internal.channel.ChannelEvents;
import io.storecast.identity.Actor;
import io.storecast.identity.CustomerId;
import io.storecast.messaging.ConversationId;
import io.storecast.messaging.MerchantMessaging;
import io.storecast.messaging.MessageDraft;
import io.storecast.messaging.MessageKind;
import io.storecast.messaging.Messaging;
import tools.jackson.databind.json.JsonMapper;

/**
 * What channels report later than a send. Receipts go to the workers, which record them in order
 * with send results. An inbound SMS that is an unsubscribe word withdraws the number's marketing
 * consent for SMS and is confirmed once by SMS; any other goes, as the customer's reply, into the
 * conversation of the store that last texted that number (or is kept as UNROUTED).
 */
@Component
class ChannelEventsHandler implements ChannelEvents {

	private static final Logger log = LoggerFactory.getLogger(ChannelEventsHandler.class);

	private final DeliveryWorkers workers;
	private final Outbox outbox;
	private final Consents consents;
	private final Messaging messaging;
	private final MerchantMessaging merchant;
	private final DeliveryService delivery;
	private final JsonMapper json;

	ChannelEventsHandler(DeliveryWorkers workers, Outbox outbox, Consents consents, Messaging messaging,
			MerchantMessaging merchant, DeliveryService delivery, JsonMapper json) {
		this.workers = workers;
		this.outbox = outbox;
		this.consents = consents;
		this.messaging = messaging;
		this.merchant = merchant;
		this.delivery = delivery;
		this.json = json;
	}

	@Override
	public void receipt(Channel channel, String providerId, boolean delivered, String code, boolean addressFault,
			@Nullable String detail, Instant at) {
		workers.report(new DeliveryWorkers.Receipt(channel, providerId, delivered, code, addressFault, detail, at));
	}

	@Override
	public void inbound(Channel channel, String from, String to, String text, Instant at) {
		String phone = Addresses.phone(from);
		if (phone == null) {
			outbox.recordInbound(channel, from, to, text, "UNROUTED", null, at);
			log.info("An inbound {} from '{}', not a phone number, was kept unrouted", channel, from);
			return;
		}
		Optional<Outbox.MessageRow> last = outbox.lastSmsTo(phone);
		ReplyOutcome outcome = consents.unsubscribeByReply(Channel.SMS, phone, text, at);
		if (outcome.unsubscribeWord()) {
			CustomerId customer = outcome.withdrawn().isEmpty() ? last.map(Outbox.MessageRow::customerId).orElse(null)
					: outcome.withdrawn().getFirst();
			outbox.recordInbound(channel, phone, to, text, "UNSUBSCRIBED", customer, at);
			if (!outcome.withdrawn().isEmpty() && outcome.confirmation() != null && last.isPresent()) {
				// confirmed once, by SMS, transactional (the customer asked for it)
				delivery.enqueue(new DeliveryRequest("unsubscribe", "sms:" + phone.substring(1) + ":" + at.toEpochMilli(),
						outcome.withdrawn().getFirst(), last.get().storeId(), Purpose.TRANSACTIONAL,
						List.of(new DeliveryRequest.Step(Channel.SMS, null)),
						new DeliveryRequest.Content(outcome.confirmation(), null, null, Map.of()), null));
			}
			return;
		}
		if (last.isEmpty()) {
			outbox.recordInbound(channel, phone, to, text, "UNROUTED", null, at);
			return;
		}
		Outbox.MessageRow m = last.get();
		ConversationId conversation = merchant.customerConversation(m.storeId(), m.customerId());
		String key = "sms-mo-" + Long.toHexString(at.toEpochMilli()) + "-" + Integer.toHexString((phone + text).hashCode());
		messaging.send(new Actor.Customer(m.customerId(), new UUID(0, 0)), conversation, key,
				new MessageDraft(MessageKind.TEXT, json.createObjectNode().put("text", text), false));
		outbox.recordInbound(channel, phone, to, text, "REPLY", m.customerId(), at);
	}
}
