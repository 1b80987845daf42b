package io.storecast.audience.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

import io.storecast.support.DemoFixture;
import io.storecast.support.StorecastIntegrationTest;

/**
 * Snapshot members have no foreign key to their snapshot (V29), so deleting a segment deletes them
 * itself: also those of a snapshot that was still being written when the delete began.
 */
@StorecastIntegrationTest
class SegmentDeleteDuringSnapshotIntegrationTest {

	@LocalServerPort
	int port;

	@Autowired
	JdbcClient jdbc;

	@Autowired
	TransactionTemplate tx;

	@Test
	void a_segment_deleted_while_its_snapshot_is_written_leaves_no_members_behind() throws Exception {
		DemoFixture demo = new DemoFixture(port);
		String segment = demo.owner.post("/api/v1/audience/segments",
				Map.of("name", "deleted-while-snapshotted-" + UUID.randomUUID(), "condition", Map.of("all", List.of())))
			.expect(201)
			.string("id");
		UUID segmentId = UUID.fromString(segment);
		UUID snapshot = UUID.randomUUID();

		// a snapshot being written, as SegmentManagement writes one: its row, then its members, one transaction
		CountDownLatch written = new CountDownLatch(1);
		CountDownLatch commit = new CountDownLatch(1);
		// own threads: the common pool may have a single one on a 2-core machine, and the writer blocks
		java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newFixedThreadPool(2);
		CompletableFuture<Void> writing = CompletableFuture.runAsync(() -> tx.executeWithoutResult(s -> {
			jdbc.sql("INSERT INTO audience_snapshots (id, segment_id, key, scope_node, member_count, created_at) "
					+ "VALUES (?, ?, ?, NULL, 0, ?)")
				.params(snapshot, segmentId, "race-" + snapshot, Timestamp.from(Instant.now()))
				.update();
			jdbc.sql("INSERT INTO audience_snapshot_pages (snapshot_id, last_id, members) "
					+ "SELECT ?, g.a[cardinality(g.a)], g.a FROM (SELECT array_agg(customer_id ORDER BY customer_id) AS a"
					+ " FROM (SELECT customer_id FROM audience_profiles ORDER BY customer_id LIMIT 50) m) g")
				.param(snapshot)
				.update();
			written.countDown();
			try {
				assertThat(commit.await(30, TimeUnit.SECONDS)).isTrue();
			}
			catch (InterruptedException e) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException(e);
			}
		}), threads);
		assertThat(written.await(30, TimeUnit.SECONDS)).isTrue();

		// the delete starts while the snapshot is uncommitted, and waits for it
		CompletableFuture<Integer> deleting = CompletableFuture.supplyAsync(
				() -> demo.owner.delete("/api/v1/audience/segments/" + segment).status(), threads);
		await().atMost(Duration.ofSeconds(20)).until(() -> deleting.isDone() || jdbc.sql("""
				SELECT count(*) FROM pg_stat_activity
				 WHERE wait_event_type = 'Lock' AND query LIKE '%audience_segments%' AND query NOT LIKE '%pg_stat_activity%'""")
			.query(Long.class)
			.single() > 0);
		assertThat(deleting).as("the delete waits for the snapshot being written").isNotDone();
		commit.countDown();
		writing.get(30, TimeUnit.SECONDS);
		assertThat(deleting.get(30, TimeUnit.SECONDS)).isEqualTo(204);
		threads.shutdown();

		assertThat(jdbc.sql("SELECT count(*) FROM audience_snapshots WHERE id = ?").param(snapshot).query(Long.class).single())
			.isZero();
		assertThat(jdbc.sql("SELECT count(*) FROM audience_snapshot_pages WHERE snapshot_id = ?").param(snapshot)
			.query(Long.class)
			.single()).isZero();
	}
}
