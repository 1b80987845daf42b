package io.storecast.campaigns.internal;

import static io.storecast.campaigns.internal.Campaigns.ts;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import io.storecast.audience.Channel;
import io.storecast.campaigns.CampaignId;
import io.storecast.identity.CustomerId;
import io.storecast.identity.OrgNodeId;

/**
 * Coupons attributed to campaigns ({@code campaigns_coupons}), their redemptions
 * ({@code campaigns_redemptions}) and the revenue of the orders that redeemed them
 * ({@code campaigns_orders}). Each fact has a unique key, so recording it twice changes nothing.
 */
@Repository
class AttributedCoupons {

	enum How {
		CLAIM, GRANT
	}

	/** A coupon issued through a campaign, credited to the recipient's store and channel where known. */
	record Issued(UUID couponId, CampaignId campaignId, CustomerId customerId, String code, How how,
			@Nullable OrgNodeId storeId, @Nullable Channel channel, Instant issuedAt) {
	}

	record Attributed(CampaignId campaignId, Instant issuedAt) {
	}

	private final JdbcClient jdbc;

	AttributedCoupons(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	/** The code as orders may carry it: upper case, without separators. */
	static String normalized(String code) {
		return code.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "");
	}

	void issued(List<Issued> coupons) {
		if (coupons.isEmpty()) {
			return;
		}
		jdbc.sql("""
				INSERT INTO campaigns_coupons (coupon_id, campaign_id, customer_id, code, how, store_id, channel, issued_at)
				SELECT u.coupon_id, u.campaign_id, u.customer_id, u.code, u.how, u.store_id, u.channel, u.issued_at
				  FROM unnest(CAST(? AS uuid[]), CAST(? AS uuid[]), CAST(? AS uuid[]), CAST(? AS text[]), CAST(? AS text[]),
				              CAST(? AS uuid[]), CAST(? AS text[]), CAST(CAST(? AS text[]) AS timestamptz[]))
				       AS u(coupon_id, campaign_id, customer_id, code, how, store_id, channel, issued_at)
				ON CONFLICT DO NOTHING""")
			.params(coupons.stream().map(Issued::couponId).toArray(UUID[]::new),
					coupons.stream().map(c -> c.campaignId().value()).toArray(UUID[]::new),
					coupons.stream().map(c -> c.customerId().value()).toArray(UUID[]::new),
					coupons.stream().map(c -> normalized(c.code())).toArray(String[]::new),
					coupons.stream().map(c -> c.how().name()).toArray(String[]::new),
					coupons.stream().map(c -> c.storeId() == null ? null : c.storeId().value()).toArray(UUID[]::new),
					coupons.stream().map(c -> c.channel() == null ? null : c.channel().name()).toArray(String[]::new),
					coupons.stream().map(c -> c.issuedAt().toString()).toArray(String[]::new))
			.update();
	}

	Optional<Attributed> find(UUID couponId) {
		return jdbc.sql("SELECT campaign_id, issued_at FROM campaigns_coupons WHERE coupon_id = ?")
			.param(couponId)
			.query((rs, n) -> new Attributed(new CampaignId(rs.getObject(1, UUID.class)), rs.getTimestamp(2).toInstant()))
			.optional();
	}

	void redeemed(UUID couponId, String orderExternalId, CampaignId campaign, long discountFen, Instant at) {
		jdbc.sql("""
				INSERT INTO campaigns_redemptions (coupon_id, order_external_id, campaign_id, discount_fen, redeemed_at)
				VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING""")
			.params(couponId, orderExternalId, campaign.value(), discountFen, ts(at))
			.update();
	}

	void rolledBack(UUID couponId, String orderExternalId, Instant at) {
		jdbc.sql("""
				UPDATE campaigns_redemptions SET rolled_back_at = coalesce(rolled_back_at, ?)
				 WHERE coupon_id = ? AND order_external_id = ?""")
			.params(ts(at), couponId, orderExternalId)
			.update();
	}

	/** Keeps a paid order's revenue when one of its codes is an attributed coupon's; false when none is. */
	boolean paid(String orderExternalId, List<String> codes, long totalFen, Instant at) {
		return jdbc.sql("""
				INSERT INTO campaigns_orders (order_external_id, total_fen, paid_at)
				SELECT ?, ?, ? WHERE EXISTS (SELECT 1 FROM campaigns_coupons WHERE code = ANY(CAST(? AS text[])))
				ON CONFLICT DO NOTHING""")
			.params(orderExternalId, totalFen, ts(at), codes.stream().map(AttributedCoupons::normalized).toArray(String[]::new))
			.update() == 1;
	}

	/** A refund in part: the revenue counted is the total less it. */
	void refunded(String orderExternalId, long refundFen) {
		jdbc.sql("UPDATE campaigns_orders SET refunded_fen = ? WHERE order_external_id = ?")
			.params(refundFen, orderExternalId)
			.update();
	}
}
