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
			Map<Channel, Map<String, String>> templates, Audience audience) {

		Channel firstChannel() {
			return route.getFirst().channel();
		}

		boolean routes(Channel channel) {
			return route.stream().anyMatch(s -> s.channel() == channel);
		}
	}

	/**
	 * @param product a product name for {@code {product}}
	 * @param link where a tracked {@code {link}} leads (http or https); null: no tracked link
	 * @param couponMode how recipients get the coupon; null: GRANT
	 */
	record Offer(String text, @Nullable CouponTemplateId couponTemplateId, @Nullable String product,
			@Nullable String link, @Nullable CouponMode couponMode) {

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
