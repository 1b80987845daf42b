package io.storecast.campaigns.internal;

import java.time.Instant;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.springframework.stereotype.Component;

import io.storecast.audience.Decision;
import io.storecast.identity.CustomerId;

/**
 * What a send chunk records for the results, in the chunk's transaction: a row per recipient handed
 * off (store, channel, tracked link) and the coupons it granted, so they commit exactly with the
 * messages they describe.
 */
@Component
class ResultsRecording {

	private final TrackedLinks links;
	private final Engagement engagement;
	private final AttributedCoupons coupons;

	ResultsRecording(TrackedLinks links, Engagement engagement, AttributedCoupons coupons) {
		this.links = links;
		this.engagement = engagement;
		this.coupons = coupons;
	}

	TrackedLinks links() {
		return links;
	}

	/** Link ids for the chunk's recipients to be sent now, in one query; none when the templates show no tracked link. */
	Iterator<Long> linkIds(Rendering rendering, List<Decision> decisions) {
		if (!rendering.tracksLinks()) {
			return Collections.emptyIterator();
		}
		int sendNow = (int) decisions.stream().filter(d -> d.outcome() == Decision.Outcome.SEND_NOW).count();
		return links.allocate(sendNow).iterator();
	}

	/** Records the recipients the chunk handed off, and every coupon it granted (a skipped recipient keeps theirs). */
	void handedOff(Campaign c, List<Recipients.Outcome> outcomes, List<Engagement.HandedOff> handed, Instant now) {
		Set<CustomerId> handedOff = outcomes.stream()
			.filter(o -> o.status() == Recipients.Status.HANDED_OFF)
			.map(Recipients.Outcome::customerId)
			.collect(Collectors.toSet());
		engagement.handedOff(c.id(), c.definition().firstChannel(),
				handed.stream().filter(h -> handedOff.contains(h.customerId())).toList(), now);
		coupons.issued(handed.stream()
			.filter(h -> h.coupon() != null)
			.map(h -> new AttributedCoupons.Issued(h.coupon().id(), c.id(), h.customerId(), h.coupon().code(),
					AttributedCoupons.How.GRANT, h.storeId(), c.definition().firstChannel(), h.coupon().issuedAt()))
			.toList());
	}
}
