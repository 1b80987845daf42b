package io.storecast.audience.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

import io.storecast.platform.Ids;
import io.storecast.support.StorecastIntegrationTest;

/**
 * A snapshot is stored as pages of {@value StoredSegments#PAGE} members in customer order (V36), and
 * read back in that order from any member on, across pages, whatever the limit (and past a page
 * that is not full, should one be written otherwise); a segment nobody is in has no page. The profiles are
 * written and the snapshot taken in one transaction that is rolled back: nothing stays for the
 * other tests of the context.
 */
@StorecastIntegrationTest
class SnapshotPagesIntegrationTest {

	@Autowired
	StoredSegments segments;

	@Autowired
	JdbcClient jdbc;

	@Autowired
	TransactionTemplate tx;

	@Test
	void a_snapshot_of_2_500_is_three_pages_read_in_customer_order_from_any_member_on() {
		tx.executeWithoutResult(status -> {
			status.setRollbackOnly();
			UUID[] created = new UUID[2_500];
			for (int i = 0; i < created.length; i++) {
				created[i] = Ids.newId();
			}
			jdbc.sql("""
					INSERT INTO audience_profiles (customer_id, phone, registered_at, updated_at)
					SELECT u.id, 'pages-test', now(), now() FROM unnest(CAST(? AS uuid[])) AS u(id)""")
				.param(created)
				.update();
			// PostgreSQL's order of uuids (byte by byte), which Java's UUID.compareTo (signed longs) is not
			List<UUID> ids = jdbc.sql("SELECT customer_id FROM audience_profiles WHERE phone = 'pages-test' ORDER BY customer_id")
				.query(UUID.class)
				.list();
			UUID snapshot = UUID.randomUUID();

			assertThat(segments.fillSnapshot(snapshot, new SqlCompiler.Sql("p.phone = ?", List.of("pages-test"))))
				.isEqualTo(2_500);
			assertThat(jdbc.sql("SELECT cardinality(members) FROM audience_snapshot_pages WHERE snapshot_id = ? ORDER BY last_id")
				.param(snapshot)
				.query(Integer.class)
				.list()).containsExactly(1_000, 1_000, 500);

			assertThat(segments.members(snapshot, null, 10)).isEqualTo(ids.subList(0, 10));
			assertThat(segments.members(snapshot, ids.get(995), 10)).as("across a page's end").isEqualTo(ids.subList(996, 1_006));
			assertThat(segments.members(snapshot, ids.get(999), 1_001)).as("from a page's last member")
				.isEqualTo(ids.subList(1_000, 2_001));
			assertThat(segments.members(snapshot, ids.get(1_000), 5_000)).isEqualTo(ids.subList(1_001, 2_500));
			assertThat(segments.members(snapshot, ids.getLast(), 10)).isEmpty();
			assertThat(segments.members(UUID.randomUUID(), null, 10)).as("another snapshot's").isEmpty();

			// a walk in steps of 700, as a campaign's rounds read it: each member once, in order
			List<UUID> walked = new ArrayList<>();
			UUID after = null;
			for (List<UUID> step = segments.members(snapshot, null, 700); !step.isEmpty();
					step = segments.members(snapshot, after, 700)) {
				walked.addAll(step);
				after = step.getLast();
			}
			assertThat(walked).isEqualTo(ids);

			// a page that is not full (written otherwise than by fillSnapshot): read on past it, lose nobody
			UUID uneven = UUID.randomUUID();
			List<List<UUID>> pages = List.of(ids.subList(0, 1_000), ids.subList(1_000, 1_400), ids.subList(1_400, 2_400));
			for (List<UUID> page : pages) {
				jdbc.sql("INSERT INTO audience_snapshot_pages (snapshot_id, last_id, members) VALUES (?, ?, ?)")
					.params(uneven, page.getLast(), page.toArray(UUID[]::new))
					.update();
			}
			assertThat(segments.members(uneven, ids.get(500), 1_000)).as("two pages hold 899 past it: read on")
				.isEqualTo(ids.subList(501, 1_501));
			assertThat(segments.members(uneven, ids.get(500), 5_000)).isEqualTo(ids.subList(501, 2_400));

			// a segment nobody is in: no page, no member
			UUID empty = UUID.randomUUID();
			assertThat(segments.fillSnapshot(empty, new SqlCompiler.Sql("p.phone = ?", List.of("pages-test-nobody")))).isZero();
			assertThat(jdbc.sql("SELECT count(*) FROM audience_snapshot_pages WHERE snapshot_id = ?").param(empty)
				.query(Long.class).single()).isZero();
			assertThat(segments.members(empty, null, 10)).isEmpty();
		});
	}
}
