package io.storecast.campaigns.internal;

import static io.storecast.campaigns.internal.Campaigns.ts;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import io.storecast.audience.Channel;
import io.storecast.campaigns.CampaignId;
import io.storecast.delivery.DeliveryStatus;
import io.storecast.identity.CustomerId;
import io.storecast.identity.OrgNodeId;

/**
 * What became of each message a campaign handed to delivery, in the recipient's row of
 * {@code campaigns_recipients}: the store that spoke, the channel and the tracked link, written by the
 * chunk that hands the message off ({@link Recipients#record}), then the first time each outcome
 * happened. Every write sets a time only where none is set, so a repeated report changes
 * nothing, and results are counted from these rows rather than from counters that could drift.
 */
@Repository
class Engagement {

	/** A delivery report for one recipient of one campaign. */
	record Report(CampaignId campaignId, CustomerId customerId, DeliveryStatus status, Channel channel, Instant at) {
	}

	/** Where a recipient's message went, for crediting a coupon claimed by them. */
	record Recipient(OrgNodeId storeId, Channel channel) {
	}

	private final JdbcClient jdbc;

	Engagement(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	/**
	 * Records delivery reports in one statement: per recipient the first time of each status, and the
	 * channel of the latest report that reached them (a fallback to SMS moves the message to SMS).
	 */
	void reports(List<Report> reports) {
		if (reports.isEmpty()) {
			return;
		}
		// one row per recipient: an UPDATE ... FROM applies a single source row to each target row
		Map<String, Merged> merged = new LinkedHashMap<>();
		for (Report r : reports) {
			merged.computeIfAbsent(r.campaignId() + "|" + r.customerId(), k -> new Merged(r.campaignId(), r.customerId()))
				.add(r);
		}
		List<Merged> rows = List.copyOf(merged.values());
		jdbc.sql("""
				UPDATE campaigns_recipients e
				   SET sent_at = coalesce(e.sent_at, u.sent_at), delivered_at = coalesce(e.delivered_at, u.delivered_at),
				       read_at = coalesce(e.read_at, u.read_at), failed_at = coalesce(e.failed_at, u.failed_at),
				       channel = coalesce(u.channel, e.channel)
				  FROM unnest(CAST(? AS uuid[]), CAST(? AS uuid[]), CAST(CAST(? AS text[]) AS timestamptz[]),
				              CAST(CAST(? AS text[]) AS timestamptz[]), CAST(CAST(? AS text[]) AS timestamptz[]),
				              CAST(CAST(? AS text[]) AS timestamptz[]), CAST(? AS text[]))
				       AS u(campaign_id, customer_id, sent_at, delivered_at, read_at, failed_at, channel)
				 WHERE e.campaign_id = u.campaign_id AND e.customer_id = u.customer_id""")
			.params(rows.stream().map(m -> m.campaign.value()).toArray(UUID[]::new),
					rows.stream().map(m -> m.customer.value()).toArray(UUID[]::new), times(rows, DeliveryStatus.SENT),
					times(rows, DeliveryStatus.DELIVERED), times(rows, DeliveryStatus.READ), times(rows, DeliveryStatus.FAILED),
					rows.stream().map(m -> m.channel == null ? null : m.channel.name()).toArray(String[]::new))
			.update();
	}

	private static String[] times(List<Merged> rows, DeliveryStatus status) {
		return rows.stream().map(m -> m.first.get(status)).map(t -> t == null ? null : t.toString()).toArray(String[]::new);
	}

	/** One recipient's reports of one transaction, merged. */
	private static final class Merged {
		final CampaignId campaign;
		final CustomerId customer;
		final Map<DeliveryStatus, Instant> first = new java.util.EnumMap<>(DeliveryStatus.class);
		@Nullable Channel channel;
		@Nullable Instant latest;

		Merged(CampaignId campaign, CustomerId customer) {
			this.campaign = campaign;
			this.customer = customer;
		}

		void add(Report r) {
			first.merge(r.status(), r.at(), (a, b) -> a.isBefore(b) ? a : b);
			if (r.status() != DeliveryStatus.FAILED && (latest == null || !r.at().isBefore(latest))) {
				latest = r.at();
				channel = r.channel();
			}
		}
	}

	/** Counts a click on a link; the campaign it belongs to, empty when no message carries this link. */
	Optional<CampaignId> click(long linkId, Instant at) {
		return jdbc.sql("""
				UPDATE campaigns_recipients SET clicks = clicks + 1, clicked_at = coalesce(clicked_at, ?)
				 WHERE link_id = ? RETURNING campaign_id""")
			.params(ts(at), linkId)
			.query((rs, n) -> new CampaignId(rs.getObject(1, UUID.class)))
			.optional();
	}

	/**
	 * Credits a reply in the customer's conversation with a store to the latest campaign message that
	 * store sent them within {@code window}; false when there is none (or it was credited already).
	 */
	boolean replied(CustomerId customer, OrgNodeId store, Instant at, Duration window) {
		return credit("replied_at", customer, store, at, window);
	}

	/** Credits a marketing unsubscribe to the latest campaign message the customer had within {@code window}. */
	boolean unsubscribed(CustomerId customer, Instant at, Duration window) {
		return credit("unsubscribed_at", customer, null, at, window);
	}

	/** {@code column}: a constant of this class, never input. */
	private boolean credit(String column, CustomerId customer, @Nullable OrgNodeId store, Instant at, Duration window) {
		return jdbc.sql("UPDATE campaigns_recipients SET " + column + " = :at WHERE (campaign_id, customer_id) = ("
				+ """
						SELECT campaign_id, customer_id FROM campaigns_recipients
						 WHERE customer_id = :customer AND (CAST(:store AS uuid) IS NULL OR store_id = :store)
						   AND handed_off_at BETWEEN :from AND :at
						 ORDER BY handed_off_at DESC LIMIT 1)"""
				+ " AND " + column + " IS NULL")
			.param("at", ts(at))
			.param("customer", customer.value())
			.param("store", store == null ? null : store.value())
			.param("from", ts(at.minus(window)))
			.update() == 1;
	}

	Optional<Recipient> recipient(CampaignId campaign, CustomerId customer) {
		return jdbc.sql("""
				SELECT store_id, channel FROM campaigns_recipients
				 WHERE campaign_id = ? AND customer_id = ? AND handed_off_at IS NOT NULL""")
			.params(campaign.value(), customer.value())
			.query((rs, n) -> new Recipient(new OrgNodeId(rs.getObject(1, UUID.class)), Channel.valueOf(rs.getString(2))))
			.optional();
	}
}
