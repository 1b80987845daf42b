package io.storecast.campaigns;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
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

/**
 * A cascade's source reaches customers only through the stores' forwards: a campaign a staff notice
 * announced is not sent, scheduled or made recurring itself, and a campaign sent or scheduled already
 * is not announced. Either refusal changes nothing.
 */
@StorecastIntegrationTest
class CascadeSourceIntegrationTest {

	@LocalServerPort
	int port;

	@Autowired
	JdbcClient jdbc;

	DemoFixture demo;

	@BeforeEach
	void setUp() {
		demo = new DemoFixture(port);
	}

	long count(String sql, Object... params) {
		return jdbc.sql(sql).params(params).query(Long.class).single();
	}

	long tasksOf(String id) {
		return count("SELECT count(*) FROM scheduled_tasks WHERE task_instance LIKE ?", id + "%");
	}

	Map<String, Object> notice(String campaignId) {
		return Map.of("campaignId", campaignId, "audience",
				Map.of("nodes", List.of(demo.node("EAST")), "roles", List.of("STORE_MANAGER")), "sendAt",
				Instant.now().plus(Duration.ofHours(1)).toString());
	}

	@Test
	void an_announced_campaign_is_not_sent_directly_and_a_sent_one_is_not_announced() {
		Api hq = demo.staff("hq.marketer");
		String source = CascadeIntegrationTest.campaign(demo, hq);
		String notice = hq.post("/api/v1/staff-notices", notice(source)).expect(201).string("id");

		// not now, not at a time, not by a rule: forward it per store instead
		String send = "/api/v1/campaigns/" + source + "/send";
		assertThat(hq.post(send, Map.of()).expectProblem(409, "cascade-source").json().path("detail").asString())
			.contains("/forwards");
		hq.post(send, Map.of("at", Instant.now().plus(Duration.ofHours(2)).toString())).expectProblem(409, "cascade-source");
		hq.post(send, Map.of("recurrence", Map.of("cron", "0 0 10 * * MON"))).expectProblem(409, "cascade-source");
		demo.owner.post(send, Map.of()).expectProblem(409, "cascade-source");
		assertThat(hq.get("/api/v1/campaigns/" + source).expect(200).json().path("status").asString()).isEqualTo("DRAFT");
		assertThat(tasksOf(source)).isZero();
		assertThat(count("SELECT count(*) FROM campaigns_recipients WHERE campaign_id = CAST(? AS uuid)", source)).isZero();
		assertThat(count("SELECT count(*) FROM campaigns_recurrences WHERE campaign_id = CAST(? AS uuid)", source)).isZero();
		// a second notice announcing it is still fine (it is a draft)
		String again = hq.post("/api/v1/staff-notices", notice(source)).expect(201).string("id");

		// the other way round: a campaign scheduled (or sent, or cancelled once scheduled) is not announced
		String direct = CascadeIntegrationTest.campaign(demo, hq);
		hq.post("/api/v1/campaigns/" + direct + "/send", Map.of("at", Instant.now().plus(Duration.ofHours(2)).toString()))
			.expect(202);
		long notices = count("SELECT count(*) FROM campaigns_staff_notices");
		long noticeTasks = count("SELECT count(*) FROM scheduled_tasks WHERE task_name = 'campaigns-staff-notice'");
		assertThat(hq.post("/api/v1/staff-notices", notice(direct)).expectProblem(409, "campaign-sent-directly").json()
			.path("detail").asString()).contains("SCHEDULED");
		hq.post("/api/v1/campaigns/" + direct + "/cancel", Map.of()).expect(200);
		hq.post("/api/v1/staff-notices", notice(direct)).expectProblem(409, "campaign-sent-directly");
		assertThat(count("SELECT count(*) FROM campaigns_staff_notices")).isEqualTo(notices);
		assertThat(count("SELECT count(*) FROM scheduled_tasks WHERE task_name = 'campaigns-staff-notice'")).isEqualTo(noticeTasks);
		assertThat(count("SELECT count(*) FROM campaigns_staff_notices WHERE campaign_id = CAST(? AS uuid)", direct)).isZero();

		hq.post("/api/v1/staff-notices/" + notice + "/close", Map.of()).expect(200);
		hq.post("/api/v1/staff-notices/" + again + "/close", Map.of()).expect(200);
	}
}
