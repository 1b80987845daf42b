package io.storecast.messaging.internal;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import io.storecast.messaging.Conversation;
import io.storecast.messaging.ConversationId;
import io.storecast.messaging.ConversationKind;
import io.storecast.messaging.MemberRole;
import io.storecast.messaging.Message;
import io.storecast.messaging.MessageKind;
import io.storecast.messaging.Participant;
import tools.jackson.databind.json.JsonMapper;

/** Conversations, members, messages, acknowledgements and reactions in the {@code messaging_*} tables. */
@Repository
class MessageStore {

	/** The columns a {@link Message} is read from: not the search vector, which is large and for queries only. */
	private static final String MESSAGE_COLUMNS = "conversation_id, seq, id, sender, client_msg_id, kind, body, requires_ack, "
			+ "created_at, recalled_at";
	/** The same, of the messages table aliased {@code m} in a join. */
	private static final String JOINED_MESSAGE_COLUMNS = "m." + MESSAGE_COLUMNS.replace(", ", ", m.");

	private final JdbcClient jdbc;
	private final JsonMapper json;

	MessageStore(JdbcClient jdbc, JsonMapper json) {
		this.jdbc = jdbc;
		this.json = json;
	}

	// --- conversations -----------------------------------------------------------------------

	void insertConversation(ConversationRow c) {
		jdbc.sql("""
				INSERT INTO messaging_conversations (id, kind, org_node_id, title, direct_key, created_by, created_at,
				                                     last_seq, last_message_at, member_count, member_limit, mute_all)
				VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, 0, ?, FALSE)""")
			.params(c.id().value(), c.kind().name(), c.orgNodeId(), c.title(), c.directKey(), c.createdBy(),
					Timestamp.from(c.createdAt()), Timestamp.from(c.createdAt()), c.memberLimit())
			.update();
	}

	/**
	 * Inserts a conversation with a direct key unless one with that key exists (created meanwhile by
	 * another caller); no error, so a caller's surrounding transaction stays usable. True when inserted.
	 */
	boolean insertConversationIfAbsent(ConversationRow c) {
		return jdbc.sql("""
				INSERT INTO messaging_conversations (id, kind, org_node_id, title, direct_key, created_by, created_at,
				                                     last_seq, last_message_at, member_count, member_limit, mute_all)
				VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, 0, ?, FALSE)
				ON CONFLICT (direct_key) DO NOTHING""")
			.params(c.id().value(), c.kind().name(), c.orgNodeId(), c.title(), c.directKey(), c.createdBy(),
					Timestamp.from(c.createdAt()), Timestamp.from(c.createdAt()), c.memberLimit())
			.update() == 1;
	}

	Optional<ConversationRow> find(ConversationId id) {
		return jdbc.sql("SELECT * FROM messaging_conversations WHERE id = ?").param(id.value()).query(MessageStore::row)
			.optional();
	}

	Optional<ConversationRow> findByDirectKey(String key) {
		return jdbc.sql("SELECT * FROM messaging_conversations WHERE direct_key = ?").param(key).query(MessageStore::row)
			.optional();
	}

	/** The conversations of these direct keys that exist, by key, in one query. */
	Map<String, ConversationRow> findByDirectKeys(java.util.Collection<String> keys) {
		Map<String, ConversationRow> found = new java.util.HashMap<>();
		jdbc.sql("SELECT * FROM messaging_conversations WHERE direct_key = ANY (?)")
			.param(keys.toArray(String[]::new))
			.query(MessageStore::row)
			.list()
			.forEach(c -> found.put(c.directKey(), c));
		return found;
	}

	/**
	 * Inserts direct conversations with their first members, in two statements, leaving out those
	 * whose key exists (created meanwhile by another caller; no error, so the transaction stays
	 * usable). Each row's member count is taken as the number of its members. Rows go in key order,
	 * so two callers inserting overlapping keys wait for each other instead of deadlocking.
	 *
	 * @return the ids of the conversations inserted
	 */
	java.util.Set<ConversationId> insertDirectConversations(List<ConversationRow> conversations,
			Map<ConversationId, List<Participant>> members, Instant now) {
		List<ConversationRow> sorted = conversations.stream()
			.sorted(java.util.Comparator.comparing(ConversationRow::directKey))
			.toList();
		int n = sorted.size();
		UUID[] ids = new UUID[n];
		String[] kinds = new String[n];
		UUID[] nodes = new UUID[n];
		String[] keys = new String[n];
		String[] creators = new String[n];
		Integer[] counts = new Integer[n];
		Integer[] limits = new Integer[n];
		for (int i = 0; i < n; i++) {
			ConversationRow c = sorted.get(i);
			ids[i] = c.id().value();
			kinds[i] = c.kind().name();
			nodes[i] = c.orgNodeId();
			keys[i] = c.directKey();
			creators[i] = c.createdBy();
			counts[i] = members.getOrDefault(c.id(), List.of()).size();
			limits[i] = c.memberLimit();
		}
		Timestamp at = Timestamp.from(now);
		java.util.Set<ConversationId> inserted = new java.util.HashSet<>();
		jdbc.sql("""
				INSERT INTO messaging_conversations (id, kind, org_node_id, title, direct_key, created_by, created_at,
				                                     last_seq, last_message_at, member_count, member_limit, mute_all)
				SELECT id, kind, org_node_id, NULL, direct_key, created_by, ?, 0, ?, member_count, member_limit, FALSE
				  FROM unnest(CAST(? AS uuid[]), CAST(? AS text[]), CAST(? AS uuid[]), CAST(? AS text[]), CAST(? AS text[]),
				              CAST(? AS int[]), CAST(? AS int[]))
				       WITH ORDINALITY AS t(id, kind, org_node_id, direct_key, created_by, member_count, member_limit, ord)
				 ORDER BY ord
				ON CONFLICT (direct_key) DO NOTHING
				RETURNING id""")
			.params(at, at, ids, kinds, nodes, keys, creators, counts, limits)
			.query((rs, row) -> inserted.add(new ConversationId(rs.getObject(1, UUID.class))))
			.list();
		List<UUID> memberConversations = new ArrayList<>();
		List<String> participants = new ArrayList<>();
		for (ConversationRow c : sorted) {
			if (inserted.contains(c.id())) {
				for (Participant p : members.getOrDefault(c.id(), List.of())) {
					memberConversations.add(c.id().value());
					participants.add(p.toString());
				}
			}
		}
		if (!participants.isEmpty()) {
			jdbc.sql("""
					INSERT INTO messaging_members (conversation_id, participant, role, joined_at)
					SELECT conversation_id, participant, 'MEMBER', ?
					  FROM unnest(CAST(? AS uuid[]), CAST(? AS text[])) AS t(conversation_id, participant)""")
				.params(at, memberConversations.toArray(UUID[]::new), participants.toArray(String[]::new))
				.update();
		}
		return inserted;
	}

	void setMuteAll(ConversationId id, boolean muted) {
		jdbc.sql("UPDATE messaging_conversations SET mute_all = ? WHERE id = ?").params(muted, id.value()).update();
	}

	void setAnnouncement(ConversationId id, @Nullable String text, Instant now) {
		jdbc.sql("UPDATE messaging_conversations SET announcement = ?, announcement_at = ? WHERE id = ?")
			.params(text, Timestamp.from(now), id.value())
			.update();
	}

	/** The participant's conversations with their own receipts, most recently active first. */
	List<Conversation> conversationsOf(Participant p, int limit) {
		return jdbc.sql("""
				SELECT c.*, m.role AS my_role, m.read_seq AS my_read_seq
				  FROM messaging_members m JOIN messaging_conversations c ON c.id = m.conversation_id
				 WHERE m.participant = ?
				 ORDER BY c.last_message_at DESC, c.id LIMIT ?""")
			.params(p.toString(), limit)
			.query((rs, n) -> view(row(rs, n), MemberRole.valueOf(rs.getString("my_role")), rs.getLong("my_read_seq")))
			.list();
	}

	static Conversation view(ConversationRow c, @Nullable MemberRole role, long readSeq) {
		return new Conversation(c.id(), c.kind(), c.orgNodeId(), c.title(), c.lastSeq(), c.memberCount(),
				c.memberLimit(), c.muteAll(), c.announcement(), role, readSeq, Math.max(0, c.lastSeq() - readSeq),
				c.createdAt());
	}

	// --- members ---------------------------------------------------------------------------------

	/** Adds members that are not in yet; returns those added and keeps the member count exact. */
	/** The customer member's read cursor of each conversation that has one. */
	Map<ConversationId, Long> customerReadSeqs(java.util.Collection<ConversationId> ids) {
		Map<ConversationId, Long> out = new LinkedHashMap<>();
		jdbc.sql("""
				SELECT conversation_id, read_seq FROM messaging_members
				WHERE conversation_id = ANY (?) AND participant LIKE 'customer:%'""")
			.param(ids.stream().map(ConversationId::value).toArray(UUID[]::new))
			.query(rs -> {
				out.put(new ConversationId(rs.getObject("conversation_id", UUID.class)), rs.getLong("read_seq"));
			});
		return out;
	}

	List<Participant> addMembers(ConversationId id, List<Participant> participants, MemberRole role, Instant now) {
		List<Participant> added = new ArrayList<>();
		for (Participant p : participants) {
			int n = jdbc.sql("""
					INSERT INTO messaging_members (conversation_id, participant, role, joined_at)
					VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING""")
				.params(id.value(), p.toString(), role.name(), Timestamp.from(now))
				.update();
			if (n == 1) {
				added.add(p);
			}
		}
		if (!added.isEmpty()) {
			jdbc.sql("UPDATE messaging_conversations SET member_count = member_count + ? WHERE id = ?")
				.params(added.size(), id.value())
				.update();
		}
		return added;
	}

	boolean removeMember(ConversationId id, Participant p) {
		int n = jdbc.sql("DELETE FROM messaging_members WHERE conversation_id = ? AND participant = ?")
			.params(id.value(), p.toString())
			.update();
		if (n == 1) {
			jdbc.sql("UPDATE messaging_conversations SET member_count = member_count - 1 WHERE id = ?")
				.param(id.value())
				.update();
		}
		return n == 1;
	}

	void setRole(ConversationId id, Participant p, MemberRole role) {
		jdbc.sql("UPDATE messaging_members SET role = ? WHERE conversation_id = ? AND participant = ?")
			.params(role.name(), id.value(), p.toString())
			.update();
	}

	void setMutedUntil(ConversationId id, Participant p, @Nullable Instant until) {
		jdbc.sql("UPDATE messaging_members SET muted_until = ? WHERE conversation_id = ? AND participant = ?")
			.params(until == null ? null : Timestamp.from(until), id.value(), p.toString())
			.update();
	}

	Map<Participant, MemberRow> members(ConversationId id) {
		Map<Participant, MemberRow> members = new LinkedHashMap<>();
		jdbc.sql("SELECT * FROM messaging_members WHERE conversation_id = ? ORDER BY joined_at, participant")
			.param(id.value())
			.query(MessageStore::member)
			.list()
			.forEach(m -> members.put(m.participant(), m));
		return members;
	}

	/** The members of several conversations, in one query (a conversation without members is left out). */
	Map<ConversationId, Map<Participant, MemberRow>> members(java.util.Collection<? extends ConversationId> ids) {
		Map<ConversationId, Map<Participant, MemberRow>> out = new java.util.HashMap<>();
		jdbc.sql("SELECT * FROM messaging_members WHERE conversation_id = ANY (?) ORDER BY joined_at, participant")
			.param(ids.stream().map(ConversationId::value).toArray(UUID[]::new))
			.query(rs -> {
				MemberRow m = member(rs, 0);
				out.computeIfAbsent(new ConversationId(rs.getObject("conversation_id", UUID.class)),
						k -> new LinkedHashMap<>()).put(m.participant(), m);
			});
		return out;
	}

	Optional<MemberRow> member(ConversationId id, Participant p) {
		return jdbc.sql("SELECT * FROM messaging_members WHERE conversation_id = ? AND participant = ?")
			.params(id.value(), p.toString())
			.query(MessageStore::member)
			.optional();
	}

	private static MemberRow member(ResultSet rs, int n) throws SQLException {
		return new MemberRow(Participant.parse(rs.getString("participant")), MemberRole.valueOf(rs.getString("role")),
				rs.getLong("read_seq"), rs.getLong("delivered_seq"), instant(rs, "muted_until"));
	}

	/**
	 * Moves a cursor ({@code read_seq} or {@code delivered_seq}) forward only; returns where it was, or
	 * -1 when it did not move (already there or past it, or not a member).
	 */
	long advance(String column, ConversationId id, Participant p, long seq) {
		return jdbc.sql("WITH old AS (SELECT " + column + " AS seq FROM messaging_members WHERE conversation_id = ? AND "
				+ "participant = ? FOR UPDATE) UPDATE messaging_members m SET " + column + " = ? FROM old "
				+ "WHERE m.conversation_id = ? AND m.participant = ? AND old.seq < ? RETURNING old.seq")
			.params(id.value(), p.toString(), seq, id.value(), p.toString(), seq)
			.query(Long.class)
			.optional()
			.orElse(-1L);
	}

	// --- messages --------------------------------------------------------------------------------

	/** A message waiting for its seq in a batch (see {@link #insertBatch}). */
	record NewMessage(ConversationId conversationId, UUID id, @Nullable Participant sender, @Nullable String clientMsgId,
			MessageKind kind, String body, boolean requiresAck, Instant createdAt, @Nullable String searchTerms) {
	}

	/**
	 * Stores several messages, of any conversations, in one statement: each conversation's counter
	 * moves by its number of messages (its row locked until commit, so seqs stay gapless), the
	 * messages get consecutive seqs in list order within their conversation, and each sender's
	 * cursors move to their last one. Any repeated client message id fails the whole statement.
	 *
	 * @return the seq of each message by its id
	 */
	Map<UUID, Long> insertBatch(List<NewMessage> batch) {
		int n = batch.size();
		String[] conversations = new String[n];
		String[] ids = new String[n];
		String[] senders = new String[n];
		String[] clientMsgIds = new String[n];
		String[] kinds = new String[n];
		String[] bodies = new String[n];
		Boolean[] acks = new Boolean[n];
		String[] times = new String[n];
		String[] terms = new String[n];
		for (int i = 0; i < n; i++) {
			NewMessage m = batch.get(i);
			conversations[i] = m.conversationId().toString();
			ids[i] = m.id().toString();
			senders[i] = m.sender() == null ? null : m.sender().toString();
			clientMsgIds[i] = m.clientMsgId();
			kinds[i] = m.kind().name();
			bodies[i] = m.body();
			acks[i] = m.requiresAck();
			times[i] = m.createdAt().toString();
			terms[i] = m.searchTerms();
		}
		Map<UUID, Long> seqs = new java.util.HashMap<>();
		jdbc.sql("""
				WITH input AS (
				       SELECT * FROM unnest(CAST(? AS uuid[]), CAST(? AS uuid[]), CAST(? AS text[]), CAST(? AS text[]),
				                            CAST(? AS text[]), CAST(? AS text[]), CAST(? AS boolean[]),
				                            CAST(? AS timestamptz[]), CAST(? AS text[]))
				              WITH ORDINALITY AS t(conversation_id, id, sender, client_msg_id, kind, body, requires_ack,
				                                   created_at, terms, ord)),
				     counts AS (SELECT conversation_id, count(*) AS n, max(created_at) AS at FROM input GROUP BY conversation_id),
				     c AS (UPDATE messaging_conversations mc SET last_seq = mc.last_seq + counts.n, last_message_at = counts.at
				             FROM counts WHERE mc.id = counts.conversation_id
				           RETURNING mc.id, mc.last_seq AS last, counts.n),
				     numbered AS (SELECT i.*, c.last - c.n + row_number() OVER (PARTITION BY i.conversation_id ORDER BY i.ord) AS seq
				                    FROM input i JOIN c ON c.id = i.conversation_id),
				     m AS (INSERT INTO messaging_messages (conversation_id, seq, id, sender, client_msg_id, kind, body,
				                                           requires_ack, created_at, search_vector)
				           SELECT conversation_id, seq, id, sender, client_msg_id, kind, CAST(body AS jsonb), requires_ack,
				                  created_at, to_tsvector('simple', terms)
				             FROM numbered
				           RETURNING id, seq, conversation_id, sender),
				     cursors AS (SELECT conversation_id, sender, max(seq) AS seq FROM m WHERE sender IS NOT NULL
				                  GROUP BY conversation_id, sender),
				     r AS (UPDATE messaging_members mm SET read_seq = GREATEST(mm.read_seq, cursors.seq),
				                                           delivered_seq = GREATEST(mm.delivered_seq, cursors.seq)
				             FROM cursors WHERE mm.conversation_id = cursors.conversation_id AND mm.participant = cursors.sender)
				SELECT id, seq FROM m""")
			.params(conversations, ids, senders, clientMsgIds, kinds, bodies, acks, times, terms)
			.query((rs, row) -> seqs.put(rs.getObject(1, UUID.class), rs.getLong(2)))
			.list();
		return seqs;
	}

	/**
	 * Hands out the conversation's next seq and stores the message under it, moving the sender's
	 * cursors to it, in <em>one</em> statement: a single round trip and, outside a transaction, a single
	 * commit. The conversation row stays locked until the statement commits, so seqs stay gapless; a
	 * repeated client message id fails the whole statement ({@link org.springframework.dao.DuplicateKeyException})
	 * and hands out nothing.
	 *
	 * @return the seq the message was stored under
	 */
	long insertNext(ConversationId id, UUID messageId, @Nullable Participant sender, @Nullable String clientMsgId,
			MessageKind kind, String body, boolean requiresAck, Instant now, @Nullable String searchTerms) {
		Timestamp at = Timestamp.from(now);
		return jdbc.sql("""
				WITH c AS (UPDATE messaging_conversations SET last_seq = last_seq + 1, last_message_at = ?
				            WHERE id = ? RETURNING last_seq),
				     m AS (INSERT INTO messaging_messages (conversation_id, seq, id, sender, client_msg_id, kind, body,
				                                           requires_ack, created_at, search_vector)
				           SELECT ?, c.last_seq, ?, ?, ?, ?, ?::jsonb, ?, ?, to_tsvector('simple', ?::text) FROM c
				           RETURNING seq),
				     r AS (UPDATE messaging_members SET read_seq = GREATEST(read_seq, m.seq),
				                                        delivered_seq = GREATEST(delivered_seq, m.seq)
				             FROM m WHERE conversation_id = ? AND participant = ?)
				SELECT seq FROM m""")
			.params(at, id.value(), id.value(), messageId, sender == null ? null : sender.toString(), clientMsgId,
					kind.name(), body, requiresAck, at, searchTerms, id.value(), sender == null ? null : sender.toString())
			.query(Long.class)
			.single();
	}

	/** The message a sender (null: the merchant) stored with a client message id. */
	Optional<Message> findByClientMsgId(ConversationId id, @Nullable Participant sender, String clientMsgId) {
		if (sender == null) {
			return jdbc.sql("SELECT " + MESSAGE_COLUMNS
					+ " FROM messaging_messages WHERE conversation_id = ? AND sender IS NULL AND client_msg_id = ?")
				.params(id.value(), clientMsgId)
				.query(this::message)
				.optional();
		}
		return jdbc.sql("SELECT " + MESSAGE_COLUMNS
				+ " FROM messaging_messages WHERE conversation_id = ? AND sender = ? AND client_msg_id = ?")
			.params(id.value(), sender.toString(), clientMsgId)
			.query(this::message)
			.optional();
	}

	/** The keys of the merchant's posts with a seq in {@code (after, upto]}, the last {@code limit} of them, oldest first. */
	List<String> merchantPostKeys(ConversationId id, long after, long upto, int limit) {
		List<String> keys = new ArrayList<>(jdbc.sql("""
				SELECT client_msg_id FROM messaging_messages
				WHERE conversation_id = ? AND seq > ? AND seq <= ? AND sender IS NULL AND client_msg_id IS NOT NULL
				ORDER BY seq DESC LIMIT ?""")
			.params(id.value(), after, upto, limit)
			.query(String.class)
			.list());
		java.util.Collections.reverse(keys);
		return keys;
	}

	/** A post of the merchant by its conversation and key (see {@link #findMerchantPosts}). */
	record PostKey(ConversationId conversation, String key) {
	}

	/** The messages the merchant stored with these keys, in one query; keys never used are left out. */
	Map<PostKey, Message> findMerchantPosts(java.util.Collection<PostKey> keys) {
		Map<PostKey, Message> found = new java.util.HashMap<>();
		jdbc.sql("SELECT " + JOINED_MESSAGE_COLUMNS + """
				  FROM unnest(CAST(? AS uuid[]), CAST(? AS text[])) AS k(conversation_id, client_msg_id)
				  JOIN messaging_messages m ON m.conversation_id = k.conversation_id AND m.client_msg_id = k.client_msg_id
				 WHERE m.sender IS NULL AND m.client_msg_id IS NOT NULL""")
			.params(keys.stream().map(k -> k.conversation().value()).toArray(UUID[]::new),
					keys.stream().map(PostKey::key).toArray(String[]::new))
			.query(this::message)
			.list()
			.forEach(m -> found.put(new PostKey(m.conversationId(), m.clientMsgId()), m));
		return found;
	}

	Optional<Message> findMessage(ConversationId id, long seq) {
		return jdbc.sql("SELECT " + MESSAGE_COLUMNS + " FROM messaging_messages WHERE conversation_id = ? AND seq = ?")
			.params(id.value(), seq)
			.query(this::message)
			.optional();
	}

	/** Clears a recalled message's content, and its words from search; only the fact that it existed stays. */
	boolean markRecalled(ConversationId id, long seq, Instant now) {
		return jdbc.sql("""
				UPDATE messaging_messages SET recalled_at = ?, body = '{}'::jsonb, search_vector = NULL
				 WHERE conversation_id = ? AND seq = ? AND recalled_at IS NULL""")
			.params(Timestamp.from(now), id.value(), seq)
			.update() == 1;
	}

	List<Message> after(ConversationId id, long afterSeq, int limit) {
		return jdbc.sql("SELECT " + MESSAGE_COLUMNS
				+ " FROM messaging_messages WHERE conversation_id = ? AND seq > ? ORDER BY seq LIMIT ?")
			.params(id.value(), afterSeq, limit)
			.query(this::message)
			.list();
	}

	List<Message> before(ConversationId id, long beforeSeq, int limit) {
		return jdbc.sql("SELECT " + MESSAGE_COLUMNS
				+ " FROM messaging_messages WHERE conversation_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?")
			.params(id.value(), beforeSeq, limit)
			.query(this::message)
			.list();
	}

	/**
	 * Messages before {@code beforeSeq} holding every one of the terms (space-separated words, see
	 * {@link SearchTerms}), newest first.
	 */
	List<Message> search(ConversationId id, String terms, long beforeSeq, int limit) {
		return jdbc.sql("SELECT " + MESSAGE_COLUMNS + " FROM messaging_messages"
				+ " WHERE conversation_id = ? AND seq < ? AND recalled_at IS NULL"
				+ " AND search_vector @@ plainto_tsquery('simple', ?) ORDER BY seq DESC LIMIT ?")
			.params(id.value(), beforeSeq, terms, limit)
			.query(this::message)
			.list();
	}

	/** Messages after each cursor in conversations the participant belongs to, by conversation then seq. */
	List<Message> missed(Participant p, Map<ConversationId, Long> cursors, int limit) {
		if (cursors.isEmpty()) {
			return List.of();
		}
		String[] ids = new String[cursors.size()];
		Long[] seqs = new Long[cursors.size()];
		int i = 0;
		for (var e : cursors.entrySet()) {
			ids[i] = e.getKey().toString();
			seqs[i++] = e.getValue();
		}
		return jdbc.sql("""
				SELECT m.conversation_id, m.seq, m.id, m.sender, m.client_msg_id, m.kind, m.body, m.requires_ack,
				       m.created_at, m.recalled_at
				  FROM unnest(CAST(? AS uuid[]), CAST(? AS bigint[])) AS cur(conversation_id, after_seq)
				  JOIN messaging_members mm ON mm.conversation_id = cur.conversation_id AND mm.participant = ?
				  JOIN messaging_messages m ON m.conversation_id = cur.conversation_id AND m.seq > cur.after_seq
				 ORDER BY m.conversation_id, m.seq LIMIT ?""")
			.params(ids, seqs, p.toString(), limit)
			.query(this::message)
			.list();
	}

	// --- acknowledgements and reactions -------------------------------------------------------------

	boolean acknowledge(ConversationId id, long seq, Participant p, Instant now) {
		return jdbc.sql("""
				INSERT INTO messaging_acks (conversation_id, seq, participant, acked_at) VALUES (?, ?, ?, ?)
				ON CONFLICT DO NOTHING""")
			.params(id.value(), seq, p.toString(), Timestamp.from(now))
			.update() == 1;
	}

	List<Participant> acknowledged(ConversationId id, long seq) {
		return jdbc.sql("SELECT participant FROM messaging_acks WHERE conversation_id = ? AND seq = ? ORDER BY acked_at")
			.params(id.value(), seq)
			.query((rs, n) -> Participant.parse(rs.getString(1)))
			.list();
	}

	/** Who acknowledged the message, and when, in the order they did. */
	Map<Participant, Instant> acknowledgements(ConversationId id, long seq) {
		Map<Participant, Instant> acks = new LinkedHashMap<>();
		jdbc.sql("SELECT participant, acked_at FROM messaging_acks WHERE conversation_id = ? AND seq = ? ORDER BY acked_at")
			.params(id.value(), seq)
			.query(rs -> {
				acks.put(Participant.parse(rs.getString(1)), rs.getTimestamp(2).toInstant());
			});
		return acks;
	}

	/** Records a member's answer to an action card; false when they had already answered it. */
	boolean clickAction(ConversationId id, long seq, Participant p, String actionId, Instant now) {
		return jdbc.sql("""
				INSERT INTO messaging_card_actions (conversation_id, seq, participant, action_id, clicked_at)
				VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING""")
			.params(id.value(), seq, p.toString(), actionId, Timestamp.from(now))
			.update() == 1;
	}

	boolean addReaction(ConversationId id, long seq, Participant p, String emoji, Instant now) {
		return jdbc.sql("""
				INSERT INTO messaging_reactions (conversation_id, seq, participant, emoji, created_at)
				VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING""")
			.params(id.value(), seq, p.toString(), emoji, Timestamp.from(now))
			.update() == 1;
	}

	boolean removeReaction(ConversationId id, long seq, Participant p, String emoji) {
		return jdbc.sql("DELETE FROM messaging_reactions WHERE conversation_id = ? AND seq = ? AND participant = ? AND emoji = ?")
			.params(id.value(), seq, p.toString(), emoji)
			.update() == 1;
	}

	Map<String, Integer> reactionCounts(ConversationId id, long seq) {
		Map<String, Integer> counts = new LinkedHashMap<>();
		jdbc.sql("""
				SELECT emoji, count(*) AS n, min(created_at) AS first FROM messaging_reactions
				 WHERE conversation_id = ? AND seq = ? GROUP BY emoji ORDER BY first""")
			.params(id.value(), seq)
			.query((rs, n) -> Map.entry(rs.getString("emoji"), rs.getInt("n")))
			.list()
			.forEach(e -> counts.put(e.getKey(), e.getValue()));
		return counts;
	}

	int reactionsBy(ConversationId id, long seq, Participant p) {
		return jdbc.sql("SELECT count(*) FROM messaging_reactions WHERE conversation_id = ? AND seq = ? AND participant = ?")
			.params(id.value(), seq, p.toString())
			.query(Integer.class)
			.single();
	}

	// --- mapping ----------------------------------------------------------------------------------

	private Message message(ResultSet rs, int row) throws SQLException {
		String sender = rs.getString("sender");
		return new Message(new ConversationId(rs.getObject("conversation_id", UUID.class)), rs.getLong("seq"),
				rs.getObject("id", UUID.class), sender == null ? null : Participant.parse(sender),
				rs.getString("client_msg_id"), MessageKind.valueOf(rs.getString("kind")),
				json.readTree(rs.getString("body")), rs.getBoolean("requires_ack"), instant(rs, "created_at"),
				rs.getTimestamp("recalled_at") != null);
	}

	private static ConversationRow row(ResultSet rs, int n) throws SQLException {
		return new ConversationRow(new ConversationId(rs.getObject("id", UUID.class)),
				ConversationKind.valueOf(rs.getString("kind")), rs.getObject("org_node_id", UUID.class),
				rs.getString("title"), rs.getString("direct_key"), rs.getString("created_by"), instant(rs, "created_at"),
				rs.getLong("last_seq"), instant(rs, "last_message_at"), rs.getInt("member_count"),
				rs.getInt("member_limit"), rs.getBoolean("mute_all"), rs.getString("announcement"));
	}

	static @Nullable Instant instant(ResultSet rs, String column) throws SQLException {
		Timestamp ts = rs.getTimestamp(column);
		return ts == null ? null : ts.toInstant();
	}
}
