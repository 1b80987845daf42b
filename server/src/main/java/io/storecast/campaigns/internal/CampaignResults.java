package io.storecast.campaigns.internal;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Service;

import io.storecast.campaigns.CampaignId;
import io.storecast.identity.Actor;
import io.storecast.identity.OrgDirectory;
import io.storecast.identity.OrgNodeId;
import io.storecast.platform.ApiException;

/**
 * A campaign's results — its own messages and those of its forwards — per store, channel, hour,
 * forwarding employee or variant, with rates and the return on the coupons' cost; as JSON or CSV.
 * Read with the campaign's own permission: whoever may read the campaign may read its results.
 */
@Service
class CampaignResults {

	enum By {
		STORE(Results.Key.STORE), CHANNEL(Results.Key.CHANNEL), HOUR(Results.Key.HOUR), EMPLOYEE(Results.Key.EMPLOYEE),
		VARIANT(Results.Key.VARIANT),
		/** A recurring campaign's runs, each its own campaign: a row per run. */
		RUN(Results.Key.CAMPAIGN);

		final Results.Key key;

		By(Results.Key key) {
			this.key = key;
		}
	}

	/**
	 * One group's figures: counts (money in fen), and rates rounded to 4 places, null where their
	 * base is 0: {@code readRate} = read / delivered, {@code clickRate} = clicked / delivered,
	 * {@code redemptionRate} = redeemed / claimed, {@code roi} = (revenue − coupon cost) / coupon cost.
	 */
	record Figures(long recipients, long sent, long delivered, long read, long failed, long clicked, long replied,
			long forwarded, long unsubscribed, long claimed, long redeemed, long orders, long revenueFen,
			long couponCostFen, @Nullable Double readRate, @Nullable Double clickRate, @Nullable Double redemptionRate,
			@Nullable Double roi) {

		static Figures of(Results.Counts c) {
			return new Figures(c.recipients(), c.sent(), c.delivered(), c.read(), c.failed(), c.clicked(), c.replied(),
					c.forwarded(), c.unsubscribed(), c.claimed(), c.redeemed(), c.orders(), c.revenueFen(),
					c.couponCostFen(), rate(c.read(), c.delivered()), rate(c.clicked(), c.delivered()),
					rate(c.redeemed(), c.claimed()), CampaignResults.roi(c.revenueFen(), c.couponCostFen()));
		}
	}

	/**
	 * @param key the store or staff id, channel, hour (the first instant of the merchant's hour, ISO,
	 * UTC) or variant; null for what has none
	 */
	record Row(@Nullable String key, @Nullable String label, Figures figures) {
	}

	/**
	 * @param forwards the campaign's forwards, whose results are included
	 * @param runs a recurring campaign's runs, whose results are included
	 * @param attributionWindow how long after its claim a coupon's redemption counts
	 */
	record ResultsView(CampaignId campaignId, String name, By by, int forwards, int runs, Duration attributionWindow,
			Figures totals, List<Row> rows) {
	}

	private static final List<String> COLUMNS = List.of("recipients", "sent", "delivered", "read", "failed", "clicked",
			"replied", "forwarded", "unsubscribed", "claimed", "redeemed", "orders", "revenueFen", "couponCostFen",
			"readRate", "clickRate", "redemptionRate", "roi");

	private final CampaignManagement campaigns;
	private final CampaignRecurrence recurrence;
	private final Forwards forwards;
	private final Results results;
	private final OrgDirectory org;
	private final ResultsSettings settings;

	CampaignResults(CampaignManagement campaigns, CampaignRecurrence recurrence, Forwards forwards, Results results,
			OrgDirectory org, ResultsSettings settings) {
		this.campaigns = campaigns;
		this.recurrence = recurrence;
		this.forwards = forwards;
		this.results = results;
		this.org = org;
		this.settings = settings;
	}

	ResultsView results(Actor actor, CampaignId id, @Nullable By by) {
		Campaign c = campaigns.readable(actor, id);
		By group = by == null ? By.STORE : by;
		List<Forwards.Forward> all = forwards.bySource(id);
		// a recurring campaign sends nothing itself: its runs (child campaigns) carry its results
		List<Recurrences.Run> runs = recurrence.runs(id);
		if (group == By.RUN && !recurrence.recurs(id)) {
			throw ApiException.badRequest("validation-failed", "by",
					"by=RUN groups a recurring campaign's runs; this campaign does not recur");
		}
		List<CampaignId> ids = new ArrayList<>(all.size() + runs.size() + 1);
		ids.add(id);
		all.forEach(f -> ids.add(f.childId()));
		Map<String, Instant> due = new HashMap<>();
		runs.forEach(r -> {
			ids.add(r.childId());
			due.put(r.childId().toString(), r.dueAt());
		});
		Map<String, String> employees = new HashMap<>();
		all.forEach(f -> employees.put(f.forwardedBy().toString(), f.forwardedByName()));
		Results.Counts totals = Results.Counts.NONE;
		List<Row> rows = new ArrayList<>();
		ZoneId zone = org.headOffice().timeZone();
		for (var e : results.counts(ids, group.key, zone).entrySet()) {
			totals = totals.plus(e.getValue());
			rows.add(new Row(e.getKey(), label(group, e.getKey(), employees, due, zone), Figures.of(e.getValue())));
		}
		if (group == By.RUN) {
			rows.sort(Comparator.comparing(r -> r.key() == null ? Instant.MAX : due.getOrDefault(r.key(), Instant.MAX)));
		}
		else if (group != By.HOUR) {
			rows.sort(Comparator.comparing(Row::label, Comparator.nullsLast(Comparator.naturalOrder())));
		}
		return new ResultsView(id, c.name(), group, all.size(), runs.size(), settings.attributionWindow(),
				Figures.of(totals), rows);
	}

	private @Nullable String label(By by, @Nullable String key, Map<String, String> employees, Map<String, Instant> due,
			ZoneId zone) {
		if (key == null) {
			return null;
		}
		return switch (by) {
			case STORE -> org.find(OrgNodeId.valueOf(key)).map(n -> n.name()).orElse(key);
			case EMPLOYEE -> employees.getOrDefault(key, key);
			// the hour as the merchant reads it: 2026-09-10T10:00+08:00
			case HOUR -> merchantTime(Instant.parse(key), zone);
			// the run's occurrence of the rule, as the merchant reads it
			case RUN -> due.containsKey(key) ? merchantTime(due.get(key), zone) : key;
			default -> key;
		};
	}

	private static String merchantTime(Instant at, ZoneId zone) {
		return at.atZone(zone).toOffsetDateTime().toString();
	}

	/** The view as CSV (RFC 4180), UTF-8 with a byte order mark so that Excel reads the Chinese names. */
	static String csv(ResultsView view) {
		StringBuilder out = Csv.document();
		out.append(view.by().name().toLowerCase(java.util.Locale.ROOT)).append(",label,").append(String.join(",", COLUMNS))
			.append("\r\n");
		for (Row row : view.rows()) {
			line(out, row.key(), row.label(), row.figures());
		}
		line(out, "total", Csv.TOTAL, view.totals());
		return out.toString();
	}

	private static void line(StringBuilder out, @Nullable String key, @Nullable String label, Figures f) {
		out.append(Csv.cell(key)).append(',').append(Csv.cell(label));
		Object[] values = { f.recipients(), f.sent(), f.delivered(), f.read(), f.failed(), f.clicked(), f.replied(),
				f.forwarded(), f.unsubscribed(), f.claimed(), f.redeemed(), f.orders(), f.revenueFen(), f.couponCostFen(),
				f.readRate(), f.clickRate(), f.redemptionRate(), f.roi() };
		for (Object v : values) {
			out.append(',').append(v == null ? "" : v.toString());
		}
		out.append("\r\n");
	}

	static @Nullable Double rate(long part, long base) {
		return base == 0 ? null : Math.round(part * 10_000.0 / base) / 10_000.0;
	}

	static @Nullable Double roi(long revenueFen, long costFen) {
		return costFen == 0 ? null : Math.round((revenueFen - costFen) * 10_000.0 / costFen) / 10_000.0;
	}
}
