package io.storecast.campaigns.internal;

import static io.storecast.campaigns.internal.Campaigns.ts;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import io.storecast.campaigns.CampaignId;

/**
 * The course of campaigns' A/B tests in {@code campaigns_ab_tests} — test part handed off, winner
 * chosen, rest released — and each variant's figures, counted from the results' facts.
 */
@Repository
class AbTests {

	/** Where a test stands; {@code chosenBy} is a username, {@code api-key:<name>} or {@code auto}. */
	record State(CampaignId campaignId, Instant testSentAt, @Nullable Instant decideAt, @Nullable String winner,
			@Nullable String chosenBy, @Nullable Instant chosenAt, @Nullable String reason, @Nullable Instant releasedAt) {
	}

	/**
	 * A variant's test recipients (the rest left out) and what they did: delivered, read, clicked,
	 * redeemed the campaign's coupon (recipients with a redemption standing), and the revenue of their
	 * orders that redeemed it, in fen, with the sum of its squares (for the variance per recipient).
	 */
	record Facts(long recipients, long delivered, long read, long clicked, long redeemers, long revenueFen,
			double revenueSquares) {
	}

	private static final String FACTS = """
			WITH t AS (
			  SELECT r.customer_id, coalesce(r.variant, 'A') AS variant, r.delivered_at IS NOT NULL AS delivered,
			         r.read_at IS NOT NULL AS seen, r.clicked_at IS NOT NULL AS clicked
			    FROM campaigns_recipients r
			   WHERE r.campaign_id = :id AND r.handed_off_at IS NOT NULL AND NOT r.rest),
			red AS (
			  SELECT c.customer_id FROM campaigns_redemptions d JOIN campaigns_coupons c ON c.coupon_id = d.coupon_id
			   WHERE d.campaign_id = :id AND d.rolled_back_at IS NULL GROUP BY c.customer_id),
			rev AS (
			  -- an order counts once, however many of the campaign's coupons it redeemed
			  SELECT customer_id, sum(fen) AS fen FROM (
			    SELECT DISTINCT ON (d.order_external_id) c.customer_id, o.total_fen - o.refunded_fen AS fen
			      FROM campaigns_redemptions d JOIN campaigns_coupons c ON c.coupon_id = d.coupon_id
			      JOIN campaigns_orders o ON o.order_external_id = d.order_external_id
			     WHERE d.campaign_id = :id AND d.rolled_back_at IS NULL
			     ORDER BY d.order_external_id, d.redeemed_at) x
			   GROUP BY customer_id)
			SELECT t.variant, count(*), count(*) FILTER (WHERE t.delivered), count(*) FILTER (WHERE t.seen),
			       count(*) FILTER (WHERE t.clicked), count(red.customer_id), coalesce(sum(rev.fen), 0),
			       coalesce(sum(CAST(rev.fen AS double precision) * rev.fen), 0)
			  FROM t LEFT JOIN red ON red.customer_id = t.customer_id LEFT JOIN rev ON rev.customer_id = t.customer_id
			 GROUP BY t.variant ORDER BY t.variant""";

	private final JdbcClient jdbc;

	AbTests(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	/** Records that the test part was handed off; false when it was recorded before (nothing changes). */
	boolean testSent(CampaignId id, Instant at, @Nullable Instant decideAt) {
		return jdbc.sql("""
				INSERT INTO campaigns_ab_tests (campaign_id, test_sent_at, decide_at) VALUES (?, ?, ?)
				ON CONFLICT DO NOTHING""")
			.params(id.value(), ts(at), decideAt == null ? null : ts(decideAt))
			.update() == 1;
	}

	Optional<State> find(CampaignId id) {
		return jdbc.sql("SELECT * FROM campaigns_ab_tests WHERE campaign_id = ?")
			.param(id.value())
			.query((rs, n) -> new State(id, rs.getTimestamp("test_sent_at").toInstant(), Campaigns.instant(rs, "decide_at"),
					rs.getString("winner"), rs.getString("chosen_by"), Campaigns.instant(rs, "chosen_at"),
					rs.getString("reason"), Campaigns.instant(rs, "released_at")))
			.optional();
	}

	/** Records the winner; false when one was chosen before. */
	boolean choose(CampaignId id, String winner, String by, Instant at, String reason) {
		return jdbc.sql("""
				UPDATE campaigns_ab_tests SET winner = ?, chosen_by = ?, chosen_at = ?, reason = ?
				 WHERE campaign_id = ? AND winner IS NULL""")
			.params(winner, by, ts(at), reason, id.value())
			.update() == 1;
	}

	void released(CampaignId id, Instant at) {
		jdbc.sql("UPDATE campaigns_ab_tests SET released_at = ? WHERE campaign_id = ?").params(ts(at), id.value()).update();
	}

	/** Each variant's facts, by key. */
	Map<String, Facts> facts(CampaignId id) {
		Map<String, Facts> out = new LinkedHashMap<>();
		jdbc.sql(FACTS).param("id", id.value()).query(rs -> {
			out.put(rs.getString(1), new Facts(rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5), rs.getLong(6),
					rs.getLong(7), rs.getDouble(8)));
		});
		return out;
	}
}
