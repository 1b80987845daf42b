package io.storecast.campaigns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;

import io.storecast.support.Api;
import io.storecast.support.DemoFixture;
import io.storecast.support.StorecastIntegrationTest;
import tools.jackson.databind.JsonNode;

/**
 * A recurring campaign adds up its runs: its progress is theirs summed, its results (every grouping,
 * JSON and CSV) are theirs added up, with a row per run by RUN; a run's own results stay its own.
 */
@StorecastIntegrationTest
class RecurringRollUpIntegrationTest {

	static final List<String> FIGURES = List.of("recipients", "sent", "delivered", "read", "failed", "clicked",
			"replied", "forwarded", "unsubscribed", "claimed", "redeemed", "orders", "revenueFen", "couponCostFen");

	@LocalServerPort
	int port;

	@Autowired
	JdbcClient jdbc;

	DemoFixture demo;

	@BeforeEach
	void setUp() {
		demo = new DemoFixture(port);
	}

	JsonNode results(Api api, String id, String by) {
		return api.get("/api/v1/campaigns/" + id + "/results?by=" + by).expect(200).json();
	}

	static Map<String, Long> sum(List<JsonNode> figures) {
		Map<String, Long> sum = new HashMap<>();
		for (JsonNode f : figures) {
			FIGURES.forEach(k -> sum.merge(k, f.path(k).asLong(), Long::sum));
		}
		return sum;
	}

	@Test
	void a_recurring_campaign_shows_its_runs_and_adds_up_their_progress_and_results() {
		Api owner = demo.owner;
		String id = owner.post("/api/v1/campaigns", RecurringCampaignsIntegrationTest.campaign(demo, "GZ-TH"))
			.expect(201).string("id");
		JsonNode started = owner.post("/api/v1/campaigns/" + id + "/send",
				Map.of("recurrence", Map.of("cron", "0 0 10 * * MON", "zone", "Asia/Shanghai"))).expect(202).json();
		assertThat(started.path("recurrence").path("lastRun").isNull()).isTrue();
		assertThat(started.path("progress").path("recipients").asLong()).isZero();
		// before any run: nothing, by RUN too
		assertThat(results(owner, id, "RUN").path("rows")).isEmpty();

		RecurringCampaignsIntegrationTest.due(jdbc, id, 1);
		RecurringCampaignsIntegrationTest.awaitRuns(owner, id, 1);
		RecurringCampaignsIntegrationTest.due(jdbc, id, 2);
		JsonNode parent = RecurringCampaignsIntegrationTest.awaitRuns(owner, id, 2);

		// the runs: how many, the last one and the next one's time
		JsonNode recurrence = parent.path("recurrence");
		JsonNode last = recurrence.path("lastRun");
		assertThat(last.path("run").asInt()).isEqualTo(2);
		assertThat(last.path("campaignId").asString()).isEqualTo(recurrence.path("runs").get(0).path("campaignId").asString());
		assertThat(last.path("status").asString()).isEqualTo("SENT");
		assertThat(last.path("startedAt").asString()).isNotEmpty();
		assertThat(Instant.parse(recurrence.path("nextRunAt").asString())).isAfter(Instant.parse(last.path("dueAt").asString()));
		List<String> runs = new ArrayList<>();
		List<Instant> dues = new ArrayList<>();
		for (JsonNode run : recurrence.path("runs")) {
			runs.add(0, run.path("campaignId").asString());
			dues.add(0, Instant.parse(run.path("dueAt").asString()));
		}

		// every message delivered (in-app), so the figures stand still while compared
		await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(300)).untilAsserted(() -> {
			for (String run : runs) {
				JsonNode p = owner.get("/api/v1/campaigns/" + run).expect(200).json().path("progress");
				assertThat(p.path("recipients").asLong()).isPositive();
				assertThat(p.path("deliveries").path("DELIVERED").asLong()).isEqualTo(p.path("recipients").asLong());
			}
		});

		// progress: the runs' added up
		JsonNode progress = owner.get("/api/v1/campaigns/" + id).expect(200).json().path("progress");
		long recipients = 0;
		long handedOff = 0;
		long delivered = 0;
		for (String run : runs) {
			JsonNode p = owner.get("/api/v1/campaigns/" + run).expect(200).json().path("progress");
			recipients += p.path("recipients").asLong();
			handedOff += p.path("handedOff").asLong();
			delivered += p.path("deliveries").path("DELIVERED").asLong();
		}
		assertThat(progress.path("recipients").asLong()).isEqualTo(recipients).isPositive();
		assertThat(progress.path("handedOff").asLong()).isEqualTo(handedOff);
		assertThat(progress.path("deliveries").path("DELIVERED").asLong()).isEqualTo(delivered);
		assertThat(progress.path("planned").asLong()).isZero();

		// results: every grouping adds up the runs' own, which stay as they are
		List<JsonNode> runTotals = new ArrayList<>();
		for (String run : runs) {
			JsonNode own = results(owner, run, "STORE");
			assertThat(own.path("runs").asInt()).isZero();
			runTotals.add(own.path("totals"));
		}
		Map<String, Long> expected = sum(runTotals);
		assertThat(expected.get("recipients")).isEqualTo(recipients);
		for (String by : List.of("STORE", "CHANNEL", "HOUR", "EMPLOYEE", "VARIANT", "RUN")) {
			JsonNode view = results(owner, id, by);
			assertThat(view.path("runs").asInt()).as(by).isEqualTo(2);
			assertThat(sum(List.of(view.path("totals")))).as(by).isEqualTo(expected);
			List<JsonNode> rows = new ArrayList<>();
			view.path("rows").forEach(r -> rows.add(r.path("figures")));
			assertThat(sum(rows)).as(by).isEqualTo(expected);
		}

		// by RUN: a row per run, in the order they ran, labelled with its time as the merchant reads it
		JsonNode byRun = results(owner, id, "RUN");
		assertThat(byRun.path("rows").findValuesAsString("key")).containsExactlyElementsOf(runs);
		ZoneId shanghai = ZoneId.of("Asia/Shanghai");
		for (int i = 0; i < 2; i++) {
			JsonNode row = byRun.path("rows").get(i);
			assertThat(row.path("label").asString()).isEqualTo(dues.get(i).atZone(shanghai).toOffsetDateTime().toString());
			assertThat(sum(List.of(row.path("figures")))).isEqualTo(sum(List.of(runTotals.get(i))));
		}
		Api.Response csv = owner.get("/api/v1/campaigns/" + id + "/results?by=RUN&format=csv").expect(200);
		assertThat(csv.header("Content-Disposition")).contains("results-by-run.csv");
		String[] lines = csv.raw().body().split("\r\n");
		assertThat(lines).hasSize(4);
		assertThat(lines[0]).startsWith("\uFEFFrun,label,recipients,");
		assertThat(lines[1]).startsWith(runs.get(0) + ",");
		assertThat(lines[3]).startsWith("total,合计 Total," + recipients + ",");

		// a run is not a recurring campaign: by RUN is refused for it, naming the field
		assertThat(owner.get("/api/v1/campaigns/" + runs.get(0) + "/results?by=RUN").expectProblem(400, "validation-failed")
			.errorFields()).containsExactly("by");
		owner.post("/api/v1/campaigns/" + id + "/cancel", Map.of()).expect(200);
	}
}
