package io.storecast.campaigns.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;

import io.storecast.campaigns.CampaignId;
import io.storecast.support.Api;
import io.storecast.support.DemoFixture;
import io.storecast.support.StorecastIntegrationTest;
import tools.jackson.databind.JsonNode;

/**
 * A send stopped in the middle — a chunk fails after its deliveries were queued but before it
 * committed, as a crash would leave it — resumes where it stopped: every recipient ends with exactly
 * one delivery, none lost, none twice; so does an A/B campaign's rest, released by the winner and
 * stopped mid-way — every recipient once, the rest all the winner's variant; and runs of one campaign
 * at the same time (a resume while db-scheduler retries) hand off every recipient once between them.
 */
@StorecastIntegrationTest
class CampaignResumeIntegrationTest {

	static final int CHUNK = 10;
	static final int CHUNKS_BEFORE_CRASH = 3;

	@LocalServerPort
	int port;

	@Autowired
	JdbcClient jdbc;

	@Autowired
	CampaignSending sending;

	@Autowired
	CampaignScheduling scheduling;

	@Autowired
	Recipients recipientRows;

	@Autowired
	CampaignSettings settings;

	@Autowired
	io.storecast.audience.Segments segments;

	@AfterEach
	void restore() {
		sending.chunkSize(0);
		sending.failAfterChunks(-1);
		sending.beforeRecord(null);
	}

	@Test
	void a_send_interrupted_mid_way_resumes_with_exactly_one_delivery_per_recipient() {
		DemoFixture demo = new DemoFixture(port);
		Api owner = demo.owner;
		String id = create(demo, "断点续发", Map.of());
		// the run stops after 3 committed chunks; the 4th, whose deliveries were queued, rolled back
		sendStoppedAfterChunks(owner, id);
		JsonNode stopped = owner.get("/api/v1/campaigns/" + id).expect(200).json();
		assertThat(stopped.path("status").asString()).isEqualTo("SENDING");
		long recipients = stopped.path("progress").path("recipients").asLong();
		assertThat(recipients).isGreaterThan((CHUNKS_BEFORE_CRASH + 1) * CHUNK);
		assertThat(stopped.path("progress").path("handedOff").asLong()).isEqualTo(CHUNKS_BEFORE_CRASH * CHUNK);
		assertThat(deliveries(id)).isEqualTo(CHUNKS_BEFORE_CRASH * CHUNK);

		// what a restart does: campaigns left SENDING are run again (db-scheduler's own retry may join in)
		JsonNode sent = resumedUntilSent(owner, id, recipients);
		assertThat(deliveries(id)).isEqualTo(recipients);
		awaitWithDeliveryRows(id, "m.id = r.delivery_id AND r.status = 'HANDED_OFF'", recipients);
		// and the retry db-scheduler had queued for the failed run finds nothing left to do
		assertThat(deliveries(id)).isEqualTo(recipients);
	}

	@Test
	void the_rest_sent_after_the_winner_resumes_after_a_crash_with_one_delivery_per_recipient() {
		DemoFixture demo = new DemoFixture(port);
		Api owner = demo.owner;
		String id = create(demo, "A/B 断点续发", Map.of("abTest", Map.of("variants",
				List.of(Map.of("key", "A", "templates", Map.of("IN_APP", Map.of("zh-CN", "A版 欢迎"))),
						Map.of("key", "B", "templates", Map.of("IN_APP", Map.of("zh-CN", "B版 欢迎")))),
				"split", List.of(50, 50), "testFraction", 0.3, "metric", "CLICK_RATE")));
		owner.post("/api/v1/campaigns/" + id + "/send", Map.of()).expect(202);
		await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
				owner.get("/api/v1/campaigns/" + id + "/ab").expect(200).string("status")).isEqualTo("TESTING"));
		long held = owner.get("/api/v1/campaigns/" + id).expect(200).json().path("progress").path("held").asLong();
		assertThat(held).isGreaterThan(20);

		// the rest's send stops after one committed chunk; the second, whose deliveries were queued, rolls back
		sending.chunkSize(10);
		sending.failAfterChunks(1);
		owner.post("/api/v1/campaigns/" + id + "/ab/winner", Map.of("variant", "B")).expect(200);
		await().atMost(Duration.ofSeconds(20)).until(() -> jdbc
			.sql("SELECT count(*) FROM scheduled_tasks WHERE task_name = ? AND task_instance LIKE ? AND last_failure IS NOT NULL")
			.params(CampaignScheduling.TASK, id + "@%")
			.query(Long.class)
			.single() > 0);
		JsonNode stopped = owner.get("/api/v1/campaigns/" + id).expect(200).json().path("progress");
		long recipients = stopped.path("recipients").asLong();
		assertThat(stopped.path("planned").asLong()).isEqualTo(held - 10);
		assertThat(deliveries(id)).isEqualTo(recipients - held + 10);

		assertThat(scheduling.resumeInterrupted()).isGreaterThanOrEqualTo(1);
		await().atMost(Duration.ofSeconds(40)).untilAsserted(
				() -> assertThat(owner.get("/api/v1/campaigns/" + id).expect(200).string("status")).isEqualTo("SENT"));
		assertThat(owner.get("/api/v1/campaigns/" + id).expect(200).json().path("progress").path("handedOff").asLong())
			.isEqualTo(recipients);
		assertThat(deliveries(id)).isEqualTo(recipients);
		awaitWithDeliveryRows(id, "r.rest AND r.variant = 'B' AND m.content->>'text' = 'B版 欢迎'", held);
		assertThat(owner.get("/api/v1/campaigns/" + id + "/ab").expect(200).string("status")).isEqualTo("SENT_TO_REST");
	}

	@Test
	void a_send_to_a_segment_lists_each_recipient_as_it_is_decided_and_resumes_after_a_crash_with_one_delivery_each() {
		DemoFixture demo = new DemoFixture(port);
		Api owner = demo.owner;
		Map<String, Object> audience = everyone(demo, "断点续发");
		String segment = (String) audience.get("segmentId");
		String id = create(demo, "分群断点续发", Map.of("audience", audience));
		sendStoppedAfterChunks(owner, id);

		// rounds of two chunks: the first round committed and the walk moved past it; of the second, one
		// chunk committed and the other rolled back, so the walk's position stayed where it was
		JsonNode stopped = owner.get("/api/v1/campaigns/" + id).expect(200).json().path("progress");
		long recipients = stopped.path("recipients").asLong();
		assertThat(recipients).isGreaterThan((CHUNKS_BEFORE_CRASH + 1) * CHUNK);
		assertThat(stopped.path("handedOff").asLong()).isEqualTo(CHUNKS_BEFORE_CRASH * CHUNK);
		assertThat(stopped.path("planned").asLong()).isEqualTo(recipients - CHUNKS_BEFORE_CRASH * CHUNK);
		// nobody is listed before they are decided
		assertThat(rows(id)).isEqualTo(CHUNKS_BEFORE_CRASH * CHUNK);
		assertThat(deliveries(id)).isEqualTo(CHUNKS_BEFORE_CRASH * CHUNK);
		// the snapshot being walked is held: its segment cannot be deleted from under the send
		owner.delete("/api/v1/audience/segments/" + segment).expectProblem(409, "segment-in-use");

		// the resumed run starts after the first round; the chunk that had committed finds its members listed
		JsonNode sent = resumedUntilSent(owner, id, recipients);
		assertThat(sent.path("planned").asLong()).isZero();
		assertThat(rows(id)).isEqualTo(recipients);
		assertThat(deliveries(id)).isEqualTo(recipients);
		awaitWithDeliveryRows(id,
				"m.id = r.delivery_id AND r.status = 'HANDED_OFF' AND r.handed_off_at IS NOT NULL AND r.channel = 'IN_APP'",
				recipients);
		// every member listed, the snapshot is let go
		owner.delete("/api/v1/audience/segments/" + segment).expect(204);
	}

	@Test
	void a_send_to_a_segment_cancelled_mid_walk_lists_the_members_it_had_not_reached_as_skipped() {
		DemoFixture demo = new DemoFixture(port);
		Api owner = demo.owner;
		Map<String, Object> audience = everyone(demo, "中途取消");
		String segment = (String) audience.get("segmentId");
		String id = create(demo, "分群中途取消", Map.of("audience", audience));
		// a snapshot taken over REST under the campaign's key before the send: the send takes it, and holds it
		owner.post("/api/v1/audience/segments/" + segment + "/snapshots", Map.of("key", "campaign:" + id)).expect(201);
		sendStoppedAfterChunks(owner, id);
		owner.delete("/api/v1/audience/segments/" + segment).expectProblem(409, "segment-in-use");
		long recipients = owner.get("/api/v1/campaigns/" + id).expect(200).json().path("progress").path("recipients").asLong();
		long reached = CHUNKS_BEFORE_CRASH * CHUNK;

		JsonNode cancelled = owner.post("/api/v1/campaigns/" + id + "/cancel", Map.of()).expect(200).json();
		assertThat(cancelled.path("status").asString()).isEqualTo("CANCELLED");
		assertCutShort(cancelled.path("progress"), id, recipients, reached, "campaign-cancelled");
		assertThat(jdbc.sql("SELECT count(*) FROM campaigns_recipients WHERE campaign_id = ? AND status = 'SKIPPED' AND reason = 'campaign-cancelled'")
			.param(UUID.fromString(id))
			.query(Long.class)
			.single()).isEqualTo(recipients - reached);
		assertThat(owner.get("/api/v1/campaigns/" + id + "/recipients?status=SKIPPED&limit=200").expect(200).json()
			.path("items").size()).isEqualTo((int) Math.min(200, recipients - reached));
		// a run after the cancel (db-scheduler's retry of the failed one) sends nothing more
		sending.failAfterChunks(-1);
		sending.run(CampaignId.valueOf(id));
		assertThat(deliveries(id)).isEqualTo(reached);
		assertThat(owner.get("/api/v1/campaigns/" + id).expect(200).json().path("progress").path("handedOff").asLong())
			.isEqualTo(reached);
		owner.delete("/api/v1/audience/segments/" + segment).expect(204);
	}

	@Test
	void a_walk_cut_short_by_the_end_of_the_campaign_lists_the_members_it_had_not_reached_as_ended() {
		DemoFixture demo = new DemoFixture(port);
		Api owner = demo.owner;
		Map<String, Object> audience = everyone(demo, "窗口结束");
		String segment = (String) audience.get("segmentId");
		String id = create(demo, "分群窗口结束", Map.of("audience", audience));
		sendStoppedAfterChunks(owner, id);
		long recipients = owner.get("/api/v1/campaigns/" + id).expect(200).json().path("progress").path("recipients").asLong();
		long reached = CHUNKS_BEFORE_CRASH * CHUNK;

		// the campaign's window closes before the send resumes
		jdbc.sql("UPDATE campaigns_campaigns SET starts_at = ?, ends_at = ? WHERE id = ?")
			.params(java.sql.Timestamp.from(Instant.now().minus(Duration.ofDays(2))),
					java.sql.Timestamp.from(Instant.now().minusSeconds(1)), UUID.fromString(id))
			.update();
		sending.failAfterChunks(-1);
		// (should db-scheduler's retry of the stopped run be under way, this one looks again later and that one ends it)
		sending.run(CampaignId.valueOf(id));
		await().atMost(Duration.ofSeconds(40)).untilAsserted(
				() -> assertThat(owner.get("/api/v1/campaigns/" + id).expect(200).string("status")).isEqualTo("SENT"));

		JsonNode ended = owner.get("/api/v1/campaigns/" + id).expect(200).json();
		assertThat(ended.path("status").asString()).isEqualTo("SENT");
		assertThat(ended.path("statusReason").asString()).isEqualTo("campaign-ended");
		assertCutShort(ended.path("progress"), id, recipients, reached, "campaign-ended");
		owner.delete("/api/v1/audience/segments/" + segment).expect(204);
	}

	@Test
	void a_campaign_cancelled_before_its_walk_began_lets_go_of_the_snapshot_taken_under_its_key() {
		DemoFixture demo = new DemoFixture(port);
		Api owner = demo.owner;
		Map<String, Object> audience = everyone(demo, "快照后取消");
		String segment = (String) audience.get("segmentId");
		String id = create(demo, "快照后取消", Map.of("audience", audience));
		owner.post("/api/v1/campaigns/" + id + "/send", Map.of("at", Instant.now().plus(Duration.ofHours(1)).toString()))
			.expect(202);
		// what a send that stopped after taking its snapshot, before it began the walk, leaves
		segments.heldSnapshot(new io.storecast.audience.SegmentId(UUID.fromString(segment)), CampaignId.valueOf(id).source(),
				null);
		owner.delete("/api/v1/audience/segments/" + segment).expectProblem(409, "segment-in-use");
		assertThat(owner.post("/api/v1/campaigns/" + id + "/cancel", Map.of()).expect(200).string("status"))
			.isEqualTo("CANCELLED");
		owner.delete("/api/v1/audience/segments/" + segment).expect(204);
		assertThat(rows(id)).isZero();
		assertThat(deliveries(id)).isZero();
	}

	/**
	 * Sends in chunks of {@value #CHUNK}, the run stopped after {@value #CHUNKS_BEFORE_CRASH} committed
	 * chunks (the test hook fails the next before its commit, as a crash would); returns once the
	 * scheduler has recorded the failed run.
	 */
	private void sendStoppedAfterChunks(Api owner, String id) {
		sending.chunkSize(CHUNK);
		sending.failAfterChunks(CHUNKS_BEFORE_CRASH);
		owner.post("/api/v1/campaigns/" + id + "/send", Map.of()).expect(202);
		awaitRunFailed(id);
	}

	/**
	 * What a restart does (campaigns left SENDING are run again; db-scheduler's own retry may join in),
	 * until the campaign is SENT with every one of its {@code recipients} handed off; its progress.
	 */
	private JsonNode resumedUntilSent(Api owner, String id, long recipients) {
		assertThat(scheduling.resumeInterrupted()).isGreaterThanOrEqualTo(1);
		await().atMost(Duration.ofSeconds(40)).untilAsserted(
				() -> assertThat(owner.get("/api/v1/campaigns/" + id).expect(200).string("status")).isEqualTo("SENT"));
		JsonNode sent = owner.get("/api/v1/campaigns/" + id).expect(200).json().path("progress");
		assertThat(sent.path("recipients").asLong()).isEqualTo(recipients);
		assertThat(sent.path("handedOff").asLong()).isEqualTo(recipients);
		return sent;
	}

	/** Waits until db-scheduler has recorded the failure of the campaign's send. */
	private void awaitRunFailed(String id) {
		await().atMost(Duration.ofSeconds(20)).until(() -> jdbc
			.sql("SELECT last_failure IS NOT NULL FROM scheduled_tasks WHERE task_name = ? AND task_instance = ?")
			.params(CampaignScheduling.TASK, id)
			.query(Boolean.class)
			.optional()
			.orElse(false));
	}

	/** A walk cut short: those reached handed off, every other member listed as skipped for {@code reason}. */
	private void assertCutShort(JsonNode progress, String id, long recipients, long reached, String reason) {
		assertThat(progress.path("recipients").asLong()).isEqualTo(recipients);
		assertThat(progress.path("handedOff").asLong()).isEqualTo(reached);
		assertThat(progress.path("planned").asLong()).isZero();
		assertThat(progress.path("skippedByReason").path(reason).asLong()).isEqualTo(recipients - reached);
		assertThat(rows(id)).isEqualTo(recipients);
		assertThat(deliveries(id)).isEqualTo(reached);
	}

	private long rows(String campaign) {
		return jdbc.sql("SELECT count(*) FROM campaigns_recipients WHERE campaign_id = ?")
			.param(UUID.fromString(campaign))
			.query(Long.class)
			.single();
	}

	/** A new segment of every customer (their home stores under HQ), as a campaign's audience. */
	static Map<String, Object> everyone(DemoFixture demo, String name) {
		String segment = demo.owner.post("/api/v1/audience/segments", Map.of("name", name + "-" + UUID.randomUUID(),
				"condition", Map.of("field", "org", "op", "in", "value", List.of("HQ"))))
			.expect(201)
			.string("id");
		return Map.of("kind", "SEGMENT", "segmentId", segment);
	}

	@Test
	void runs_of_one_campaign_at_the_same_time_hand_off_each_recipient_once() throws Exception {
		DemoFixture demo = new DemoFixture(port);
		runsAtTheSameTime(demo, create(demo, "同时发送", Map.of()));
	}

	@Test
	void runs_of_one_campaign_walking_a_segment_at_the_same_time_hand_off_each_recipient_once() throws Exception {
		DemoFixture demo = new DemoFixture(port);
		runsAtTheSameTime(demo, create(demo, "分群同时发送", Map.of("audience", everyone(demo, "同时发送"))));
	}

	private void runsAtTheSameTime(DemoFixture demo, String id) throws Exception {
		Api owner = demo.owner;
		CampaignId campaign = CampaignId.valueOf(id);
		// chunks of 3, two side by side per run: many rounds, each racing the other runs' rounds
		sending.chunkSize(3);
		owner.post("/api/v1/campaigns/" + id + "/send", Map.of()).expect(202);
		// db-scheduler's run, and two more at once: a resume at start and a wake-up, say
		try (ExecutorService runs = Executors.newFixedThreadPool(2)) {
			List<Future<?>> started = List.of(runs.submit(() -> sending.run(campaign)), runs.submit(() -> sending.run(campaign)));
			for (Future<?> run : started) {
				run.get(60, TimeUnit.SECONDS);
			}
		}
		await().atMost(Duration.ofSeconds(40)).untilAsserted(
				() -> assertThat(owner.get("/api/v1/campaigns/" + id).expect(200).string("status")).isEqualTo("SENT"));
		JsonNode progress = owner.get("/api/v1/campaigns/" + id).expect(200).json().path("progress");
		long recipients = progress.path("recipients").asLong();
		assertThat(recipients).isGreaterThan(10);
		assertThat(progress.path("handedOff").asLong()).isEqualTo(recipients);
		assertThat(progress.path("planned").asLong()).isZero();
		assertThat(deliveries(id)).isEqualTo(recipients);
		assertThat(jdbc.sql("SELECT count(*) FROM campaigns_recipients WHERE campaign_id = ? AND handed_off_at IS NOT NULL")
			.param(UUID.fromString(id))
			.query(Long.class)
			.single()).isEqualTo(recipients);
		assertThat(jdbc.sql("SELECT count(*) FROM campaigns_recipients WHERE campaign_id = ? AND status = 'HANDED_OFF'")
			.param(UUID.fromString(id))
			.query(Long.class)
			.single()).isEqualTo(recipients);

		// a chunk of a run that overlapped (its lock's session lost) records what another already did: nothing moves
		// (the recipients' counters: delivery's, delivery:*, go on moving while the messages are posted)
		Map<String, Long> before = recipientCounters(campaign);
		Recipients.Row first = recipientRows.page(campaign, Recipients.Status.HANDED_OFF, null, 1).getFirst();
		recipientRows.record(campaign, List.of(new Recipients.Outcome(first.customerId(), Recipients.Status.PLANNED,
				Recipients.Status.SKIPPED, "frequency-cap", null, null, null)), io.storecast.audience.Channel.IN_APP,
				Instant.now(), 3, true);
		recipientRows.record(campaign, List.of(new Recipients.Outcome(first.customerId(), Recipients.Status.PLANNED,
				Recipients.Status.SKIPPED, "frequency-cap", null, null, null)), io.storecast.audience.Channel.IN_APP,
				Instant.now(), 3, false);
		assertThat(recipientCounters(campaign)).isEqualTo(before);
		assertThat(recipientRows.page(campaign, Recipients.Status.HANDED_OFF, null, 1).getFirst().customerId())
			.isEqualTo(first.customerId());
	}

	@Test
	void a_chunk_that_finds_a_recipient_handed_off_by_a_run_alongside_rolls_back_whole_and_the_next_run_sends_the_rest_once()
			throws Exception {
		DemoFixture demo = new DemoFixture(port);
		overlapped(demo, create(demo, "重叠发送", Map.of()), true);
	}

	@Test
	void a_chunk_walking_a_segment_that_finds_a_recipient_handed_off_by_a_run_alongside_rolls_back_whole() throws Exception {
		DemoFixture demo = new DemoFixture(port);
		overlapped(demo, create(demo, "分群重叠发送", Map.of("audience", everyone(demo, "重叠发送"))), false);
	}

	/**
	 * Runs overlap only if a run's lock is lost (its session ended while it went on). Staged here: while
	 * the second chunk decides, a run alongside hands its first recipient off and commits. The chunk's
	 * messages were handed off as new ({@code Delivery.enqueueNew}, no key looked up), so it must not
	 * commit: it is rolled back whole and the run fails; the next run sends the rest, and every
	 * recipient has one delivery (the one taken by the run alongside has that run's).
	 */
	private void overlapped(DemoFixture demo, String id, boolean listed) throws Exception {
		Api owner = demo.owner;
		CampaignId campaign = CampaignId.valueOf(id);
		UUID theirs = UUID.randomUUID();
		io.storecast.identity.OrgNodeId store = new io.storecast.identity.OrgNodeId(UUID.fromString(demo.node("HQ")));
		java.util.concurrent.atomic.AtomicReference<io.storecast.identity.CustomerId> taken =
				new java.util.concurrent.atomic.AtomicReference<>();
		sending.chunkSize(CHUNK);
		// with two or more workers the first round holds chunks 0 and 1 side by side; with one, chunk 0 is a round of its own
		int committed = Math.max(1, settings.sendWorkers() - 1) * CHUNK;
		sending.beforeRecord((running, index, customers) -> {
			// only this campaign's (a retry of an earlier test's failed run may still come by)
			if (!running.equals(campaign) || index != 1 || !taken.compareAndSet(null, customers.getFirst())) {
				return;
			}
			io.storecast.identity.CustomerId customer = customers.getFirst();
			// the other run: its own thread, its own connection, committed before this chunk records
			try (ExecutorService other = Executors.newSingleThreadExecutor()) {
				other.submit(() -> recipientRows.record(campaign, List.of(new Recipients.Outcome(customer,
						Recipients.Status.PLANNED, Recipients.Status.HANDED_OFF, null, null, theirs,
						new Recipients.HandedOff(customer, store, null, null))), io.storecast.audience.Channel.IN_APP,
						Instant.now(), 7, listed)).get(30, TimeUnit.SECONDS);
			}
			catch (Exception e) {
				throw new IllegalStateException(e);
			}
		});
		owner.post("/api/v1/campaigns/" + id + "/send", Map.of()).expect(202);
		awaitRunFailed(id);
		sending.beforeRecord(null);
		assertThat(taken.get()).isNotNull();
		// the other chunks of the round committed (and the run alongside's one); nothing of the second chunk did
		JsonNode stopped = owner.get("/api/v1/campaigns/" + id).expect(200).json();
		assertThat(stopped.path("status").asString()).isEqualTo("SENDING");
		long recipients = stopped.path("progress").path("recipients").asLong();
		assertThat(recipients).isGreaterThan(committed + 2 * CHUNK);
		assertThat(stopped.path("progress").path("handedOff").asLong()).isEqualTo(committed + 1);
		assertThat(deliveries(id)).isEqualTo(committed);

		JsonNode sent = resumedUntilSent(owner, id, recipients);
		assertThat(deliveries(id)).as("one each, but the recipient the run alongside took, whose delivery is its own")
			.isEqualTo(recipients - 1);
		assertThat(jdbc.sql("SELECT delivery_id FROM campaigns_recipients WHERE campaign_id = ? AND customer_id = ?")
			.params(UUID.fromString(id), taken.get().value())
			.query(UUID.class)
			.single()).isEqualTo(theirs);
		assertThat(jdbc.sql("""
				SELECT (SELECT count(*) FROM delivery_batches b, unnest(b.request_keys) AS k(request_key)
				         WHERE b.source = :source AND k.request_key = :key)
				     + (SELECT count(*) FROM delivery_messages WHERE source = :source AND request_key = :key)""")
			.param("source", "campaign:" + id)
			.param("key", taken.get().value().toString())
			.query(Long.class)
			.single()).as("no message of this campaign for the recipient the run alongside took").isZero();
	}

	private Map<String, Long> recipientCounters(CampaignId campaign) {
		Map<String, Long> counters = new java.util.TreeMap<>(recipientRows.counters(campaign));
		counters.keySet().removeIf(name -> name.startsWith(DeliveryOutcomes.PREFIX));
		return counters;
	}

	/** A transactional in-app campaign to every customer, with {@code extra} fields; its id. */
	static String create(DemoFixture demo, String name, Map<String, Object> extra) {
		Map<String, Object> body = new java.util.HashMap<>(Map.of("name", name, "purpose", "TRANSACTIONAL", "startsAt",
				Instant.now().minusSeconds(60).toString(), "endsAt", Instant.now().plus(Duration.ofDays(1)).toString(), "offer",
				Map.of("text", "到店礼"), "stores", List.of(demo.node("HQ")), "route", List.of(Map.of("channel", "IN_APP")),
				"templates", Map.of("IN_APP", Map.of("zh-CN", "{nickname},{store}欢迎您")), "audience", Map.of("kind", "STORES")));
		body.putAll(extra);
		return demo.owner.post("/api/v1/campaigns", body).expect(201).string("id");
	}

	/**
	 * Waits (up to 60 s) until {@code expected} of the campaign's recipients matching {@code where} (over
	 * {@code r}, its recipient row, and {@code m}, the delivery of its key) have their delivery rows:
	 * in-app messages handed off as batches get them when they are posted.
	 */
	private void awaitWithDeliveryRows(String id, String where, long expected) {
		await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(jdbc.sql("""
				SELECT count(*) FROM campaigns_recipients r
				  JOIN delivery_messages m ON m.source = ? AND m.request_key = r.customer_id::text
				 WHERE r.campaign_id = ? AND %s""".formatted(where))
			.params("campaign:" + id, UUID.fromString(id))
			.query(Long.class)
			.single()).isEqualTo(expected));
	}

	/**
	 * The campaign's deliveries: those with their rows and those still waiting in delivery's batches
	 * (V34: in-app messages get their rows when posted), in one statement. A key handed off twice would
	 * count twice.
	 */
	long deliveries(String campaign) {
		return jdbc.sql("""
				SELECT (SELECT count(*) FROM delivery_messages WHERE source = :source)
				     + (SELECT count(*) FROM delivery_batches b, unnest(b.request_keys) AS k(request_key)
				        WHERE b.source = :source
				          AND NOT EXISTS (SELECT 1 FROM delivery_messages m WHERE m.source = b.source AND m.request_key = k.request_key))""")
			.param("source", "campaign:" + campaign)
			.query(Long.class)
			.single();
	}

}
