package io.storecast.campaigns.internal;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.modulith.events.ApplicationModuleListener;
import org.springframework.scheduling.annotation.Async;
import org.springframework.stereotype.Component;

import io.storecast.audience.ConsentChanged;
import io.storecast.audience.Purpose;
import io.storecast.campaigns.CampaignId;
import io.storecast.coupons.CouponClaimed;
import io.storecast.coupons.CouponRedeemed;
import io.storecast.coupons.CouponRolledBack;
import io.storecast.messaging.CustomerTextReceived;
import io.storecast.orders.OrderPaid;
import io.storecast.orders.OrderRefunded;
import io.storecast.orders.OrderStatus;

/**
 * Credits campaigns with what their messages led to: coupons claimed from them, the redemptions of
 * those coupons (within the attribution window) and the orders' revenue, replies and unsubscribes.
 * <p>
 * The coupon facts are heard synchronously, inside the coupons module's own transaction: a claim, a
 * redemption or a rollback commits exactly with its credit, in the order they happened, and the
 * many claims that have nothing to do with a campaign cost a string comparison (no event
 * publication stored per claim). Orders are heard after their commit through the event registry
 * (redelivery is harmless: every fact has a unique key). Replies come outside any transaction, and
 * are credited on another thread so the customer's send does not wait.
 */
@Component
class ResultsListeners {

	/** The claim {@code source} that attributes a coupon to a campaign; {@code sourceRef} is the campaign id. */
	static final String SOURCE = "campaign";

	private static final java.util.Set<String> CUSTOMER_SOURCES = java.util.Set.of("CHAT_REPLY", "SMS_REPLY", "LINK", "WIDGET");

	private static final Logger log = LoggerFactory.getLogger(ResultsListeners.class);

	private final AttributedCoupons coupons;
	private final Engagement engagement;
	private final Campaigns campaigns;
	private final ResultsSettings settings;

	ResultsListeners(AttributedCoupons coupons, Engagement engagement, Campaigns campaigns, ResultsSettings settings) {
		this.coupons = coupons;
		this.engagement = engagement;
		this.campaigns = campaigns;
		this.settings = settings;
	}

	@EventListener
	void on(CouponClaimed claim) {
		if (!SOURCE.equals(claim.source())) {
			return;
		}
		Optional<Campaign> campaign = campaign(claim.sourceRef());
		if (campaign.isEmpty() || !campaign.get().definition().offersTemplate(claim.templateId())) {
			log.info("Coupon {} was claimed for campaign '{}', which does not offer its template: not attributed",
					claim.code(), claim.sourceRef());
			return;
		}
		Campaign c = campaign.get();
		Optional<Engagement.Recipient> recipient = engagement.recipient(c.id(), claim.customerId());
		List<io.storecast.identity.OrgNodeId> stores = c.definition().stores();
		coupons.issued(List.of(new AttributedCoupons.Issued(claim.couponId(), c.id(), claim.customerId(), claim.code(),
				AttributedCoupons.How.CLAIM,
				recipient.map(Engagement.Recipient::storeId).orElse(stores.size() == 1 ? stores.getFirst() : null),
				recipient.map(Engagement.Recipient::channel).orElse(null), claim.at())));
	}

	/** The campaign a claim's {@code sourceRef} names: its id, optionally followed by {@code /} and anything. */
	private Optional<Campaign> campaign(@Nullable String sourceRef) {
		if (sourceRef == null) {
			return Optional.empty();
		}
		int slash = sourceRef.indexOf('/');
		try {
			return campaigns.find(new CampaignId(UUID.fromString(slash < 0 ? sourceRef : sourceRef.substring(0, slash))));
		}
		catch (IllegalArgumentException notAnId) {
			return Optional.empty();
		}
	}

	@EventListener
	void on(CouponRedeemed redeemed) {
		coupons.find(redeemed.couponId()).ifPresent(a -> {
			if (redeemed.at().isBefore(a.issuedAt().plus(settings.attributionWindow()))) {
				coupons.redeemed(redeemed.couponId(), redeemed.orderExternalId(), a.campaignId(), redeemed.discountFen(),
						redeemed.at());
			}
		});
	}

	@EventListener
	void on(CouponRolledBack rolledBack) {
		coupons.rolledBack(rolledBack.couponId(), rolledBack.orderExternalId(), rolledBack.at());
	}

	@ApplicationModuleListener
	void on(OrderPaid paid) {
		if (!paid.couponCodes().isEmpty() && paid.status() != OrderStatus.CANCELLED && paid.status() != OrderStatus.REFUNDED) {
			coupons.paid(paid.externalId(), paid.couponCodes(), paid.totalFen(), paid.at());
		}
	}

	@ApplicationModuleListener
	void on(OrderRefunded refunded) {
		if (!refunded.couponCodes().isEmpty()) {
			coupons.refunded(refunded.externalId(), refunded.refundFen());
		}
	}

	@Async
	@EventListener
	void on(CustomerTextReceived text) {
		engagement.replied(text.customerId(), text.storeId(), text.at(), settings.replyWindow());
	}

	@ApplicationModuleListener
	void on(ConsentChanged change) {
		// the customer's own doing (a reply, the link, the widget), not an import or a member of staff
		if (!change.granted() && change.purpose() == Purpose.MARKETING && CUSTOMER_SOURCES.contains(change.source())) {
			engagement.unsubscribed(change.customerId(), change.at(), settings.replyWindow());
		}
	}
}
