package io.storecast.messaging.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;

import io.micrometer.core.instrument.MeterRegistry;
import io.storecast.messaging.ConversationId;
import io.storecast.messaging.MessageKind;
import io.storecast.support.DemoFixture;
import io.storecast.support.StorecastIntegrationTest;

/**
 * Group commit: concurrent sends to several conversations share commits, yet every conversation's
 * seq stays gapless and a repeated client message id is refused without taking its batch down.
 */
@StorecastIntegrationTest
class SendBatcherIntegrationTest {

	@LocalServerPort
	int port;

	@Autowired
	SendBatcher batcher;

	@Autowired
	JdbcClient jdbc;

	@Autowired
	MeterRegistry meters;

	@Test
	void concurrent_sends_share_commits_with_gapless_seqs() throws Exception {
		DemoFixture demo = new DemoFixture(port);
		List<ConversationId> conversations = new ArrayList<>();
		for (int i = 0; i < 4; i++) {
			String id = demo.customer("SZ-GQJ").post("/api/v1/conversations/direct", Map.of("storeId", demo.node("SZ-GQJ")))
				.expect(200).string("id");
			conversations.add(ConversationId.valueOf(id));
		}
		int threads = 64;
		int perThread = 10;
		Map<ConversationId, List<Long>> seqs = new ConcurrentHashMap<>();
		AtomicInteger stored = new AtomicInteger();
		try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
			List<Future<?>> futures = new ArrayList<>();
			for (int t = 0; t < threads; t++) {
				int thread = t;
				futures.add(pool.submit(() -> {
					for (int i = 0; i < perThread; i++) {
						ConversationId c = conversations.get((thread + i) % conversations.size());
						String key = "batch-" + thread + "-" + i;
						long seq = batcher.store(new MessageStore.NewMessage(c, UUID.randomUUID(), null, key,
								MessageKind.TEXT, "{\"text\":\"第" + i + "条\"}", false, Instant.now(), "第 条"));
						seqs.computeIfAbsent(c, k -> java.util.Collections.synchronizedList(new ArrayList<>())).add(seq);
						stored.incrementAndGet();
					}
				}));
			}
			for (Future<?> f : futures) {
				f.get();
			}
		}
		long rows = jdbc.sql("SELECT count(*) FROM messaging_messages WHERE client_msg_id LIKE 'batch-%'").query(Long.class).single();
		assertThat(stored.get()).isEqualTo(threads * perThread);
		assertThat(rows).isEqualTo(threads * perThread);
		for (ConversationId c : conversations) {
			List<Long> got = new ArrayList<>(seqs.getOrDefault(c, List.of()));
			java.util.Collections.sort(got);
			List<Long> expected = new ArrayList<>();
			for (long s = 1; s <= got.size(); s++) {
				expected.add(s);
			}
			assertThat(got).as("seqs of %s", c).isEqualTo(expected);
			long last = jdbc.sql("SELECT last_seq FROM messaging_conversations WHERE id = ?").param(c.value())
				.query(Long.class).single();
			assertThat(last).isEqualTo(got.size());
		}
		// commits were shared
		assertThat(meters.get("storecast.messaging.send.batch").summary().max()).isGreaterThan(1);
	}

	@Test
	void a_repeated_client_message_id_in_a_batch_is_refused_and_the_rest_are_stored() throws Exception {
		DemoFixture demo = new DemoFixture(port);
		ConversationId c = ConversationId.valueOf(demo.customer("GZ-TH")
			.post("/api/v1/conversations/direct", Map.of("storeId", demo.node("GZ-TH"))).expect(200).string("id"));
		int senders = 40;
		AtomicInteger duplicates = new AtomicInteger();
		List<Long> seqs = java.util.Collections.synchronizedList(new ArrayList<>());
		try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
			List<Future<?>> futures = new ArrayList<>();
			for (int t = 0; t < senders; t++) {
				int n = t;
				futures.add(pool.submit(() -> {
					// every fourth sender repeats the key of the one before it
					String key = "dup-" + (n % 4 == 3 ? n - 1 : n);
					try {
						seqs.add(batcher.store(new MessageStore.NewMessage(c, UUID.randomUUID(), null, key, MessageKind.TEXT,
								"{\"text\":\"x\"}", false, Instant.now(), null)));
					}
					catch (DuplicateKeyException e) {
						duplicates.incrementAndGet();
					}
				}));
			}
			for (Future<?> f : futures) {
				f.get();
			}
		}
		assertThat(duplicates.get()).isEqualTo(senders / 4);
		java.util.Collections.sort(seqs);
		assertThat(seqs).hasSize(senders - senders / 4);
		assertThat(seqs.getFirst()).isEqualTo(1);
		assertThat(seqs.getLast()).isEqualTo(senders - senders / 4);
	}
}
