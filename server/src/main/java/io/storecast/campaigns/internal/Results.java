package io.storecast.campaigns.internal;

import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import io.storecast.campaigns.CampaignId;

/**
 * A campaign's results counted from the facts themselves — the recipients' rows, the attributed
 * coupons, redemptions and orders, the forwards — in one query, grouped by a dimension. Counting
 * facts (each written once, under a unique key) rather than keeping counters leaves nothing to lose
 * to concurrent updates, and any grouping comes from the same rows.
 */
@Repository
class Results {

	/** What results are grouped by: each names its key as SQL over the facts ({@code x}) and the forward ({@code f}). */
	enum Key {
		STORE("CAST(x.store_id AS text)"),
		CHANNEL("x.channel"),
		VARIANT("x.variant"),
		EMPLOYEE("CAST(f.forwarded_by AS text)"),
		// the merchant's hours (a zone of +05:30 starts them at :30 UTC), named by their first instant in UTC
		HOUR("to_char(date_trunc('hour', x.at, :zone) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24\":\"MI\":00Z\"')"),
		CAMPAIGN("CAST(x.campaign_id AS text)");

		final String sql;

		Key(String sql) {
			this.sql = sql;
		}
	}

	/** The counts of one group; money in fen. */
	record Counts(long recipients, long sent, long delivered, long read, long failed, long clicked, long replied,
			long forwarded, long unsubscribed, long claimed, long redeemed, long orders, long revenueFen,
			long couponCostFen) {

		static final Counts NONE = new Counts(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

		Counts plus(Counts o) {
			return new Counts(recipients + o.recipients, sent + o.sent, delivered + o.delivered, read + o.read,
					failed + o.failed, clicked + o.clicked, replied + o.replied, forwarded + o.forwarded,
					unsubscribed + o.unsubscribed, claimed + o.claimed, redeemed + o.redeemed, orders + o.orders,
					revenueFen + o.revenueFen, couponCostFen + o.couponCostFen);
		}

		static Counts of(Map<String, long[]> m) {
			return new Counts(n(m, "recipients"), n(m, "sent"), n(m, "delivered"), n(m, "read"), n(m, "failed"),
					n(m, "clicked"), n(m, "replied"), n(m, "forwarded"), n(m, "unsubscribed"), n(m, "claimed"),
					n(m, "redeemed"), n(m, "revenue"), fen(m, "revenue"), fen(m, "redeemed"));
		}

		private static long n(Map<String, long[]> m, String metric) {
			long[] v = m.get(metric);
			return v == null ? 0 : v[0];
		}

		private static long fen(Map<String, long[]> m, String metric) {
			long[] v = m.get(metric);
			return v == null ? 0 : v[1];
		}
	}

	// every fact as (campaign, store, channel, variant, metric, time, n, fen)
	private static final String FACTS = """
			WITH ids AS (SELECT unnest(CAST(:ids AS uuid[])) AS id),
			facts AS (
			  SELECT e.campaign_id, e.store_id, e.channel, coalesce(e.variant, 'A') AS variant, m.metric, m.at, 1 AS n, 0 AS fen
			    FROM campaigns_recipients e
			   CROSS JOIN LATERAL (VALUES ('recipients', e.handed_off_at), ('sent', e.sent_at), ('delivered', e.delivered_at),
			                              ('read', e.read_at), ('failed', e.failed_at), ('clicked', e.clicked_at),
			                              ('replied', e.replied_at), ('unsubscribed', e.unsubscribed_at)) AS m(metric, at)
			   WHERE e.campaign_id IN (SELECT id FROM ids) AND e.handed_off_at IS NOT NULL AND m.at IS NOT NULL
			  UNION ALL
			  SELECT c.campaign_id, c.store_id, c.channel, coalesce(e.variant, 'A'), 'claimed', c.issued_at, 1, 0
			    FROM campaigns_coupons c
			    LEFT JOIN campaigns_recipients e ON e.campaign_id = c.campaign_id AND e.customer_id = c.customer_id
								 AND e.handed_off_at IS NOT NULL
			   WHERE c.campaign_id IN (SELECT id FROM ids)
			  UNION ALL
			  SELECT r.campaign_id, c.store_id, c.channel, coalesce(e.variant, 'A'), 'redeemed', r.redeemed_at, 1, r.discount_fen
			    FROM campaigns_redemptions r JOIN campaigns_coupons c ON c.coupon_id = r.coupon_id
			    LEFT JOIN campaigns_recipients e ON e.campaign_id = c.campaign_id AND e.customer_id = c.customer_id
								 AND e.handed_off_at IS NOT NULL
			   WHERE r.campaign_id IN (SELECT id FROM ids) AND r.rolled_back_at IS NULL
			  UNION ALL
			  -- an order counts once per campaign, however many of its coupons it redeemed
			  (SELECT DISTINCT ON (r.campaign_id, r.order_external_id)
			          r.campaign_id, c.store_id, c.channel, coalesce(e.variant, 'A'), 'revenue', o.paid_at, 1,
			          o.total_fen - o.refunded_fen
			     FROM campaigns_redemptions r JOIN campaigns_coupons c ON c.coupon_id = r.coupon_id
			     JOIN campaigns_orders o ON o.order_external_id = r.order_external_id
			     LEFT JOIN campaigns_recipients e ON e.campaign_id = c.campaign_id AND e.customer_id = c.customer_id
								 AND e.handed_off_at IS NOT NULL
			    WHERE r.campaign_id IN (SELECT id FROM ids) AND r.rolled_back_at IS NULL
			    ORDER BY r.campaign_id, r.order_external_id, r.redeemed_at)
			  UNION ALL
			  SELECT f.child_id, f.store_id, NULL, 'A', 'forwarded', f.forwarded_at, 1, 0
			    FROM campaigns_forwards f WHERE f.child_id IN (SELECT id FROM ids)
			)
			""";

	private final JdbcClient jdbc;

	Results(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	/**
	 * The counts of these campaigns grouped by {@code key}, in key order (a fact without a key — a
	 * claim by someone the campaign did not message, a message not forwarded by anyone — under null).
	 */
	Map<@Nullable String, Counts> counts(Collection<CampaignId> campaigns, Key key) {
		return counts(campaigns, key, ZoneOffset.UTC);
	}

	/** As {@link #counts(Collection, Key)}, hours ({@link Key#HOUR}) being those of {@code zone}. */
	Map<@Nullable String, Counts> counts(Collection<CampaignId> campaigns, Key key, ZoneId zone) {
		Map<@Nullable String, Map<String, long[]>> groups = new LinkedHashMap<>();
		if (campaigns.isEmpty()) {
			return new LinkedHashMap<>();
		}
		jdbc.sql(FACTS + "SELECT " + key.sql + " AS k, x.metric, sum(x.n), sum(x.fen) FROM facts x"
				+ " LEFT JOIN campaigns_forwards f ON f.child_id = x.campaign_id GROUP BY 1, 2 ORDER BY 1 NULLS LAST, 2")
			.param("ids", campaigns.stream().map(CampaignId::value).toArray(UUID[]::new))
			.param("zone", zone.getId())
			.query(rs -> {
				groups.computeIfAbsent(rs.getString(1), k -> new HashMap<>())
					.put(rs.getString(2), new long[] { rs.getLong(3), rs.getLong(4) });
			});
		Map<@Nullable String, Counts> out = new LinkedHashMap<>();
		groups.forEach((k, m) -> out.put(k, Counts.of(m)));
		return out;
	}
}
