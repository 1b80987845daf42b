package io.storecast.delivery.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import io.storecast.audience.Channel;
import io.storecast.delivery.internal.channel.AttemptResult;
import io.storecast.delivery.internal.channel.ChannelAdapter;
import io.storecast.delivery.internal.channel.Outgoing;
import io.storecast.messaging.CustomerPost;
import io.storecast.messaging.CustomerPostResult;
import io.storecast.messaging.MerchantMessaging;
import io.storecast.messaging.MessageDraft;
import io.storecast.messaging.MessageKind;
import io.storecast.platform.ApiException;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * IN_APP: a message from the store in the customer's conversation with it (opened if needed),
 * through messaging, so it reaches the customer's devices live and by sync. Due attempts come in
 * batches and go to messaging in one call, which opens the missing conversations and stores the
 * messages in a few statements for all of them. The post is idempotent
 * on the attempt's key: a retried or re-leased attempt stores nothing twice. Stored is delivered;
 * the provider id {@code <conversation id>/<seq>} is how the fallback sweep learns it was read.
 */
@Component
class InAppChannel implements ChannelAdapter {

	private static final Logger log = LoggerFactory.getLogger(InAppChannel.class);

	/** Attempts per {@link #sendAll}: enough to share each statement among many, few enough to keep a commit short. */
	static final int BATCH = 64;

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

	/**
	 * Several batches in flight at once, so that the server prepares one while PostgreSQL stores
	 * another.
	 */
	@Override
	public int maxInFlight() {
		return 4 * BATCH;
	}

	@Override
	public int batchSize() {
		return BATCH;
	}

	@Override
	public CompletionStage<AttemptResult> send(Outgoing message) {
		return sendAll(List.of(message)).getFirst();
	}

	/** All in one {@link MerchantMessaging#postToCustomers}: a few statements for the lot instead of several each. */
	@Override
	public List<CompletionStage<AttemptResult>> sendAll(List<Outgoing> messages) {
		CompletableFuture<List<AttemptResult>> all = CompletableFuture.supplyAsync(() -> post(messages), executor);
		List<CompletionStage<AttemptResult>> each = new ArrayList<>(messages.size());
		for (int i = 0; i < messages.size(); i++) {
			int index = i;
			each.add(all.thenApply(results -> results.get(index)));
		}
		return each;
	}

	private List<AttemptResult> post(List<Outgoing> messages) {
		AttemptResult[] results = new AttemptResult[messages.size()];
		List<CustomerPost> posts = new ArrayList<>(messages.size());
		List<Integer> posted = new ArrayList<>(messages.size());
		for (int i = 0; i < messages.size(); i++) {
			Outgoing m = messages.get(i);
			try {
				posts.add(new CustomerPost(m.store(), m.customerId(), m.idempotencyKey(), draft(m)));
				posted.add(i);
			}
			catch (RuntimeException e) {
				// a content no message can be made of (checked when it was asked for): this one fails, not its batch
				results[i] = new AttemptResult.Permanent("invalid-content", e.toString(), false, null);
			}
		}
		List<CustomerPostResult> outcomes;
		try {
			outcomes = posts.isEmpty() ? List.of() : messaging.postToCustomers(posts);
		}
		catch (RuntimeException e) {
			// the whole batch is tried again (each attempt its own retry): say why, once
			log.warn("A batch of {} in-app posts failed; they will be tried again", posts.size(), e);
			throw e;
		}
		for (int j = 0; j < outcomes.size(); j++) {
			results[posted.get(j)] = result(outcomes.get(j));
		}
		return List.of(results);
	}

	private MessageDraft draft(Outgoing message) {
		if (message.card() != null) {
			// a request's card is {"type": ..., <fields>}; messaging's card message is {"card": type, "payload": fields}
			ObjectNode payload = json.valueToTree(message.card());
			String type = payload.remove("type").asString();
			ObjectNode body = json.createObjectNode().put("card", type);
			body.set("payload", payload);
			return new MessageDraft(MessageKind.CARD, body, false);
		}
		ObjectNode body = json.createObjectNode().put("text", message.text());
		return new MessageDraft(MessageKind.TEXT, body, false);
	}

	private static AttemptResult result(CustomerPostResult posted) {
		return switch (posted) {
			case CustomerPostResult.Posted p -> new AttemptResult.Accepted(p.conversation() + "/" + p.result().message().seq(),
					1, true, null);
			case CustomerPostResult.Refused(ApiException e) when e.status().is4xxClientError() ->
				new AttemptResult.Permanent(e.code(), e.getMessage(), false, null);
			case CustomerPostResult.Refused(ApiException e) -> new AttemptResult.Transient(e.code(), e.getMessage(), null, null);
			// no such store or customer (any more)
			case CustomerPostResult.Refused(IllegalArgumentException e) ->
				new AttemptResult.Permanent("no-conversation", e.getMessage(), false, null);
			case CustomerPostResult.Refused(RuntimeException e) -> {
				log.warn("An in-app post failed unexpectedly; it will be tried again", e);
				yield new AttemptResult.Transient("error", e.toString(), null, null);
			}
		};
	}
}
