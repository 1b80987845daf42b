package io.storecast.delivery.internal;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.springframework.stereotype.Component;

import io.storecast.audience.Channel;
import io.storecast.delivery.internal.channel.AttemptResult;
import io.storecast.delivery.internal.channel.ChannelAdapter;
import io.storecast.delivery.internal.channel.Outgoing;
import io.storecast.messaging.ConversationId;
import io.storecast.messaging.MerchantMessaging;
import io.storecast.messaging.MessageDraft;
import io.storecast.messaging.MessageKind;
import io.storecast.messaging.SendResult;
import io.storecast.platform.ApiException;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * IN_APP: a message from the store in the customer's conversation with it (opened if needed),
 * through messaging, so it reaches the customer's devices live and by sync. The post is idempotent
 * on the attempt's key: a retried or re-leased attempt stores nothing twice. Stored is delivered;
 * the provider id {@code <conversation id>/<seq>} is how the fallback sweep learns it was read.
 */
@Component
class InAppChannel implements ChannelAdapter {

	private final MerchantMessaging messaging;
	private final JsonMapper json;
	private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();

	InAppChannel(MerchantMessaging messaging, JsonMapper json) {
		this.messaging = messaging;
		this.json = json;
	}

	@Override
	public Channel channel() {
		return Channel.IN_APP;
	}

	@Override
	public void check(Outgoing message) {
		// the text's length is the request's own rule (DeliveryService.MAX_TEXT)
		if (message.card() != null && !(message.card().get("type") instanceof String)) {
			throw ApiException.badRequest("validation-failed", "content.card.type", "A card needs its type");
		}
	}

	@Override
	public int maxInFlight() {
		return 64;
	}

	@Override
	public CompletionStage<AttemptResult> send(Outgoing message) {
		return CompletableFuture.supplyAsync(() -> post(message), executor);
	}

	private AttemptResult post(Outgoing message) {
		MessageDraft draft;
		if (message.card() != null) {
			// a request's card is {"type": ..., <fields>}; messaging's card message is {"card": type, "payload": fields}
			ObjectNode payload = json.valueToTree(message.card());
			String type = payload.remove("type").asString();
			ObjectNode body = json.createObjectNode().put("card", type);
			body.set("payload", payload);
			draft = new MessageDraft(MessageKind.CARD, body, false);
		}
		else {
			ObjectNode body = json.createObjectNode().put("text", message.text());
			draft = new MessageDraft(MessageKind.TEXT, body, false);
		}
		try {
			ConversationId conversation = messaging.customerConversation(message.store(), message.customerId());
			SendResult sent = messaging.post(conversation, message.idempotencyKey(), draft);
			return new AttemptResult.Accepted(conversation + "/" + sent.message().seq(), 1, true, null);
		}
		catch (ApiException e) {
			if (e.status().is4xxClientError()) {
				return new AttemptResult.Permanent(e.code(), e.getMessage(), false, null);
			}
			return new AttemptResult.Transient(e.code(), e.getMessage(), null, null);
		}
		catch (IllegalArgumentException e) {
			// no such store or customer (any more)
			return new AttemptResult.Permanent("no-conversation", e.getMessage(), false, null);
		}
	}
}
