package io.storecast.audience;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The one component every marketing message passes before it is sent, on any channel, from any
 * campaign: consent and suppression, quiet hours in the customer's (else the home store's) time
 * zone with the holiday calendar, and the frequency cap shared by all campaigns and channels,
 * counted atomically. Transactional messages skip the cap and quiet hours but not a withdrawn
 * channel. Each decision is recorded with its reason. Decisions commit in transactions of their own
 * (not the caller's): a slot taken stands even if the caller rolls back, and deciding again under the
 * same key takes no second one. See docs/audience.md for the rules.
 */
public interface ContactPolicy {

	/**
	 * Decides for one message.
	 *
	 * @param at when the message would go out (usually now)
	 * @param campaignKey what the message is (campaign, step, variant): deciding again with the same
	 * key for the same customer never takes a second cap slot ({@code already-counted})
	 */
	Decision decide(io.storecast.identity.CustomerId customer, Channel channel, Purpose purpose, Instant at,
			String campaignKey);

	/** Decides for many customers at once (in chunks, one transaction each), in the order given. */
	List<Decision> decideAll(List<io.storecast.identity.CustomerId> customers, Channel channel, Purpose purpose,
			Instant at, String campaignKey);

	/**
	 * Decides for every member of a snapshot, handing each chunk's decisions to {@code sink} as soon
	 * as they are committed (so a campaign can send while the rest is decided).
	 */
	Summary decideSnapshot(SnapshotId snapshot, Channel channel, Purpose purpose, Instant at, String campaignKey,
			Consumer<List<Decision>> sink);

	/** How many decisions of each outcome and reason. */
	record Summary(long decided, long sendNow, long deferred, long dropped, Map<String, Long> reasons) {
	}
}
