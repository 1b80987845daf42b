package io.storecast.campaigns.internal;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

import io.storecast.audience.Segments;
import io.storecast.campaigns.CampaignId;
import io.storecast.identity.CustomerId;

/**
 * A campaign sent to a segment, without an A/B test, does not list its recipients before it decides
 * them: the send walks the segment's snapshot, held for it ({@link Segments#heldSnapshot}), round after
 * round in customer order, and each chunk inserts the rows of the recipients it decided
 * ({@link Recipients#record} with {@code listed} false). The counters start at the snapshot's size,
 * all PLANNED ({@link Recipients#expect}). After a round whose chunks all committed, the walk's position
 * moves past it ({@link Campaigns#walkedTo}); a run resumed after a crash starts there, and its chunks
 * leave out the customers a chunk of the stopped round had listed ({@link Recipients#listedBetween}). When the
 * walk reaches the end, or the campaign stops before (a cancel, the window's end), the snapshot is let
 * go: from then on every recipient has its row, as when they were listed first.
 */
@Component
class RecipientWalks {

	/** Members listed as skipped per statement when a walk is cut short. */
	static final int SKIP_PAGE = 10_000;

	private final Campaigns campaigns;
	private final Recipients recipients;
	private final Segments segments;

	RecipientWalks(Campaigns campaigns, Recipients recipients, Segments segments) {
		this.campaigns = campaigns;
		this.recipients = recipients;
		this.segments = segments;
	}

	/** The next members to decide after {@code after} (null: the first), at most {@code limit}. */
	List<CustomerId> next(Campaigns.Walk walk, @Nullable CustomerId after, int limit) {
		return segments.members(walk.snapshot(), after, limit);
	}

	/**
	 * Ends the walk when it reached the end: every member has its row, the counters are recounted from
	 * the rows (as when they were listed first), and the snapshot is let go. In a transaction; takes the
	 * campaign's row, so chunks of another run still under way finish first.
	 */
	void end(Campaign c) {
		campaigns.lock(c.id());
		if (campaigns.walked(c.id())) {
			recipients.recount(c.id());
			letGo(c);
		}
	}

	/**
	 * Skips every recipient not decided yet, for {@code reason}: the members a walk has not reached are
	 * listed as skipped, then every listed one still planned, held or deferred is; the counters are
	 * recounted from the rows. How many were skipped. In the caller's transaction, which holds the
	 * campaign's row (the chunks of a run under way wait for it, then find the campaign no longer sending).
	 */
	int skipRemaining(Campaign c, String reason, Instant now) {
		CampaignId id = c.id();
		int skipped = 0;
		Optional<Campaigns.Walk> walk = campaigns.walk(id);
		if (walk.isPresent()) {
			CustomerId after = walk.get().after();
			List<CustomerId> page;
			do {
				page = next(walk.get(), after, SKIP_PAGE);
				skipped += recipients.skipUnlisted(id, page, reason, now);
				after = page.isEmpty() ? after : page.getLast();
			}
			while (page.size() == SKIP_PAGE);
			campaigns.walked(id);
		}
		// the walk's snapshot, or one a send stopped between taking it and starting the walk still holds
		letGo(c);
		skipped += recipients.skipListed(id, reason, now);
		if (skipped > 0) {
			recipients.recount(id);
		}
		return skipped;
	}

	/** Lets go of the snapshot held under the campaign's key, if its audience is a segment. */
	void letGo(Campaign c) {
		var segment = c.definition().audience().segmentId();
		if (segment != null) {
			segments.release(segment, c.id().source());
		}
	}
}
