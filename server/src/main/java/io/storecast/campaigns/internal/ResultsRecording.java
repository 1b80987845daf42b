package io.storecast.campaigns.internal;

import java.util.Collections;
import java.util.Iterator;
import java.util.List;

import org.springframework.stereotype.Component;

import io.storecast.audience.Decision;

/**
 * What a send chunk needs for the results, in the chunk's transaction: the tracked links' ids, and the
 * coupons it granted, so they commit exactly with the messages they describe. (The store that spoke,
 * the channel and the link go into the recipients' rows, {@link Recipients#record}.)
 */
@Component
class ResultsRecording {

	private final TrackedLinks links;
	private final AttributedCoupons coupons;

	ResultsRecording(TrackedLinks links, AttributedCoupons coupons) {
		this.links = links;
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

	/** Records every coupon the chunk granted (a skipped recipient keeps theirs). */
	void granted(Campaign c, List<Recipients.HandedOff> handed) {
		coupons.issued(handed.stream()
			.filter(h -> h.coupon() != null)
			.map(h -> new AttributedCoupons.Issued(h.coupon().id(), c.id(), h.customerId(), h.coupon().code(),
					AttributedCoupons.How.GRANT, h.storeId(), c.definition().firstChannel(), h.coupon().issuedAt()))
			.toList());
	}
}
