package io.storecast.delivery.internal.channel;

import java.util.List;
import java.util.concurrent.CompletionStage;

import io.storecast.audience.Channel;

/**
 * One way out (the delivery module's channel SPI). The outbox workers hand each due attempt to the
 * adapter of its channel and record what the returned stage completes with. Adapters are Spring
 * beans, thread-safe, and never block the caller for long: slow work (a network round trip) runs on
 * the adapter's own threads or virtual threads, and the stage completes when it is known.
 * Asynchronous news (delivery receipts, replies) goes to {@link ChannelEvents}.
 */
public interface ChannelAdapter {

	Channel channel();

	/**
	 * Checks, before anything is stored, that this channel can ever carry the message (length,
	 * address form); a problem here is the caller's 400, never a recorded attempt.
	 *
	 * @throws io.storecast.platform.ApiException 400 naming the field
	 */
	void check(Outgoing message);

	/**
	 * Sends one attempt. The stage completes with the outcome; an exception completing it counts as
	 * {@link AttemptResult.Transient} with code {@code error}. Called at most {@link #maxInFlight()}
	 * times concurrently by one node.
	 */
	CompletionStage<AttemptResult> send(Outgoing message);

	/**
	 * Sends several attempts at once, one stage per message, in their order; by default each alone
	 * through {@link #send}. A channel that does better in bulk (in-app posts, stored in a few
	 * statements for all of them) overrides this and {@link #batchSize()}. Each call takes at most
	 * {@link #batchSize()} messages, and each message counts toward {@link #maxInFlight()}.
	 */
	default List<CompletionStage<AttemptResult>> sendAll(List<Outgoing> messages) {
		return messages.stream().map(this::send).toList();
	}

	/** How many attempts the workers hand to one {@link #sendAll} call at most; 1: each goes to {@link #send} alone. */
	default int batchSize() {
		return 1;
	}

	/** How many sends one node may have outstanding on this channel (the SMPP window, HTTP concurrency). */
	default int maxInFlight() {
		return 32;
	}

	/** Whether the channel can take sends now (an SMPP bind is up); when not, due attempts wait. */
	default boolean ready() {
		return true;
	}
}
