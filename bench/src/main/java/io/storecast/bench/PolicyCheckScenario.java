package io.storecast.bench;

import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;

import tools.jackson.databind.JsonNode;

/**
 * {@code policy-check}: a million customers ({@link AudienceData}; a tenth of them already had 3
 * marketing messages this month, another tenth 2), all of them snapshotted as one campaign's send
 * list, then decided by the contact policy in one request ({@code POST /api/v1/audience/policy/decisions}
 * with the snapshot id): the server reads the members in chunks and decides each chunk in one
 * transaction (consent, suppression, quiet hours, a cap slot taken atomically, every decision
 * recorded). Decisions/s is the million over that request's duration, so it is the in-process
 * {@code decideAll} path campaigns use, not one HTTP call per recipient. A second campaign over the
 * same list follows, to show the cap biting. Afterwards the database is checked: no customer has
 * more sends in the window than the cap. Scale: {@code -Dbench.audience.customers} (1000000).
 */
final class PolicyCheckScenario implements Scenario {

	static final String NAME = "policy-check";
	static final double TARGET_PER_S = 50_000;

	@Override
	public String name() {
		return NAME;
	}

	@Override
	public boolean run(Results results) throws Exception {
		int customers = Integer.getInteger("bench.audience.customers", 1_000_000);
		boolean ok = true;
		try (AudienceData data = AudienceData.start(NAME, customers)) {
			results.emit(NAME, "generate_seconds", data.generate(), "s");
			String segment = data.ok(data.call("POST", "/api/v1/audience/segments", Map.of("name", "everyone", "condition",
					Map.of("all", List.of()))), "creating the segment").path("id").asString();
			long started = System.nanoTime();
			JsonNode snapshot = data.ok(data.call("POST", "/api/v1/audience/segments/" + segment + "/snapshots",
					Map.of("key", "bench-campaign")), "snapshotting");
			results.emit(NAME, "snapshot_seconds", (System.nanoTime() - started) / 1e9, "s");
			results.emit(NAME, "snapshot_members", snapshot.path("memberCount").asLong(), "customers");
			// tomorrow 11:00 in Shanghai: inside the default send window
			String at = ZonedDateTime.of(LocalDate.now(ZoneId.of("Asia/Shanghai")).plusDays(1), LocalTime.of(11, 0),
					ZoneId.of("Asia/Shanghai")).toInstant().toString();
			for (String campaign : List.of("first", "second")) {
				ServerProcess server = data.fixture.server;
				long cpuServer = -server.cpuNanos();
				long cpuPg = -server.postgresCpuNanos();
				started = System.nanoTime();
				JsonNode summary = data.ok(data.call("POST", "/api/v1/audience/policy/decisions", Map.of("snapshotId",
						snapshot.path("id").asString(), "channel", "IN_APP", "purpose", "MARKETING", "at", at, "campaignKey",
						"bench-" + campaign)), "deciding");
				double seconds = (System.nanoTime() - started) / 1e9;
				cpuServer += server.cpuNanos();
				cpuPg += server.postgresCpuNanos();
				long decided = summary.path("decided").asLong();
				// CPU per decision is the steadier figure when other work shares the two cores
				results.emit(NAME, campaign + "_server_cpu_per_decision", cpuServer / 1e3 / Math.max(1, decided), "us");
				results.emit(NAME, campaign + "_postgres_cpu_per_decision", cpuPg / 1e3 / Math.max(1, decided), "us");
				results.emit(NAME, campaign + "_decisions_per_s", decided / seconds, "decisions/s");
				results.emit(NAME, campaign + "_seconds", seconds, "s");
				results.emit(NAME, campaign + "_send_now", summary.path("sendNow").asLong(), "decisions");
				results.emit(NAME, campaign + "_dropped_frequency_cap", summary.path("reasons").path("frequency-cap").asLong(0),
						"decisions");
				results.emit(NAME, campaign + "_dropped_consent", summary.path("reasons").path("consent-withdrawn").asLong(0),
						"decisions");
				Bench.progress("%s: %s campaign: %,d decisions in %.1f s (%,.0f/s): %s", NAME, campaign, decided, seconds,
						decided / seconds, summary.path("reasons"));
				ok &= decided == snapshot.path("memberCount").asLong();
				if (decided / seconds < TARGET_PER_S) {
					Bench.progress("%s: below the target of %,.0f decisions/s", NAME, TARGET_PER_S);
				}
			}
			long overCap = data.count("""
					SELECT count(*) FROM audience_frequency f
					 WHERE (SELECT count(*) FROM unnest(f.sends) s WHERE s > now() - interval '30 days') > 3""");
			results.emit(NAME, "customers_over_cap", overCap, "customers");
			long recorded = data.count("SELECT coalesce(sum(cardinality(customers)), 0) FROM audience_decisions");
			results.emit(NAME, "decisions_recorded", recorded, "decisions");
			ok &= overCap == 0 && recorded == 2L * snapshot.path("memberCount").asLong();
		}
		return ok;
	}
}
