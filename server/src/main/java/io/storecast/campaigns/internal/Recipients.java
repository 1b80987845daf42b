package io.storecast.campaigns.internal;

import static io.storecast.campaigns.internal.Campaigns.ts;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import io.storecast.audience.Channel;
import io.storecast.campaigns.CampaignId;
import io.storecast.identity.CustomerId;
import io.storecast.identity.OrgNodeId;

/**
 * A campaign's recipients in {@code campaigns_recipients} — one row per customer, so a customer is
 * handed to delivery at most once per campaign — and the counters in {@code campaigns_counters}. The
 * rows are written as PLANNED when the send is planned, or, for a walked segment
 * ({@link RecipientWalks}), as each recipient is decided.
 */
@Repository("campaignRecipients")
class Recipients {

	/** HELD: in an A/B test's rest, waiting for the winner (then PLANNED with the winner's variant). */
	enum Status {
		PLANNED, HELD, HANDED_OFF, DEFERRED, SKIPPED
	}

	/** A recipient waiting to be decided (planned, or deferred and due), with the A/B variant they are sent. */
	record Pending(CustomerId customerId, Status status, @Nullable String variant) {
	}

	/** A recipient as handed off: the store that spoke, the tracked link, the coupon granted. */
	record HandedOff(CustomerId customerId, OrgNodeId storeId, @Nullable Long linkId,
			io.storecast.coupons.@Nullable IssuedCoupon coupon) {
	}

	/** Where a recipient stands after a chunk; {@code handed}: what was handed off (HANDED_OFF only). */
	record Outcome(CustomerId customerId, Status previous, Status status, @Nullable String reason,
			@Nullable Instant deferUntil, @Nullable UUID deliveryId, @Nullable HandedOff handed) {

		/** The counter this recipient now counts in. */
		String counter() {
			return status == Status.SKIPPED ? "SKIPPED:" + reason : status.name();
		}
	}

	record Row(CustomerId customerId, Status status, @Nullable String reason, @Nullable Instant deferUntil,
			@Nullable UUID deliveryId, @Nullable String couponCode, Instant plannedAt, @Nullable Instant decidedAt,
			@Nullable String variant) {
	}

	static final String TOTAL = "recipients";
	/** A chunk's outcomes as rows u(...), from {@link #record}'s arrays. */
	private static final String OUTCOMES = """
			unnest(CAST(:customers AS uuid[]), CAST(:statuses AS text[]), CAST(:reasons AS text[]),
			       CAST(CAST(:defers AS text[]) AS timestamptz[]), CAST(:deliveries AS uuid[]), CAST(:coupons AS text[]),
			       CAST(:previous AS text[]), CAST(:stores AS uuid[]), CAST(:links AS bigint[]))
			  AS u(customer_id, status, reason, defer_until, delivery_id, coupon_code, previous, store_id, link_id)""";
	private static final int SHARDS = 8;

	private final JdbcClient jdbc;

	Recipients(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	/**
	 * Adds the customers as PLANNED — with an A/B test, each with their variant, or HELD for the
	 * winner ({@link AbSplit}); ones already listed are left as they are. Returns how many were new.
	 */
	int plan(CampaignId campaign, List<CustomerId> customers, Campaign.@Nullable AbTest test, Instant now) {
		if (customers.isEmpty()) {
			return 0;
		}
		String[] variants = customers.stream().map(c -> test == null ? null : AbSplit.variant(campaign, c, test))
			.toArray(String[]::new);
		return jdbc.sql("""
				INSERT INTO campaigns_recipients (campaign_id, customer_id, status, planned_at, variant, rest)
				SELECT ?, u.c, CASE WHEN ? AND u.v IS NULL THEN 'HELD' ELSE 'PLANNED' END, ?, u.v, ? AND u.v IS NULL
				  FROM unnest(CAST(? AS uuid[]), CAST(? AS text[])) AS u(c, v)
				ON CONFLICT DO NOTHING""")
			.params(campaign.value(), test != null, ts(now), test != null, ids(customers), variants)
			.update();
	}

	/**
	 * Releases an A/B test's rest: every HELD recipient becomes PLANNED with the winner's variant, and
	 * the counters follow; how many. (The same rows: a recipient is still handed off once.)
	 */
	int release(CampaignId campaign, String winner) {
		int n = jdbc.sql("UPDATE campaigns_recipients SET status = 'PLANNED', variant = ? WHERE campaign_id = ? AND status = 'HELD'")
			.params(winner, campaign.value())
			.update();
		if (n > 0) {
			recount(campaign);
		}
		return n;
	}

	/** Whether recipients are held for an A/B test's winner. */
	boolean anyHeld(CampaignId campaign) {
		return jdbc.sql("SELECT EXISTS (SELECT 1 FROM campaigns_recipients WHERE campaign_id = ? AND status = 'HELD')")
			.param(campaign.value())
			.query(Boolean.class)
			.single();
	}

	/** An A/B test's rest by status (HELD, PLANNED, HANDED_OFF, DEFERRED, SKIPPED). */
	Map<String, Long> rest(CampaignId campaign) {
		Map<String, Long> out = new java.util.TreeMap<>();
		jdbc.sql("SELECT status, count(*) FROM campaigns_recipients WHERE campaign_id = ? AND rest GROUP BY status")
			.param(campaign.value())
			.query(rs -> {
				out.put(rs.getString(1), rs.getLong(2));
			});
		return out;
	}

	/** Sets the status counters from the rows themselves (once planning is complete). */
	void recount(CampaignId campaign) {
		clearCounters(campaign);
		jdbc.sql("""
				INSERT INTO campaigns_counters (campaign_id, name, shard, n)
				SELECT campaign_id, CASE WHEN status = 'SKIPPED' THEN 'SKIPPED:' || reason ELSE status END, 0, count(*)
				  FROM campaigns_recipients WHERE campaign_id = ? GROUP BY 1, 2
				UNION ALL
				SELECT ?, 'recipients', 0, count(*) FROM campaigns_recipients WHERE campaign_id = ?""")
			.params(campaign.value(), campaign.value(), campaign.value())
			.update();
	}

	/** Planned recipients after the cursor, in customer order. */
	List<Pending> planned(CampaignId campaign, @Nullable CustomerId after, int limit) {
		return jdbc.sql("""
				SELECT customer_id, variant FROM campaigns_recipients
				 WHERE campaign_id = :campaign AND status = 'PLANNED' AND (CAST(:after AS uuid) IS NULL OR customer_id > :after)
				 ORDER BY customer_id LIMIT :limit""")
			.param("campaign", campaign.value())
			.param("after", after == null ? null : after.value())
			.param("limit", limit)
			.query((rs, n) -> new Pending(new CustomerId(rs.getObject(1, UUID.class)), Status.PLANNED, rs.getString(2)))
			.list();
	}

	/** Deferred recipients whose time has come, after the cursor, in customer order. */
	List<Pending> dueDeferred(CampaignId campaign, Instant now, @Nullable CustomerId after, int limit) {
		return jdbc.sql("""
				SELECT customer_id, variant FROM campaigns_recipients
				 WHERE campaign_id = :campaign AND status = 'DEFERRED' AND defer_until <= :now
				   AND (CAST(:after AS uuid) IS NULL OR customer_id > :after)
				 ORDER BY customer_id LIMIT :limit""")
			.param("campaign", campaign.value())
			.param("now", ts(now))
			.param("after", after == null ? null : after.value())
			.param("limit", limit)
			.query((rs, n) -> new Pending(new CustomerId(rs.getObject(1, UUID.class)), Status.DEFERRED, rs.getString(2)))
			.list();
	}

	/**
	 * Records a chunk's outcomes in one statement, and moves the counters with them, in the counters'
	 * {@code shard} (chunks committing side by side in different shards do not wait for each other).
	 * A recipient handed off gets what results follow ({@link Outcome#handed}: the store that spoke, the
	 * tracked link) on {@code channel}, the route's first. A recipient {@code listed} (its row written
	 * when the campaign was planned) is moved only from the status the chunk read
	 * ({@link Outcome#previous}); one not listed yet (a walk of the snapshot, {@link RecipientWalks}) is
	 * inserted unless a row for it exists. Only those moved or inserted are counted: a recipient another
	 * run decided meanwhile is counted once, and its results columns are those of the run that did.
	 *
	 * @return the customers whose rows it moved or inserted
	 */
	Set<UUID> record(CampaignId campaign, List<Outcome> outcomes, Channel channel, Instant now, int shard, boolean listed) {
		Set<UUID> recorded = new HashSet<>();
		if (outcomes.isEmpty()) {
			return recorded;
		}
		int size = outcomes.size();
		UUID[] customers = new UUID[size];
		String[] statuses = new String[size];
		String[] reasons = new String[size];
		String[] defers = new String[size];
		UUID[] deliveries = new UUID[size];
		String[] coupons = new String[size];
		String[] previous = new String[size];
		UUID[] stores = new UUID[size];
		Long[] links = new Long[size];
		Map<UUID, Outcome> byCustomer = new HashMap<>();
		for (int i = 0; i < size; i++) {
			Outcome o = outcomes.get(i);
			customers[i] = o.customerId().value();
			statuses[i] = o.status().name();
			reasons[i] = o.reason();
			defers[i] = o.deferUntil() == null ? null : o.deferUntil().toString();
			deliveries[i] = o.deliveryId();
			previous[i] = o.previous().name();
			HandedOff h = o.handed();
			if (h != null) {
				coupons[i] = h.coupon() == null ? null : h.coupon().code();
				stores[i] = h.storeId().value();
				links[i] = h.linkId();
			}
			byCustomer.put(customers[i], o);
		}
		Map<String, Long> deltas = new HashMap<>();
		jdbc.sql(listed ? """
				UPDATE campaigns_recipients r
				   SET status = u.status, reason = u.reason, defer_until = u.defer_until, delivery_id = u.delivery_id,
				       coupon_code = coalesce(u.coupon_code, r.coupon_code), decided_at = :now,
				       store_id = u.store_id, link_id = u.link_id,
				       channel = CASE WHEN u.status = 'HANDED_OFF' THEN CAST(:channel AS text) END,
				       handed_off_at = CASE WHEN u.status = 'HANDED_OFF' THEN CAST(:now AS timestamptz) END
				  FROM %s
				 WHERE r.campaign_id = :campaign AND r.customer_id = u.customer_id AND r.status = u.previous
				RETURNING r.customer_id""".formatted(OUTCOMES) : """
				INSERT INTO campaigns_recipients (campaign_id, customer_id, status, reason, defer_until, delivery_id, coupon_code,
				                                  planned_at, decided_at, store_id, link_id, channel, handed_off_at)
				SELECT :campaign, u.customer_id, u.status, u.reason, u.defer_until, u.delivery_id, u.coupon_code,
				       CAST(:now AS timestamptz), CAST(:now AS timestamptz), u.store_id, u.link_id,
				       CASE WHEN u.status = 'HANDED_OFF' THEN CAST(:channel AS text) END,
				       CASE WHEN u.status = 'HANDED_OFF' THEN CAST(:now AS timestamptz) END
				  FROM %s
				ON CONFLICT (campaign_id, customer_id) DO NOTHING
				RETURNING customer_id""".formatted(OUTCOMES))
			.param("now", ts(now))
			.param("channel", channel.name())
			.param("customers", customers)
			.param("statuses", statuses)
			.param("reasons", reasons)
			.param("defers", defers)
			.param("deliveries", deliveries)
			.param("coupons", coupons)
			.param("previous", previous)
			.param("stores", stores)
			.param("links", links)
			.param("campaign", campaign.value())
			.query((rs, n) -> rs.getObject(1, UUID.class))
			.list()
			.forEach(customer -> {
				recorded.add(customer);
				Outcome o = byCustomer.get(customer);
				deltas.merge(o.previous().name(), -1L, Long::sum);
				deltas.merge(o.counter(), 1L, Long::sum);
			});
		add(campaign, deltas, shard);
		return recorded;
	}

	/**
	 * The counters of a campaign whose recipients are walked from its snapshot rather than listed
	 * first: {@code members} recipients, all of them PLANNED until a chunk decides them.
	 */
	void expect(CampaignId campaign, long members) {
		clearCounters(campaign);
		add(campaign, Map.of(TOTAL, members, Status.PLANNED.name(), members), 0);
	}

	/** Drops the recipients' counters (delivery's, {@code delivery:*}, stay). */
	private void clearCounters(CampaignId campaign) {
		jdbc.sql("DELETE FROM campaigns_counters WHERE campaign_id = ? AND name NOT LIKE 'delivery:%'")
			.param(campaign.value())
			.update();
	}

	/** Which customers from {@code first} to {@code last} (in customer order) have a row already. */
	Set<CustomerId> listedBetween(CampaignId campaign, CustomerId first, CustomerId last) {
		return new HashSet<>(jdbc.sql("""
				SELECT customer_id FROM campaigns_recipients
				 WHERE campaign_id = ? AND customer_id >= ? AND customer_id <= ?""")
			.params(campaign.value(), first.value(), last.value())
			.query((rs, n) -> new CustomerId(rs.getObject(1, UUID.class)))
			.list());
	}

	/** Lists the customers as SKIPPED for {@code reason}, those not listed yet; how many. (The caller recounts.) */
	int skipUnlisted(CampaignId campaign, List<CustomerId> customers, String reason, Instant now) {
		if (customers.isEmpty()) {
			return 0;
		}
		return jdbc.sql("""
				INSERT INTO campaigns_recipients (campaign_id, customer_id, status, reason, planned_at, decided_at)
				SELECT ?, u.c, 'SKIPPED', ?, ?, ? FROM unnest(CAST(? AS uuid[])) AS u(c)
				ON CONFLICT (campaign_id, customer_id) DO NOTHING""")
			.params(campaign.value(), reason, ts(now), ts(now), ids(customers))
			.update();
	}

	/**
	 * Skips every listed recipient still planned, held or deferred (the campaign ended); how many. (The
	 * caller recounts: {@link RecipientWalks#skipRemaining} lists the rest of a walk first.)
	 */
	int skipListed(CampaignId campaign, String reason, Instant now) {
		return jdbc.sql("""
				UPDATE campaigns_recipients SET status = 'SKIPPED', reason = ?, defer_until = NULL, decided_at = ?
				 WHERE campaign_id = ? AND status IN ('PLANNED', 'HELD', 'DEFERRED')""")
			.params(reason, ts(now), campaign.value())
			.update();
	}

	/** When the earliest deferred recipient is due, if any is deferred. */
	Optional<Instant> nextWakeUp(CampaignId campaign) {
		return nextWakeUp(List.of(campaign));
	}

	/** When the earliest deferred recipient of any of these campaigns is due, if any is deferred. */
	Optional<Instant> nextWakeUp(Collection<CampaignId> campaigns) {
		return jdbc.sql("""
				SELECT min(defer_until) FROM campaigns_recipients
				 WHERE campaign_id = ANY(CAST(? AS uuid[])) AND status = 'DEFERRED'""")
			.param(uuids(campaigns))
			.query((rs, n) -> Optional.ofNullable(Campaigns.instant(rs, "min")))
			.single();
	}

	List<Row> page(CampaignId campaign, @Nullable Status status, @Nullable CustomerId after, int limit) {
		return jdbc.sql("""
				SELECT * FROM campaigns_recipients
				 WHERE campaign_id = :campaign AND (CAST(:status AS text) IS NULL OR status = :status)
				   AND (CAST(:after AS uuid) IS NULL OR customer_id > :after)
				 ORDER BY customer_id LIMIT :limit""")
			.param("campaign", campaign.value())
			.param("status", status == null ? null : status.name())
			.param("after", after == null ? null : after.value())
			.param("limit", limit)
			.query(Recipients::map)
			.list();
	}

	/** Adds to counters (a shard of each; readers sum the shards). */
	void add(CampaignId campaign, Map<String, Long> deltas, int shard) {
		List<Map.Entry<String, Long>> changes = deltas.entrySet().stream().filter(e -> e.getValue() != 0).sorted(Map.Entry.comparingByKey()).toList();
		if (changes.isEmpty()) {
			return;
		}
		jdbc.sql("""
				INSERT INTO campaigns_counters (campaign_id, name, shard, n)
				SELECT ?, u.name, ?, u.n FROM unnest(CAST(? AS text[]), CAST(? AS bigint[])) AS u(name, n)
				ON CONFLICT (campaign_id, name, shard) DO UPDATE SET n = campaigns_counters.n + excluded.n""")
			.params(campaign.value(), (short) Math.floorMod(shard, SHARDS),
					changes.stream().map(Map.Entry::getKey).toArray(String[]::new),
					changes.stream().mapToLong(Map.Entry::getValue).toArray())
			.update();
	}

	/** Every counter of the campaign, shards summed. */
	Map<String, Long> counters(CampaignId campaign) {
		return counters(List.of(campaign));
	}

	/** Every counter of these campaigns, added up (a recurring campaign's runs). */
	Map<String, Long> counters(Collection<CampaignId> campaigns) {
		Map<String, Long> counters = new HashMap<>();
		jdbc.sql("SELECT name, sum(n) FROM campaigns_counters WHERE campaign_id = ANY(CAST(? AS uuid[])) GROUP BY name")
			.param(uuids(campaigns))
			.query(rs -> {
				counters.put(rs.getString(1), rs.getLong(2));
			});
		return counters;
	}

	private static Row map(ResultSet rs, int n) throws SQLException {
		return new Row(new CustomerId(rs.getObject("customer_id", UUID.class)), Status.valueOf(rs.getString("status")),
				rs.getString("reason"), Campaigns.instant(rs, "defer_until"), rs.getObject("delivery_id", UUID.class),
				rs.getString("coupon_code"), rs.getTimestamp("planned_at").toInstant(), Campaigns.instant(rs, "decided_at"),
				rs.getString("variant"));
	}

	private static UUID[] uuids(Collection<CampaignId> campaigns) {
		return campaigns.stream().map(CampaignId::value).toArray(UUID[]::new);
	}

	private static String[] ids(List<CustomerId> customers) {
		return customers.stream().map(CustomerId::toString).toArray(String[]::new);
	}
}
