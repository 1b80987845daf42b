package io.storecast.delivery.internal;

import java.sql.Array;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import io.storecast.audience.Purpose;
import io.storecast.delivery.DeliveryStatus;
import io.storecast.identity.CustomerId;
import io.storecast.identity.OrgNodeId;
import io.storecast.platform.PlannedEachCall;
import tools.jackson.databind.json.JsonMapper;

/**
 * Bulk in-app messages stored as batches (V34): one row for up to {@link #SIZE} messages of one
 * source, purpose and route, leased whole by a worker; and the read receipts that came before their
 * messages' rows were written.
 */
@Repository
class OutboxBatches {

	/** Messages per batch row: one in-app post call ({@link InAppChannel#BATCH}). */
	static final int SIZE = InAppChannel.BATCH;

	/** A batch leased to this node: its messages (those without rows yet) and until when it holds it. */
	record Leased(UUID id, Instant leaseUntil, List<Outbox.MessageRow> messages) {
	}

	private final JdbcClient jdbc;
	private final JdbcTemplate template;
	private final JsonMapper json;
	private final Outbox outbox;

	OutboxBatches(JdbcClient jdbc, JdbcTemplate template, JsonMapper json, Outbox outbox) {
		this.jdbc = jdbc;
		this.template = template;
		this.json = json;
		this.outbox = outbox;
	}

	private static Timestamp ts(Instant at) {
		return Timestamp.from(at);
	}

	/**
	 * Stores the messages (of one source, purpose and route, due now) as batches of {@link #SIZE}, in
	 * the order given, in one statement.
	 */
	void insert(List<Outbox.MessageRow> messages, Instant now) {
		if (messages.isEmpty()) {
			return;
		}
		Outbox.MessageRow first = messages.getFirst();
		int n = messages.size();
		UUID[] batches = new UUID[n];
		UUID[] ids = new UUID[n];
		String[] keys = new String[n];
		UUID[] customers = new UUID[n];
		UUID[] stores = new UUID[n];
		String[] contents = new String[n];
		UUID batch = null;
		for (int i = 0; i < n; i++) {
			if (i % SIZE == 0) {
				batch = io.storecast.platform.Ids.newId();
			}
			Outbox.MessageRow r = messages.get(i);
			batches[i] = batch;
			ids[i] = r.id();
			keys[i] = r.key();
			customers[i] = r.customerId().value();
			stores[i] = r.storeId().value();
			contents[i] = json.writeValueAsString(r.content());
		}
		jdbc.sql("""
				INSERT INTO delivery_batches (id, source, purpose, route, status, due_at, message_ids, request_keys,
				  customer_ids, store_ids, contents, created_at)
				SELECT u.batch_id, ?, ?, CAST(? AS jsonb), 'QUEUED', ?, array_agg(u.message_id ORDER BY u.n),
				  array_agg(u.request_key ORDER BY u.n), array_agg(u.customer_id ORDER BY u.n),
				  array_agg(u.store_id ORDER BY u.n), array_agg(u.content ORDER BY u.n), ?
				FROM unnest(CAST(? AS uuid[]), CAST(? AS uuid[]), CAST(? AS text[]), CAST(? AS uuid[]), CAST(? AS uuid[]),
				            CAST(? AS text[])) WITH ORDINALITY
				     AS u(batch_id, message_id, request_key, customer_id, store_id, content, n)
				GROUP BY u.batch_id""")
			.params(first.source(), first.purpose().name(), json.writeValueAsString(first.route()), ts(now), ts(now),
					batches, ids, keys, customers, stores, contents)
			.update();
	}

	/**
	 * Leases up to {@code limit} due batches, oldest first, skipping those others hold; each comes
	 * with its messages that have no delivery_messages row yet (a batch leased again after its lease ran
	 * out). A batch whose messages all have rows is deleted here.
	 */
	List<Leased> lease(int limit, Instant now, Instant leaseUntil) {
		if (limit <= 0) {
			return List.of();
		}
		List<Leased> leased = template.query(PlannedEachCall.statement("""
				WITH due AS (
				  SELECT id FROM delivery_batches WHERE status = 'QUEUED' AND due_at <= ?
				  ORDER BY due_at LIMIT ? FOR UPDATE SKIP LOCKED)
				UPDATE delivery_batches b SET status = 'SENDING', lease_until = ?, leased = true
				FROM due WHERE b.id = due.id
				RETURNING b.id, b.source, b.purpose, b.route, b.message_ids, b.request_keys, b.customer_ids, b.store_ids,
				  b.contents,
				  ARRAY(SELECT m.request_key FROM delivery_messages m
				        WHERE m.source = b.source AND m.request_key = ANY (b.request_keys)) AS written""",
				(connection, statement) -> {
					statement.setTimestamp(1, ts(now));
					statement.setInt(2, limit);
					statement.setTimestamp(3, ts(leaseUntil));
				}), (rs, n) -> {
					UUID id = rs.getObject("id", UUID.class);
					String source = rs.getString("source");
					Purpose purpose = Purpose.valueOf(rs.getString("purpose"));
					List<Route.Step> route = outbox.route(rs.getString("route"));
					UUID[] messageIds = uuids(rs.getArray("message_ids"));
					String[] keys = strings(rs.getArray("request_keys"));
					UUID[] customers = uuids(rs.getArray("customer_ids"));
					UUID[] stores = uuids(rs.getArray("store_ids"));
					String[] contents = strings(rs.getArray("contents"));
					Set<String> written = new HashSet<>(List.of(strings(rs.getArray("written"))));
					List<Outbox.MessageRow> messages = new ArrayList<>(messageIds.length);
					for (int i = 0; i < messageIds.length; i++) {
						if (!written.contains(keys[i])) {
							messages.add(new Outbox.MessageRow(messageIds[i], source, keys[i], new CustomerId(customers[i]),
									new OrgNodeId(stores[i]), purpose, route, json.readTree(contents[i]), DeliveryStatus.QUEUED, 0,
									true));
						}
					}
					return new Leased(id, leaseUntil, messages);
				});
		List<UUID> done = leased.stream().filter(l -> l.messages().isEmpty()).map(Leased::id).toList();
		if (!done.isEmpty()) {
			jdbc.sql("DELETE FROM delivery_batches WHERE id = ANY (?)").param(done.toArray(UUID[]::new)).update();
		}
		return leased.stream().filter(l -> !l.messages().isEmpty()).toList();
	}

	private static UUID[] uuids(Array a) throws SQLException {
		return (UUID[]) a.getArray();
	}

	private static String[] strings(Array a) throws SQLException {
		return (String[]) a.getArray();
	}

	/** Deletes batches whose messages all have their rows now, if this node still holds them. */
	void delete(Map<UUID, Instant> leases) {
		if (leases.isEmpty()) {
			return;
		}
		List<Map.Entry<UUID, Instant>> list = List.copyOf(leases.entrySet());
		jdbc.sql("""
				DELETE FROM delivery_batches b USING unnest(CAST(? AS uuid[]), CAST(? AS timestamptz[])) AS u(id, lease_until)
				WHERE b.id = u.id AND b.status = 'SENDING' AND b.lease_until = u.lease_until""")
			.params(list.stream().map(Map.Entry::getKey).toArray(UUID[]::new),
					list.stream().map(e -> ts(e.getValue())).toArray(Timestamp[]::new))
			.update();
	}

	/** Gives batches this node holds back to the queue (it is stopping). */
	void release(Map<UUID, Instant> leases) {
		if (leases.isEmpty()) {
			return;
		}
		List<Map.Entry<UUID, Instant>> list = List.copyOf(leases.entrySet());
		jdbc.sql("""
				UPDATE delivery_batches b SET status = 'QUEUED', lease_until = NULL
				FROM unnest(CAST(? AS uuid[]), CAST(? AS timestamptz[])) AS u(id, lease_until)
				WHERE b.id = u.id AND b.status = 'SENDING' AND b.lease_until = u.lease_until""")
			.params(list.stream().map(Map.Entry::getKey).toArray(UUID[]::new),
					list.stream().map(e -> ts(e.getValue())).toArray(Timestamp[]::new))
			.update();
	}

	/** Batches whose lease ran out go back to the queue; returns how many. */
	int requeueExpired(Instant now) {
		return jdbc.sql("""
				UPDATE delivery_batches SET status = 'QUEUED', lease_until = NULL
				WHERE status = 'SENDING' AND lease_until < ?""")
			.param(ts(now))
			.update();
	}

	/** A message still in a batch, as {@code GET /deliveries/{id}} shows it. */
	record Waiting(Outbox.MessageRow message, Instant createdAt) {
	}

	/**
	 * The message with this id, if it is still in a batch and has no row yet. Reads every batch
	 * (they are few, and only while a large send is going out): no index finds an element of an array.
	 */
	Optional<Waiting> find(UUID messageId) {
		return jdbc.sql("""
				SELECT b.source, b.purpose, b.route, b.created_at, k.request_key, k.customer_id, k.store_id, k.content
				FROM delivery_batches b,
				     unnest(b.message_ids, b.request_keys, b.customer_ids, b.store_ids, b.contents)
				       AS k(message_id, request_key, customer_id, store_id, content)
				WHERE b.message_ids @> ARRAY[CAST(? AS uuid)] AND k.message_id = ?
				  AND NOT EXISTS (SELECT 1 FROM delivery_messages m WHERE m.id = k.message_id)""")
			.params(messageId, messageId)
			.query((rs, n) -> new Waiting(new Outbox.MessageRow(messageId, rs.getString("source"), rs.getString("request_key"),
					new CustomerId(rs.getObject("customer_id", UUID.class)), new OrgNodeId(rs.getObject("store_id", UUID.class)),
					Purpose.valueOf(rs.getString("purpose")),
					outbox.route(rs.getString("route")),
					json.readTree(rs.getString("content")), DeliveryStatus.QUEUED, 0, true),
					rs.getTimestamp("created_at").toInstant()))
			.optional();
	}

	// --- read receipts that came first -----------------------------------------------------------

	/**
	 * Keeps the read time of these deliveries' first in-app posts that no attempt took: a batch's
	 * message read before its rows were written. Those whose rows are written meanwhile (or were
	 * already, the post read again) are taken by {@link #takeWrittenEarlyReads}. Returns how many were kept.
	 */
	int keepEarlyReads(List<UUID> deliveryIds, Instant at) {
		if (deliveryIds.isEmpty()) {
			return 0;
		}
		return jdbc.sql("""
				INSERT INTO delivery_early_reads (delivery_id, step, read_at)
				SELECT k.delivery_id, 0, ? FROM unnest(CAST(? AS uuid[])) AS k(delivery_id)
				ON CONFLICT DO NOTHING""")
			.params(ts(at), deliveryIds.toArray(UUID[]::new))
			.update();
	}

	/** Takes the early reads of these deliveries' first step: delivery id to when it was read. */
	Map<UUID, Instant> takeEarlyReads(List<UUID> deliveryIds) {
		Map<UUID, Instant> out = new java.util.HashMap<>();
		if (deliveryIds.isEmpty()) {
			return out;
		}
		jdbc.sql("DELETE FROM delivery_early_reads WHERE step = 0 AND delivery_id = ANY (?) RETURNING delivery_id, read_at")
			.param(deliveryIds.toArray(UUID[]::new))
			.query(rs -> {
				out.put(rs.getObject("delivery_id", UUID.class), rs.getTimestamp("read_at").toInstant());
			});
		return out;
	}

	/** A read receipt kept for a post whose delivery had no row yet. */
	record EarlyRead(UUID deliveryId, int step, Instant readAt) {
	}

	/** Takes up to {@code limit} early reads whose delivery has its in-app attempt of that step by now. */
	List<EarlyRead> takeWrittenEarlyReads(int limit) {
		return jdbc.sql("""
				DELETE FROM delivery_early_reads e
				WHERE (e.delivery_id, e.step) IN (
				  SELECT r.delivery_id, r.step FROM delivery_early_reads r
				  WHERE EXISTS (SELECT 1 FROM delivery_attempts a
				                WHERE a.delivery_id = r.delivery_id AND a.step = r.step AND a.channel = 'IN_APP')
				  LIMIT ? FOR UPDATE SKIP LOCKED)
				RETURNING e.delivery_id, e.step, e.read_at""")
			.param(limit)
			.query((rs, n) -> new EarlyRead(rs.getObject("delivery_id", UUID.class), rs.getInt("step"),
					rs.getTimestamp("read_at").toInstant()))
			.list();
	}

	/** Early reads older than the cut-off never found their message: forgotten. */
	int forgetEarlyReads(Instant before) {
		return jdbc.sql("DELETE FROM delivery_early_reads WHERE read_at < ?").param(ts(before)).update();
	}
}
