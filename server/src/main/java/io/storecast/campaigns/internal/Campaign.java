package io.storecast.campaigns.internal;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

import io.storecast.audience.Channel;
import io.storecast.audience.Purpose;
import io.storecast.audience.SegmentId;
import io.storecast.campaigns.CampaignId;
import io.storecast.coupons.CouponTemplateId;
import io.storecast.identity.CustomerId;
import io.storecast.identity.OrgNodeId;

/** A campaign as stored: its definition and where its send stands. */
record Campaign(CampaignId id, String name, Purpose purpose, Instant startsAt, Instant endsAt, Definition definition,
		OrgNodeId scopeNodeId, String scopePath, Status status, @Nullable String statusReason, @Nullable Instant sendAt,
		@Nullable Instant plannedAt, @Nullable UUID snapshotId, @Nullable Instant startedAt,
		@Nullable Instant finishedAt, String createdBy, Instant createdAt, Instant updatedAt) {

	/**
	 * PENDING_APPROVAL: a send waiting for someone with CAMPAIGN_APPROVE; RECURRING: a campaign whose
	 * runs (child campaigns) start as its rule fires.
	 */
	enum Status {
		DRAFT, PENDING_APPROVAL, SCHEDULED, RECURRING, SENDING, SENT, CANCELLED, FAILED;

		boolean cancellable() {
			return this == SCHEDULED || this == SENDING || this == RECURRING;
		}
	}

	/** Who hears the campaign. */
	enum AudienceKind {
		/** Every customer whose home store participates. */
		STORES,
		/** The members of a segment, snapshotted when the send starts, within the campaign's scope. */
		SEGMENT,
		/** An explicit list of customers. */
		CUSTOMERS
	}

	/**
	 * What the campaign says and to whom, as checked and stored (participating stores expanded to
	 * stores, templates by channel then locale).
	 */
	record Definition(Offer offer, List<OrgNodeId> stores, List<RouteStep> route,
			Map<Channel, Map<String, String>> templates, Audience audience, @Nullable AbTest abTest) {

		Channel firstChannel() {
			return route.getFirst().channel();
		}

		boolean routes(Channel channel) {
			// asked several times per recipient when a chunk is rendered: a loop, not a stream
			for (var step : route) {
				if (step.channel() == channel) {
					return true;
				}
			}
			return false;
		}

		/** The templates a recipient of this variant is sent (the campaign's own without a test, or for a variant without its own). */
		Map<Channel, Map<String, String>> templates(@Nullable String variant) {
			AbTest.Variant v = variant(variant);
			return v == null || v.templates() == null ? templates : v.templates();
		}

		/** The offer a recipient of this variant gets: the campaign's, with the variant's coupon template or product. */
		Offer offer(@Nullable String variant) {
			AbTest.Variant v = variant(variant);
			if (v == null || v.offer() == null) {
				return offer;
			}
			return offer.with(v.offer());
		}

		/** Whether the campaign offers coupons of this template (its own offer's, or a variant's). */
		boolean offersTemplate(CouponTemplateId template) {
			if (template.equals(offer.couponTemplateId())) {
				return true;
			}
			return abTest != null && abTest.variants().stream().anyMatch(v -> template.equals(offer(v.key()).couponTemplateId()));
		}

		private AbTest.@Nullable Variant variant(@Nullable String key) {
			if (abTest == null || key == null) {
				return null;
			}
			return abTest.variants().stream().filter(v -> v.key().equals(key)).findFirst().orElse(null);
		}
	}

	/** How an A/B test's winner is measured. */
	enum Metric {
		/** read / delivered */
		READ_RATE,
		/** clicked (the tracked link) / delivered */
		CLICK_RATE,
		/** recipients who redeemed the campaign's coupon / recipients */
		REDEMPTION_RATE,
		/** revenue of the orders that redeemed it / recipients */
		REVENUE_PER_RECIPIENT;

		boolean needsCoupon() {
			return this == REDEMPTION_RATE || this == REVENUE_PER_RECIPIENT;
		}
	}

	/** Who picks an A/B test's winner. */
	enum WinnerMode {
		/** someone, over {@code POST …/ab/winner} */
		MANUAL,
		/** the best variant by the metric, when the test period is over */
		AUTO
	}

	/**
	 * An A/B test: 2-4 variants (keys A-D) sent to a test fraction of the audience split by
	 * percentages; the rest waits for the winner.
	 *
	 * @param split percent per variant, in the variants' order, summing to 100
	 * @param testFraction the share of the audience in the test (0 &lt; f &le; 1; 1: no rest)
	 * @param testPeriod AUTO: how long after the test part is handed off the winner is picked
	 */
	record AbTest(List<Variant> variants, List<Integer> split, double testFraction, Metric metric, WinnerMode winner,
			java.time.@Nullable Duration testPeriod) {

		/** @param templates null: the campaign's own */
		record Variant(String key, @Nullable Map<Channel, Map<String, String>> templates, @Nullable VariantOffer offer) {
		}
	}

	/** What a variant offers differently: another coupon template, another product name. */
	record VariantOffer(@Nullable CouponTemplateId couponTemplateId, @Nullable String product) {
	}

	/**
	 * @param product a product name for {@code {product}}
	 * @param link where a tracked {@code {link}} leads (http or https); null: no tracked link
	 * @param couponMode how recipients get the coupon; null: GRANT
	 * @param surveyId a survey whose first question is the in-app message's card (its recipients are
	 * invited to answer it); null: none
	 */
	record Offer(String text, @Nullable CouponTemplateId couponTemplateId, @Nullable String product,
			@Nullable String link, @Nullable CouponMode couponMode, java.util.@Nullable UUID surveyId) {

		/** This offer with what a variant offers differently. */
		Offer with(@Nullable VariantOffer o) {
			return o == null ? this
					: new Offer(text, o.couponTemplateId() != null ? o.couponTemplateId() : couponTemplateId,
							o.product() != null ? o.product() : product, link, couponMode, surveyId);
		}

		/** Whether the send grants each recipient a coupon (a coupon template, not left to claims). */
		boolean grants() {
			return couponTemplateId != null && couponMode != CouponMode.CLAIM;
		}
	}

	/** How a campaign's coupon reaches its recipients. */
	enum CouponMode {
		/** Each recipient is granted one when their message is handed off ({@code {coupon}} shows it). */
		GRANT,
		/** Recipients claim it (from the card or the page behind the link), with source {@code campaign}. */
		CLAIM
	}

	/** @param fallbackAfterMinutes for IN_APP before another step: go on when unread this long */
	record RouteStep(Channel channel, @Nullable Integer fallbackAfterMinutes) {
	}

	record Audience(AudienceKind kind, @Nullable SegmentId segmentId, @Nullable List<CustomerId> customerIds) {
	}
}
