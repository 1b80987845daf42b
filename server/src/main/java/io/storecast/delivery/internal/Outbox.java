package io.storecast.delivery.internal;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import io.storecast.audience.Channel;
import io.storecast.audience.Purpose;
import io.storecast.delivery.DeliveryId;
import io.storecast.delivery.DeliveryStatus;
import io.storecast.delivery.DeliveryView;
import io.storecast.identity.CustomerId;
import io.storecast.identity.OrgNodeId;
import io.storecast.platform.PlannedEachCall;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The outbox tables (V12): deliveries, their attempts, early receipts, inbound messages. */
@Repository
class Outbox {

	/** A delivery as the workers need it; {@code bulk}: leased after the others ({@link DeliveryRequest#bulk()}). */
	record MessageRow(UUID id, String source, String key, CustomerId customerId, OrgNodeId storeId, Purpose purpose,
			List<Route.Step> route, JsonNode content, DeliveryStatus status, int step, boolean bulk) {

		MessageRow withStatus(DeliveryStatus status) {
			return new MessageRow(id, source, key, customerId, storeId, purpose, route, content, status, step, bulk);
		}
	}

	/**
	 * An attempt leased to this node, with its delivery; or a batch's message ({@code batch} not null),
	 * which has no rows yet: its {@code id} is then this node's own, negative, until the rows are written.
	 */
	record Claimed(long id, int step, int number, Channel channel, @Nullable String address, MessageRow message,
			@Nullable BatchLease batch) {

		Claimed(long id, int step, int number, Channel channel, @Nullable String address, MessageRow message) {
			this(id, step, number, channel, address, message, null);
		}
	}

	/**
	 * A batch (V34) this node leased until {@code leaseUntil}; {@code open}: its messages not written
	 * down yet (set by the dispatcher when it leases, counted down by the recorder after each commit).
	 */
	static final class BatchLease {

		final UUID id;
		final Instant leaseUntil;
		final java.util.concurrent.atomic.AtomicInteger open;

		BatchLease(UUID id, Instant leaseUntil, int open) {
			this.id = id;
			this.leaseUntil = leaseUntil;
			this.open = new java.util.concurrent.atomic.AtomicInteger(open);
		}
	}

	/** A new attempt to insert; {@code bulk}: its message's lane. */
	record NewAttempt(UUID deliveryId, int step, int number, Channel channel, String status, Instant dueAt,
			@Nullable String address, @Nullable String errorCode, @Nullable String error, boolean bulk) {
	}

	private final JdbcClient jdbc;
	private final JdbcTemplate template;
	private final JsonMapper json;
	/**
	 * Routes as stored, parsed: a campaign's million messages share one route, and parsing it for
	 * each leased message was about 3 µs of the worker's time per message.
	 */
	private final Cache<String, List<Route.Step>> routes = Caffeine.newBuilder().maximumSize(1_000).build();

	Outbox(JdbcClient jdbc, JdbcTemplate template, JsonMapper json) {
		this.template = template;
		this.jdbc = jdbc;
		this.json = json;
	}

	private static Timestamp ts(Instant at) {
		return Timestamp.from(at);
	}

	private static @Nullable Timestamp tsOrNull(@Nullable Instant at) {
		return at == null ? null : Timestamp.from(at);
	}

	/**
	 * Inserts the deliveries not yet there (by source and key) in one statement, each with its status
	 * and step; returns the ids of those it inserted.
	 */
	java.util.Set<UUID> insertMessages(List<MessageRow> rows, Instant now) {
		int n = rows.size();
		UUID[] ids = new UUID[n];
		String[] sources = new String[n];
		String[] keys = new String[n];
		UUID[] customers = new UUID[n];
		UUID[] stores = new UUID[n];
		String[] purposes = new String[n];
		String[] routes = new String[n];
		String[] contents = new String[n];
		String[] statuses = new String[n];
		Integer[] steps = new Integer[n];
		Boolean[] bulk = new Boolean[n];
		// a chunk's requests mostly share one route: written once
		Map<List<Route.Step>, String> routeJson = new HashMap<>();
		for (int i = 0; i < n; i++) {
			MessageRow r = rows.get(i);
			ids[i] = r.id();
			sources[i] = r.source();
			keys[i] = r.key();
			customers[i] = r.customerId().value();
			stores[i] = r.storeId().value();
			purposes[i] = r.purpose().name();
			routes[i] = routeJson.computeIfAbsent(r.route(), json::writeValueAsString);
			contents[i] = json.writeValueAsString(r.content());
			statuses[i] = r.status().name();
			steps[i] = r.step();
			bulk[i] = r.bulk();
		}
		return new java.util.HashSet<>(jdbc.sql("""
				INSERT INTO delivery_messages (id, source, request_key, customer_id, store_id, purpose, route, content,
				  status, step, created_at, updated_at, bulk)
				SELECT u.id, u.source, u.request_key, u.customer_id, u.store_id, u.purpose, CAST(u.route AS jsonb),
				  CAST(u.content AS jsonb), u.status, u.step, ?, ?, u.bulk
				  FROM unnest(CAST(? AS uuid[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS uuid[]), CAST(? AS uuid[]),
				              CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS int[]),
				              CAST(? AS boolean[]))
				       AS u(id, source, request_key, customer_id, store_id, purpose, route, content, status, step, bulk)
				ON CONFLICT (source, request_key) DO NOTHING
				RETURNING id""")
			.params(ts(now), ts(now), ids, sources, keys, customers, stores, purposes, routes, contents, statuses, steps,
					bulk)
			.query(UUID.class)
			.list());
	}

	/**
	 * The deliveries that already have these rows' keys (source and key), in one statement: by the id
	 * each row was given, the id of the delivery that has its key.
	 */
	Map<UUID, UUID> earlierIds(List<MessageRow> rows) {
		Map<UUID, UUID> out = new HashMap<>();
		if (rows.isEmpty()) {
			return out;
		}
		Map<List<String>, UUID> byKey = new HashMap<>();
		rows.forEach(r -> byKey.put(List.of(r.source(), r.key()), r.id()));
		jdbc.sql("""
				SELECT m.source, m.request_key, m.id
				  FROM unnest(CAST(? AS text[]), CAST(? AS text[])) AS k(source, request_key)
				  JOIN delivery_messages m ON m.source = k.source AND m.request_key = k.request_key""")
			.params(rows.stream().map(MessageRow::source).toArray(String[]::new),
					rows.stream().map(MessageRow::key).toArray(String[]::new))
			.query((rs, n) -> out.put(byKey.get(List.of(rs.getString(1), rs.getString(2))), rs.getObject(3, UUID.class)))
			.list();
		return out;
	}

	/** Inserts attempts in one statement; returns their ids by delivery (one attempt per delivery in a call). */
	Map<UUID, Long> insertAttempts(List<NewAttempt> attempts, Instant now) {
		Map<UUID, Long> out = new HashMap<>();
		if (attempts.isEmpty()) {
			return out;
		}
		int n = attempts.size();
		UUID[] deliveries = new UUID[n];
		Integer[] steps = new Integer[n];
		String[] channels = new String[n];
		Integer[] numbers = new Integer[n];
		String[] statuses = new String[n];
		Timestamp[] due = new Timestamp[n];
		String[] addresses = new String[n];
		String[] codes = new String[n];
		String[] errors = new String[n];
		Boolean[] bulk = new Boolean[n];
		for (int i = 0; i < n; i++) {
			NewAttempt a = attempts.get(i);
			deliveries[i] = a.deliveryId();
			steps[i] = a.step();
			channels[i] = a.channel().name();
			numbers[i] = a.number();
			statuses[i] = a.status();
			due[i] = ts(a.dueAt());
			addresses[i] = a.address();
			codes[i] = a.errorCode();
			errors[i] = a.error();
			bulk[i] = a.bulk();
		}
		jdbc.sql("""
				INSERT INTO delivery_attempts (delivery_id, step, channel, number, status, due_at, address, error_code, error,
				  bulk, created_at, updated_at)
				SELECT u.*, ?, ? FROM unnest(CAST(? AS uuid[]), CAST(? AS int[]), CAST(? AS text[]), CAST(? AS int[]),
				  CAST(? AS text[]), CAST(? AS timestamptz[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]),
				  CAST(? AS boolean[]))
				  AS u(delivery_id, step, channel, number, status, due_at, address, error_code, error, bulk)
				RETURNING id, delivery_id""")
			.params(ts(now), ts(now), deliveries, steps, channels, numbers, statuses, due, addresses, codes, errors, bulk)
			.query(rs -> {
				out.put(rs.getObject("delivery_id", UUID.class), rs.getLong("id"));
			});
		return out;
	}

	/**
	 * A batch's message posted on its first step: its attempt, written once as it ended up, with the
	 * post's {@code result}; {@code readAt}: a read receipt came first.
	 */
	record PostedAttempt(UUID deliveryId, Channel channel, Accepted result, @Nullable Instant readAt) {

		/** READ when a receipt came first, else as the channel took it. */
		DeliveryStatus status() {
			return readAt != null ? DeliveryStatus.READ : result.delivered() ? DeliveryStatus.DELIVERED : DeliveryStatus.SENT;
		}
	}

	/** Inserts the attempts of posted batch messages, in one statement. */
	void insertPosted(List<PostedAttempt> attempts, Instant now) {
		if (attempts.isEmpty()) {
			return;
		}
		int n = attempts.size();
		UUID[] deliveries = new UUID[n];
		String[] channels = new String[n];
		String[] statuses = new String[n];
		String[] providers = new String[n];
		Integer[] segments = new Integer[n];
		Integer[] codes = new Integer[n];
		String[] hashes = new String[n];
		Timestamp[] fallbacks = new Timestamp[n];
		Timestamp[] readChecks = new Timestamp[n];
		Timestamp[] reads = new Timestamp[n];
		for (int i = 0; i < n; i++) {
			PostedAttempt p = attempts.get(i);
			Accepted a = p.result();
			deliveries[i] = p.deliveryId();
			channels[i] = p.channel().name();
			statuses[i] = p.status().name();
			providers[i] = a.providerId();
			segments[i] = a.segments();
			codes[i] = a.responseCode();
			hashes[i] = a.payloadHash();
			// read already: nothing left to look at
			fallbacks[i] = p.readAt() == null ? tsOrNull(a.fallbackAt()) : null;
			readChecks[i] = p.readAt() == null ? tsOrNull(a.readCheckAt()) : null;
			reads[i] = tsOrNull(p.readAt());
		}
		jdbc.sql("""
				INSERT INTO delivery_attempts (delivery_id, step, channel, number, status, due_at, provider_id, segments,
				  response_code, payload_hash, fallback_at, read_check_at, sent_at, delivered_at, read_at, bulk, created_at,
				  updated_at)
				SELECT u.delivery_id, 0, u.channel, 1, u.status, CAST(? AS timestamptz), u.provider_id, u.segments,
				  u.response_code, u.payload_hash, u.fallback_at, u.read_check_at, CAST(? AS timestamptz),
				  CASE WHEN u.status <> 'SENT' THEN CAST(? AS timestamptz) END, u.read_at, true, CAST(? AS timestamptz),
				  CAST(? AS timestamptz)
				FROM unnest(CAST(? AS uuid[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS int[]),
				            CAST(? AS int[]), CAST(? AS text[]), CAST(? AS timestamptz[]), CAST(? AS timestamptz[]),
				            CAST(? AS timestamptz[]))
				     AS u(delivery_id, channel, status, provider_id, segments, response_code, payload_hash, fallback_at,
				          read_check_at, read_at)""")
			.params(ts(now), ts(now), ts(now), ts(now), ts(now), deliveries, channels, statuses, providers, segments, codes,
					hashes, fallbacks, readChecks, reads)
			.update();
	}

	/**
	 * Leases up to {@code limit} due attempts of the channel: those that are not bulk first, then the
	 * bulk ones, each lane oldest due first, skipping those others hold. One statement per lane, each a
	 * range of the due index (channel, lane, due time): a single {@code ORDER BY bulk, due_at} would read
	 * past every attempt of the first lane that is due later (deferred ones) to reach the second. At
	 * most {@code bulkLimit} of them are bulk (a held bulk lane's trickle).
	 */
	List<Claimed> claim(Channel channel, int limit, int bulkLimit, Instant now, Instant leaseUntil) {
		List<Claimed> claimed = claimLane(channel, false, limit, now, leaseUntil);
		if (claimed.size() < limit && bulkLimit > 0) {
			List<Claimed> bulk;
			try {
				bulk = claimLane(channel, true, Math.min(bulkLimit, limit - claimed.size()), now, leaseUntil);
			}
			catch (RuntimeException e) {
				// the first lane's leases committed: give them back rather than hold them until they run out
				try {
					release(claimed.stream().map(Claimed::id).toList(), now);
				}
				catch (RuntimeException again) {
					e.addSuppressed(again);
				}
				throw e;
			}
			claimed = new ArrayList<>(claimed);
			claimed.addAll(bulk);
		}
		return claimed;
	}

	/**
	 * Planned afresh on every call (an unnamed statement): a plan cached while the outbox was nearly
	 * empty (the JDBC driver keeps one after five uses) would go on scanning the table once a campaign
	 * has queued a million attempts.
	 */
	private List<Claimed> claimLane(Channel channel, boolean bulk, int limit, Instant now, Instant leaseUntil) {
		return template.query(PlannedEachCall.statement("""
				WITH due AS (
				  SELECT id FROM delivery_attempts
				  WHERE status = 'QUEUED' AND channel = ? AND bulk = ? AND due_at <= ?
				  ORDER BY due_at LIMIT ? FOR UPDATE SKIP LOCKED)
				UPDATE delivery_attempts a SET status = 'SENDING', lease_until = ?, updated_at = ?
				FROM due, delivery_messages m
				WHERE a.id = due.id AND m.id = a.delivery_id
				RETURNING a.id, a.step, a.number, a.channel, a.address, m.id AS m_id, m.source, m.request_key,
				  m.customer_id, m.store_id, m.purpose, m.route, m.content, m.status AS m_status, m.step AS m_step, m.bulk""",
				(connection, statement) -> {
					statement.setString(1, channel.name());
					statement.setBoolean(2, bulk);
					statement.setTimestamp(3, ts(now));
					statement.setInt(4, limit);
					statement.setTimestamp(5, ts(leaseUntil));
					statement.setTimestamp(6, ts(now));
				}), (rs, n) -> new Claimed(rs.getLong("id"), rs.getInt("step"), rs.getInt("number"),
				Channel.valueOf(rs.getString("channel")), rs.getString("address"), message(rs, "m_")));
	}

	/** A route as stored, parsed once per distinct route. */
	List<Route.Step> route(String stored) {
		return routes.get(stored, r -> List.copyOf(Route.parse(json, r)));
	}

	private MessageRow message(ResultSet rs, String prefix) throws SQLException {
		return new MessageRow(rs.getObject(prefix + "id", UUID.class), rs.getString("source"),
				rs.getString("request_key"), new CustomerId(rs.getObject("customer_id", UUID.class)),
				new OrgNodeId(rs.getObject("store_id", UUID.class)), Purpose.valueOf(rs.getString("purpose")),
				route(rs.getString("route")), json.readTree(rs.getString("content")),
				DeliveryStatus.valueOf(rs.getString(prefix + "status")), rs.getInt(prefix + "step"), rs.getBoolean("bulk"));
	}

	Optional<MessageRow> message(UUID id) {
		return jdbc.sql("""
				SELECT id AS m_id, source, request_key, customer_id, store_id, purpose, route, content, status AS m_status,
				  step AS m_step, bulk FROM delivery_messages WHERE id = ?""")
			.param(id)
			.query((rs, n) -> message(rs, "m_"))
			.optional();
	}

	/** Gives leased attempts that were never started back to the queue. */
	void release(List<Long> attemptIds, Instant now) {
		if (attemptIds.isEmpty()) {
			return;
		}
		jdbc.sql("""
				UPDATE delivery_attempts SET status = 'QUEUED', lease_until = NULL, updated_at = ?
				WHERE id = ANY (?) AND status = 'SENDING'""")
			.params(ts(now), attemptIds.toArray(Long[]::new))
			.update();
	}

	/** Attempts whose lease ran out go back to the queue; returns how many. */
	int requeueExpired(Instant now) {
		return jdbc.sql("""
				UPDATE delivery_attempts SET status = 'QUEUED', lease_until = NULL, updated_at = ?
				WHERE status = 'SENDING' AND lease_until < ?""")
			.params(ts(now), ts(now))
			.update();
	}

	/** A send the channel took. */
	record Accepted(long attemptId, boolean delivered, @Nullable String providerId, int segments,
			@Nullable Integer responseCode, @Nullable String payloadHash, @Nullable Instant fallbackAt,
			@Nullable Instant readCheckAt) {
	}

	/** Marks leased attempts accepted, in one statement; returns those this node still held. */
	java.util.Set<Long> accepted(List<Accepted> unordered, Instant now) {
		// in id order, so its row locks are taken in the order readUpTo takes them
		List<Accepted> rows = unordered.stream().sorted(java.util.Comparator.comparingLong(Accepted::attemptId)).toList();
		int n = rows.size();
		Long[] ids = new Long[n];
		String[] statuses = new String[n];
		String[] providers = new String[n];
		Integer[] segments = new Integer[n];
		Integer[] codes = new Integer[n];
		String[] hashes = new String[n];
		Timestamp[] fallbacks = new Timestamp[n];
		Timestamp[] readChecks = new Timestamp[n];
		for (int i = 0; i < n; i++) {
			Accepted a = rows.get(i);
			ids[i] = a.attemptId();
			statuses[i] = a.delivered() ? "DELIVERED" : "SENT";
			providers[i] = a.providerId();
			segments[i] = a.segments();
			codes[i] = a.responseCode();
			hashes[i] = a.payloadHash();
			fallbacks[i] = tsOrNull(a.fallbackAt());
			readChecks[i] = tsOrNull(a.readCheckAt());
		}
		return new java.util.HashSet<>(jdbc.sql("""
				UPDATE delivery_attempts a SET status = u.status, provider_id = u.provider_id, segments = u.segments,
				  response_code = u.response_code, payload_hash = u.payload_hash,
				  -- read before its result was recorded (readUpTo): its fallback or read check looks at once
				  fallback_at = CASE WHEN a.read_at IS NOT NULL AND u.fallback_at IS NOT NULL THEN CAST(? AS timestamptz)
				                     ELSE u.fallback_at END,
				  read_check_at = CASE WHEN a.read_at IS NOT NULL AND u.read_check_at IS NOT NULL THEN CAST(? AS timestamptz)
				                       ELSE u.read_check_at END,
				  sent_at = ?,
				  delivered_at = CASE WHEN u.status = 'DELIVERED' THEN CAST(? AS timestamptz) END, lease_until = NULL,
				  updated_at = ?
				FROM unnest(CAST(? AS bigint[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS int[]), CAST(? AS int[]),
				            CAST(? AS text[]), CAST(? AS timestamptz[]), CAST(? AS timestamptz[]))
				     AS u(id, status, provider_id, segments, response_code, payload_hash, fallback_at, read_check_at)
				WHERE a.id = u.id AND a.status = 'SENDING'
				RETURNING a.id""")
			.params(ts(now), ts(now), ts(now), ts(now), ts(now), ids, statuses, providers, segments, codes, hashes, fallbacks,
					readChecks)
			.query(Long.class)
			.list());
	}

	/** A delivery's new status. */
	record StatusChange(UUID deliveryId, DeliveryStatus status, @Nullable String reason) {

		StatusChange(UUID deliveryId, DeliveryStatus status) {
			this(deliveryId, status, null);
		}
	}

	/** Moves deliveries on in one statement, unless they already went further (READ is never taken back). */
	void setStatuses(List<StatusChange> changes, Instant now) {
		if (changes.isEmpty()) {
			return;
		}
		jdbc.sql("""
				UPDATE delivery_messages m SET status = u.status, reason = u.reason, updated_at = ?
				FROM unnest(CAST(? AS uuid[]), CAST(? AS text[]), CAST(? AS text[])) AS u(id, status, reason)
				WHERE m.id = u.id AND m.status NOT IN ('READ', 'CANCELLED')
				  AND NOT (m.status = 'DELIVERED' AND u.status = 'SENT')""")
			.params(ts(now), changes.stream().map(StatusChange::deliveryId).toArray(UUID[]::new),
					changes.stream().map(c -> c.status().name()).toArray(String[]::new),
					changes.stream().map(StatusChange::reason).toArray(String[]::new))
			.update();
	}

	/** A receipt to apply. */
	record ReceiptRow(String providerId, boolean delivered, String code, @Nullable String detail, Instant at) {
	}

	/** A receipt applied to its attempt, with the attempt's delivery. */
	record Receipted(String providerId, boolean delivered, int step, @Nullable String address, int segments,
			MessageRow message) {
	}

	/** Applies receipts to the channel's SENT attempts with their provider ids, in one statement. */
	List<Receipted> applyReceipts(Channel channel, List<ReceiptRow> rows, Instant now) {
		if (rows.isEmpty()) {
			return List.of();
		}
		return jdbc.sql("""
				UPDATE delivery_attempts a SET status = CASE WHEN u.delivered THEN 'DELIVERED' ELSE 'FAILED' END,
				  delivered_at = CASE WHEN u.delivered THEN u.at ELSE a.delivered_at END,
				  error_code = CASE WHEN u.delivered THEN a.error_code ELSE u.code END,
				  error = CASE WHEN u.delivered THEN a.error ELSE u.detail END, updated_at = ?
				FROM unnest(CAST(? AS text[]), CAST(? AS boolean[]), CAST(? AS text[]), CAST(? AS text[]),
				            CAST(? AS timestamptz[])) AS u(provider_id, delivered, code, detail, at),
				     delivery_messages m
				WHERE a.channel = ? AND a.provider_id = u.provider_id AND a.status = 'SENT' AND m.id = a.delivery_id
				RETURNING u.provider_id AS r_provider_id, u.delivered AS r_delivered, a.step, a.address, a.segments,
				  m.id AS m_id, m.source, m.request_key, m.customer_id, m.store_id, m.purpose, m.route, m.content,
				  m.status AS m_status, m.step AS m_step, m.bulk""")
			.params(ts(now), rows.stream().map(ReceiptRow::providerId).toArray(String[]::new),
					rows.stream().map(ReceiptRow::delivered).toArray(Boolean[]::new),
					rows.stream().map(ReceiptRow::code).toArray(String[]::new),
					rows.stream().map(ReceiptRow::detail).toArray(String[]::new),
					rows.stream().map(r -> ts(r.at())).toArray(Timestamp[]::new), channel.name())
			.query((rs, n) -> new Receipted(rs.getString("r_provider_id"), rs.getBoolean("r_delivered"), rs.getInt("step"),
					rs.getString("address"), rs.getInt("segments"), message(rs, "m_")))
			.list();
	}

	/** Which of these provider ids an attempt of the channel carries. */
	java.util.Set<String> knownProviderIds(Channel channel, List<String> providerIds) {
		if (providerIds.isEmpty()) {
			return java.util.Set.of();
		}
		return new java.util.HashSet<>(jdbc.sql("SELECT provider_id FROM delivery_attempts WHERE channel = ? AND provider_id = ANY (?)")
			.params(channel.name(), providerIds.toArray(String[]::new))
			.query(String.class)
			.list());
	}

	/** Takes the early receipts waiting for these provider ids. */
	Map<String, EarlyReceipt> takeEarlyReceipts(Channel channel, List<String> providerIds) {
		Map<String, EarlyReceipt> out = new java.util.HashMap<>();
		jdbc.sql("""
				DELETE FROM delivery_early_receipts WHERE channel = ? AND provider_id = ANY (?)
				RETURNING provider_id, delivered, code, address_fault, detail, received_at""")
			.params(channel.name(), providerIds.toArray(String[]::new))
			.query(rs -> {
				out.put(rs.getString("provider_id"), new EarlyReceipt(rs.getBoolean("delivered"), rs.getString("code"),
						rs.getBoolean("address_fault"), rs.getString("detail"), rs.getTimestamp("received_at").toInstant()));
			});
		return out;
	}

	/** Marks a leased attempt RETRIED, FAILED or SKIPPED; false when this node no longer holds it. */
	boolean ended(long attemptId, String status, String errorCode, @Nullable String error,
			@Nullable Integer responseCode, @Nullable String payloadHash, Instant now) {
		return jdbc.sql("""
				UPDATE delivery_attempts SET status = ?, error_code = ?, error = ?, response_code = ?, payload_hash = ?,
				  lease_until = NULL, updated_at = ?
				WHERE id = ? AND status = 'SENDING'""")
			.params(status, errorCode, error == null ? null : truncate(error, 1000), responseCode, payloadHash, ts(now),
					attemptId)
			.update() == 1;
	}

	static String truncate(String s, int max) {
		return s.length() <= max ? s : s.substring(0, max - 1) + "…";
	}

	/** Moves the delivery on, unless it already went further (READ is never taken back). */
	void setStatus(UUID deliveryId, DeliveryStatus status, @Nullable String reason, Instant now) {
		setStatuses(List.of(new StatusChange(deliveryId, status, reason)), now);
	}

	void setStep(UUID deliveryId, int step, Instant now) {
		jdbc.sql("UPDATE delivery_messages SET step = ?, status = 'QUEUED', reason = NULL, updated_at = ? WHERE id = ?")
			.params(step, ts(now), deliveryId)
			.update();
	}

	record EarlyReceipt(boolean delivered, String code, boolean addressFault, @Nullable String detail,
			Instant receivedAt) {
	}

	void keepEarlyReceipt(Channel channel, String providerId, EarlyReceipt r) {
		jdbc.sql("""
				INSERT INTO delivery_early_receipts (channel, provider_id, delivered, code, address_fault, detail, received_at)
				VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING""")
			.params(channel.name(), providerId, r.delivered(), r.code(), r.addressFault(), r.detail(),
					ts(r.receivedAt()))
			.update();
	}

	/** Early receipts older than the cut-off never found their send: forgotten. */
	int forgetEarlyReceipts(Instant before) {
		return jdbc.sql("DELETE FROM delivery_early_receipts WHERE received_at < ?").param(ts(before)).update();
	}

	/** An in-app attempt whose fallback time has come. */
	record FallbackDue(long id, UUID deliveryId, int step, String providerId) {
	}

	/** Leases the in-app attempts whose fallback time has come (their fallback time is cleared in the same transaction). */
	List<FallbackDue> fallbackDue(Instant now, int limit) {
		return jdbc.sql("""
				WITH due AS (
				  SELECT id FROM delivery_attempts WHERE fallback_at IS NOT NULL AND fallback_at <= ?
				  ORDER BY fallback_at LIMIT ? FOR UPDATE SKIP LOCKED)
				UPDATE delivery_attempts a SET fallback_at = NULL, updated_at = ?
				FROM due WHERE a.id = due.id
				RETURNING a.id, a.delivery_id, a.step, a.provider_id""")
			.params(ts(now), limit, ts(now))
			.query((rs, n) -> new FallbackDue(rs.getLong("id"), rs.getObject("delivery_id", UUID.class),
					rs.getInt("step"), rs.getString("provider_id")))
			.list();
	}

	/** An in-app attempt whose read check is due. */
	record ReadCheck(long id, UUID deliveryId, String providerId, Instant sentAt) {
	}

	/** Leases the in-app attempts whose read check is due (their check time cleared in the same transaction). */
	List<ReadCheck> readChecksDue(Instant now, int limit) {
		return jdbc.sql("""
				WITH due AS (
				  SELECT id FROM delivery_attempts WHERE read_check_at IS NOT NULL AND read_check_at <= ?
				  ORDER BY read_check_at LIMIT ? FOR UPDATE SKIP LOCKED)
				UPDATE delivery_attempts a SET read_check_at = NULL
				FROM due WHERE a.id = due.id
				RETURNING a.id, a.delivery_id, a.provider_id, a.status, coalesce(a.sent_at, a.created_at) AS sent_at""")
			.params(ts(now), limit)
			.query((rs, n) -> "DELIVERED".equals(rs.getString("status")) && rs.getString("provider_id") != null
					? new ReadCheck(rs.getLong("id"), rs.getObject("delivery_id", UUID.class), rs.getString("provider_id"),
							rs.getTimestamp("sent_at").toInstant())
					: null)
			.list()
			.stream()
			.filter(java.util.Objects::nonNull)
			.toList();
	}

	/** Sets the next read check of attempts, in one statement. */
	void nextReadChecks(List<Long> attemptIds, List<Instant> at) {
		if (attemptIds.isEmpty()) {
			return;
		}
		jdbc.sql("""
				UPDATE delivery_attempts a SET read_check_at = u.at
				FROM unnest(CAST(? AS bigint[]), CAST(? AS timestamptz[])) AS u(id, at) WHERE a.id = u.id""")
			.params(attemptIds.toArray(Long[]::new), at.stream().map(Outbox::ts).toArray(Timestamp[]::new))
			.update();
	}

	/** Marks an attempt READ; returns when it was read (a receipt's time kept from before, else now). */
	Instant markRead(long attemptId, Instant now) {
		return jdbc.sql("""
				UPDATE delivery_attempts SET status = 'READ', read_at = coalesce(read_at, ?), read_check_at = NULL,
				  fallback_at = NULL, updated_at = ?
				WHERE id = ? RETURNING read_at""")
			.params(ts(now), ts(now), attemptId)
			.query((rs, n) -> rs.getTimestamp(1).toInstant())
			.optional()
			.orElse(now);
	}

	/** An in-app attempt a customer's read receipt reached, and whether it is READ now. */
	record ReadAttempt(long id, UUID deliveryId, boolean read) {
	}

	/**
	 * The in-app attempts of these deliveries' steps that were posted (their messages what a customer
	 * has just read), in one statement: a DELIVERED one becomes READ at {@code at}. One still SENDING
	 * (posted, its result not recorded yet) only keeps the time, and the recording of its result looks
	 * at it again at once ({@link #accepted}). One whose result commits meanwhile is updated as it is
	 * then (PostgreSQL re-reads a row it had to wait for).
	 */
	List<ReadAttempt> readUpTo(List<UUID> deliveryIds, List<Integer> steps, Instant at, Instant now) {
		if (deliveryIds.isEmpty()) {
			return List.of();
		}
		// rows locked in id order, as the recorder's statements lock them (no deadlock between the two); only
		// a step its delivery is still at: one that has fallen back to the next channel is not read now
		return jdbc.sql("""
				WITH t AS (
				  SELECT a.id FROM unnest(CAST(? AS uuid[]), CAST(? AS int[])) AS k(delivery_id, step)
				  JOIN delivery_attempts a ON a.delivery_id = k.delivery_id AND a.step = k.step
				  JOIN delivery_messages m ON m.id = a.delivery_id AND m.step = a.step
				  WHERE a.channel = 'IN_APP' AND a.status IN ('SENDING', 'DELIVERED')
				  ORDER BY a.id FOR UPDATE OF a)
				UPDATE delivery_attempts a SET
				  status = CASE WHEN a.status = 'DELIVERED' THEN 'READ' ELSE a.status END, read_at = ?,
				  read_check_at = CASE WHEN a.status = 'DELIVERED' THEN NULL ELSE a.read_check_at END,
				  fallback_at = CASE WHEN a.status = 'DELIVERED' THEN NULL ELSE a.fallback_at END, updated_at = ?
				FROM t WHERE a.id = t.id AND a.status IN ('SENDING', 'DELIVERED')
				RETURNING a.id, a.delivery_id, a.status""")
			.params(deliveryIds.toArray(UUID[]::new), steps.toArray(Integer[]::new), ts(at), ts(now))
			.query((rs, n) -> new ReadAttempt(rs.getLong("id"), rs.getObject("delivery_id", UUID.class),
					"READ".equals(rs.getString("status"))))
			.list();
	}

	/** The delivery last sent by SMS to the number (to answer a reply in the right conversation). */
	Optional<MessageRow> lastSmsTo(String phone) {
		return jdbc.sql("""
				SELECT m.id AS m_id, m.source, m.request_key, m.customer_id, m.store_id, m.purpose, m.route, m.content,
				  m.status AS m_status, m.step AS m_step, m.bulk
				FROM delivery_attempts a JOIN delivery_messages m ON m.id = a.delivery_id
				WHERE a.channel = 'SMS' AND a.address = ? ORDER BY a.created_at DESC LIMIT 1""")
			.param(phone)
			.query((rs, n) -> message(rs, "m_"))
			.optional();
	}

	void recordInbound(Channel channel, String sender, String recipient, String text, String outcome,
			@Nullable CustomerId customer, Instant at) {
		jdbc.sql("""
				INSERT INTO delivery_inbound (channel, sender, recipient, text, outcome, customer_id, received_at)
				VALUES (?, ?, ?, ?, ?, ?, ?)""")
			.params(channel.name(), sender, recipient, truncate(text, 2000), outcome,
					customer == null ? null : customer.value(), ts(at))
			.update();
	}

	// --- views ---------------------------------------------------------------------------------

	Optional<DeliveryView> view(DeliveryId id) {
		record Head(MessageRow message, @Nullable String reason, Instant createdAt) {
		}
		return jdbc.sql("""
				SELECT id AS m_id, source, request_key, customer_id, store_id, purpose, route, content, status AS m_status,
				  step AS m_step, bulk, reason, created_at FROM delivery_messages WHERE id = ?""")
			.param(id.value())
			.query((rs, n) -> new Head(message(rs, "m_"), rs.getString("reason"), rs.getTimestamp("created_at").toInstant()))
			.optional()
			.map(h -> new DeliveryView(id, h.message().source(), h.message().key(), h.message().customerId(),
					h.message().purpose(), h.message().status(), h.reason(), h.createdAt(), h.message().bulk(),
					attempts(List.of(id.value())).getOrDefault(id.value(), List.of())));
	}

	Map<UUID, List<DeliveryView.Attempt>> attempts(List<UUID> deliveries) {
		Map<UUID, List<DeliveryView.Attempt>> out = new java.util.HashMap<>();
		jdbc.sql("""
				SELECT id, delivery_id, channel, number, status, provider_id, segments, error_code, error, due_at, sent_at,
				  delivered_at, response_code
				FROM delivery_attempts WHERE delivery_id = ANY (?) ORDER BY id""")
			.param(deliveries.toArray(UUID[]::new))
			.query(rs -> {
				Integer code = rs.getObject("response_code", Integer.class);
				out.computeIfAbsent(rs.getObject("delivery_id", UUID.class), k -> new ArrayList<>())
					.add(new DeliveryView.Attempt(rs.getLong("id"), Channel.valueOf(rs.getString("channel")),
							rs.getInt("number"), rs.getString("status"), rs.getString("provider_id"), rs.getInt("segments"),
							rs.getString("error_code"), rs.getString("error"), rs.getTimestamp("due_at").toInstant(),
							instant(rs, "sent_at"), instant(rs, "delivered_at"), code));
			});
		return out;
	}

	private static @Nullable Instant instant(ResultSet rs, String column) throws SQLException {
		Timestamp t = rs.getTimestamp(column);
		return t == null ? null : t.toInstant();
	}

	/** Deliveries per status (of one source, or all), and the SMS segments sent. */
	record Stats(Map<String, Long> byStatus, long segments) {
	}

	Stats stats(@Nullable String source) {
		Map<String, Long> by = new java.util.TreeMap<>();
		for (DeliveryStatus s : DeliveryStatus.values()) {
			by.put(s.name(), 0L);
		}
		// one statement, one snapshot: a batch's messages (V34) are queued until their rows are written; a batch
		// never leased has none written, one leased (now or before) is counted without those that have rows
		jdbc.sql("""
				SELECT status, count(*) AS n FROM delivery_messages WHERE (CAST(? AS text) IS NULL OR source = ?) GROUP BY status
				UNION ALL
				SELECT 'QUEUED', coalesce(sum(CASE WHEN NOT b.leased THEN cardinality(b.message_ids)
				  ELSE (SELECT count(*) FROM unnest(b.message_ids) AS i(id)
				        WHERE NOT EXISTS (SELECT 1 FROM delivery_messages m WHERE m.id = i.id)) END), 0)
				FROM delivery_batches b WHERE CAST(? AS text) IS NULL OR b.source = ?""")
			.params(source, source, source, source)
			.query(rs -> {
				by.merge(rs.getString("status"), rs.getLong("n"), Long::sum);
			});
		long segments = jdbc.sql("""
				SELECT coalesce(sum(a.segments), 0) FROM delivery_attempts a JOIN delivery_messages m ON m.id = a.delivery_id
				WHERE a.channel = 'SMS' AND a.status IN ('SENT', 'DELIVERED', 'FAILED') AND a.provider_id IS NOT NULL
				  AND (CAST(? AS text) IS NULL OR m.source = ?)""")
			.params(source, source)
			.query(Long.class)
			.single();
		return new Stats(by, segments);
	}

	/** A delivery that finally failed, with why (its last attempt). */
	record DeadLetter(UUID id, String source, String key, UUID customerId, String reason, Instant failedAt,
			@Nullable String lastChannel, @Nullable String lastError, int attempts) {
	}

	List<DeadLetter> deadLetters(@Nullable String source, @Nullable Instant before, int limit) {
		return jdbc.sql("""
				SELECT m.id, m.source, m.request_key, m.customer_id, coalesce(m.reason, 'failed') AS reason, m.updated_at,
				  l.channel, l.error, (SELECT count(*) FROM delivery_attempts c WHERE c.delivery_id = m.id) AS attempts
				FROM delivery_messages m
				LEFT JOIN LATERAL (SELECT channel, coalesce(error, error_code) AS error FROM delivery_attempts a
				  WHERE a.delivery_id = m.id ORDER BY a.id DESC LIMIT 1) l ON TRUE
				WHERE m.status = 'FAILED' AND (CAST(? AS text) IS NULL OR m.source = ?)
				  AND (CAST(? AS timestamptz) IS NULL OR m.updated_at < ?)
				ORDER BY m.updated_at DESC LIMIT ?""")
			.params(source, source, tsOrNull(before), tsOrNull(before), limit)
			.query((rs, n) -> new DeadLetter(rs.getObject("id", UUID.class), rs.getString("source"),
					rs.getString("request_key"), rs.getObject("customer_id", UUID.class), rs.getString("reason"),
					rs.getTimestamp("updated_at").toInstant(), rs.getString("channel"), rs.getString("error"),
					rs.getInt("attempts")))
			.list();
	}
}
