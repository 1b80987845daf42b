package io.storecast.messaging.internal;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.dao.DataAccessException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import io.storecast.identity.AccessPolicy;
import io.storecast.identity.Actor;
import io.storecast.identity.CustomerDirectory;
import io.storecast.identity.CustomerId;
import io.storecast.identity.OrgDirectory;
import io.storecast.identity.OrgNode;
import io.storecast.identity.OrgNodeId;
import io.storecast.identity.OrgNodeKind;
import io.storecast.identity.Permission;
import io.storecast.identity.Role;
import io.storecast.identity.StaffDirectory;
import io.storecast.identity.StaffId;
import io.storecast.messaging.CardActionClicked;
import io.storecast.messaging.CardType;
import io.storecast.messaging.Conversation;
import io.storecast.messaging.ConversationCaches;
import io.storecast.messaging.ConversationId;
import io.storecast.messaging.ConversationKind;
import io.storecast.messaging.CustomerPost;
import io.storecast.messaging.CustomerPostResult;
import io.storecast.messaging.CustomerReadUpTo;
import io.storecast.messaging.CustomerTextReceived;
import io.storecast.messaging.CustomersJoinedGroup;
import io.storecast.messaging.LiveUpdate;
import io.storecast.messaging.LiveUpdates;
import io.storecast.messaging.MemberRole;
import io.storecast.messaging.MerchantMessaging;
import io.storecast.messaging.Message;
import io.storecast.messaging.MessageDraft;
import io.storecast.messaging.MessageKind;
import io.storecast.messaging.Messaging;
import io.storecast.messaging.Participant;
import io.storecast.messaging.SendResult;
import io.storecast.platform.ApiException;
import io.storecast.platform.Ids;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** Implements {@link Messaging}: the rules of who may say what where, and the durable, gapless sequence. */
@Service
class MessagingService implements Messaging, MerchantMessaging, ConversationCaches {

	private static final Logger log = LoggerFactory.getLogger(MessagingService.class);

	static final Pattern CLIENT_MSG_ID = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
	static final int MAX_MENTIONS = 50;
	static final int MAX_REACTIONS_PER_MEMBER = 5;
	static final int MAX_MEMBER_LIMIT = 10_000;
	static final int MAX_CAPTION_LENGTH = 1000;
	static final int MAX_QUERY_LENGTH = 200;
	static final int MAX_PAGE = 200;
	/** Card payload fields whose words are searchable. */
	static final List<String> SEARCHABLE_CARD_FIELDS = List.of("name", "title", "text");

	private final MessageStore store;
	private final SendBatcher batcher;
	private final AccessPolicy access;
	private final OrgDirectory org;
	private final StaffDirectory staff;
	private final CustomerDirectory customers;
	private final ContentFilter filter;
	private final SearchTerms searchTerms;
	private final FileStore files;
	private final Map<String, CardType> cardTypes;
	private final ObjectProvider<LiveUpdates> live;
	private final ApplicationEventPublisher events;
	private final MessagingSettings settings;
	private final TransactionTemplate tx;
	private final JsonMapper json;
	private final Clock clock;
	/**
	 * Conversations as the send path needs them (kind, mute-all); their last seq may be stale. Changes
	 * made through this service evict them at once.
	 */
	private final Cache<ConversationId, ConversationRow> rows = Caffeine.newBuilder()
		.maximumSize(100_000)
		.expireAfterWrite(30, TimeUnit.SECONDS)
		.build();
	/** Members by conversation, for the checks on every send and the audience of every update. */
	private final Cache<ConversationId, Map<Participant, MemberRow>> members = Caffeine.newBuilder()
		.maximumSize(100_000)
		.expireAfterWrite(30, TimeUnit.SECONDS)
		.build();

	MessagingService(MessageStore store, SendBatcher batcher, AccessPolicy access, OrgDirectory org, StaffDirectory staff,
			CustomerDirectory customers, ContentFilter filter, SearchTerms searchTerms, FileStore files,
			List<CardType> cardTypes, ObjectProvider<LiveUpdates> live, ApplicationEventPublisher events,
			MessagingSettings settings, TransactionTemplate tx, JsonMapper json, Clock clock) {
		this.store = store;
		this.batcher = batcher;
		this.access = access;
		this.org = org;
		this.staff = staff;
		this.customers = customers;
		this.filter = filter;
		this.searchTerms = searchTerms;
		this.files = files;
		this.cardTypes = cardTypes.stream().collect(Collectors.toUnmodifiableMap(CardType::name, Function.identity()));
		this.live = live;
		this.events = events;
		this.settings = settings;
		this.tx = tx;
		this.json = json;
		this.clock = clock;
	}

	// --- opening and creating -------------------------------------------------------------------

	@Override
	public Conversation openWithStore(Actor actor, OrgNodeId storeId, @Nullable Participant customer) {
		OrgNode store = org.find(storeId)
			.filter(n -> n.kind() == OrgNodeKind.STORE)
			.orElseThrow(() -> ApiException.badRequest("unknown-store", "storeId", "No store " + storeId));
		Participant me = participant(actor);
		Participant theCustomer;
		if (actor instanceof Actor.Customer c) {
			theCustomer = Participant.customer(c.id());
		}
		else {
			if (customer == null || customer.kind() != Participant.Kind.CUSTOMER) {
				throw ApiException.badRequest("validation-failed", "customer", "Name the customer to talk to");
			}
			var profile = customers.find(new CustomerId(customer.id()))
				.orElseThrow(() -> ApiException.badRequest("unknown-participant", "customer", "No customer " + customer));
			access.requireAt(actor, Permission.CUSTOMER_READ, storeId);
			access.requireCustomer(actor, Permission.CUSTOMER_READ, profile.id(), profile.homeStoreId());
			theCustomer = customer;
		}
		String key = customerKey(storeId, theCustomer);
		return openDirect(actor, me, key, store.id(), () -> {
			List<Participant> people = new ArrayList<>();
			people.add(theCustomer);
			staff.activeAt(storeId).stream().map(s -> Participant.staff(s.id())).forEach(people::add);
			return people;
		});
	}

	@Override
	public Conversation openWithStaff(Actor actor, Participant other) {
		if (!(actor instanceof Actor.Staff self)) {
			throw ApiException.forbidden("forbidden", "Only staff open conversations with staff");
		}
		if (other.kind() != Participant.Kind.STAFF || other.id().equals(self.id().value())) {
			throw ApiException.badRequest("validation-failed", "staff", "Name another staff member");
		}
		staff.findActive(new StaffId(other.id()))
			.orElseThrow(() -> ApiException.badRequest("unknown-participant", "staff", "No active staff member " + other));
		Participant me = Participant.staff(self.id());
		String a = me.toString();
		String b = other.toString();
		String key = a.compareTo(b) < 0 ? a + "|" + b : b + "|" + a;
		return openDirect(actor, me, key, null, () -> List.of(me, other));
	}

	private Conversation openDirect(Actor actor, Participant me, String key, @Nullable OrgNodeId node,
			java.util.function.Supplier<List<Participant>> people) {
		ConversationId id = ensureConversation(key, ConversationKind.DIRECT, node, null, me.toString(), people);
		if (!membersOf(id).containsKey(me)) {
			// staff who joined the store after the conversation was opened
			tx.executeWithoutResult(s -> store.addMembers(id, List.of(me), MemberRole.MEMBER, clock.instant()));
			changed(id);
		}
		return get(actor, id);
	}

	@Override
	public Conversation createGroup(Actor actor, ConversationKind kind, OrgNodeId orgNode, String title,
			List<Participant> initial, @Nullable Integer memberLimit) {
		if (kind == ConversationKind.DIRECT) {
			throw ApiException.badRequest("invalid-value", "kind", "Open direct conversations with /direct");
		}
		if (!(actor instanceof Actor.Staff self) || self.role() == Role.CLERK) {
			throw ApiException.forbidden("forbidden", "Groups and channels are created by managers and head office staff");
		}
		access.requireAt(actor, Permission.ORG_READ, orgNode);
		int limit = memberLimit == null ? settings.defaultMemberLimit() : memberLimit;
		if (limit < 2 || limit > MAX_MEMBER_LIMIT) {
			throw ApiException.badRequest("invalid-value", "memberLimit", "must be between 2 and " + MAX_MEMBER_LIMIT);
		}
		Participant owner = Participant.staff(self.id());
		Set<Participant> others = new LinkedHashSet<>(initial);
		others.remove(owner);
		if (others.size() + 1 > limit) {
			throw ApiException.badRequest("member-limit", "members", "The group would exceed its limit of " + limit);
		}
		others.forEach(p -> requireExists(p, "members"));
		ConversationId id = new ConversationId(Ids.newId());
		tx.executeWithoutResult(s -> {
			Instant now = clock.instant();
			store.insertConversation(new ConversationRow(id, kind, orgNode.value(), title, null, owner.toString(), now, 0,
					now, 0, limit, false, null));
			store.addMembers(id, List.of(owner), MemberRole.OWNER, now);
			joined(id, kind, orgNode.value(), store.addMembers(id, List.copyOf(others), MemberRole.MEMBER, now), now);
		});
		return get(actor, id);
	}

	// --- reading -------------------------------------------------------------------------------

	@Override
	public Conversation get(Actor actor, ConversationId id) {
		ConversationRow row = conversation(id);
		requireMember(actor, id);
		// the receipts come fresh from the database; the member cache serves checks and audiences only
		MemberRow me = store.member(id, participant(actor))
			.orElseThrow(() -> ApiException.forbidden("not-a-member", "You are not in this conversation"));
		return MessageStore.view(row, me.role(), me.readSeq());
	}

	@Override
	public List<Conversation> mine(Actor actor, int limit) {
		return store.conversationsOf(participant(actor), limit);
	}

	@Override
	public List<Member> members(Actor actor, ConversationId id) {
		requireMember(actor, id);
		return store.members(id)
			.values()
			.stream()
			.map(m -> new Member(m.participant(), m.role(), m.readSeq(), m.deliveredSeq(), m.mutedUntil()))
			.toList();
	}

	@Override
	public Set<Participant> membersFor(Actor actor, ConversationId id) {
		conversation(id);
		requireMember(actor, id);
		return Set.copyOf(membersOf(id).keySet());
	}

	@Override
	public List<Message> history(Actor actor, ConversationId id, @Nullable Long afterSeq, @Nullable Long beforeSeq,
			int limit) {
		ConversationRow row = conversation(id);
		requireMember(actor, id);
		if (afterSeq != null && beforeSeq != null) {
			throw ApiException.badRequest("validation-failed", "after", "Give either after or before, not both");
		}
		if (afterSeq != null) {
			if (afterSeq < 0 || afterSeq > row.lastSeq()) {
				throw ApiException.badRequest("seq-out-of-range", "after",
						"after must be between 0 and the last seq " + row.lastSeq() + ", was " + afterSeq);
			}
			return store.after(id, afterSeq, limit);
		}
		long before = beforeSeq == null ? row.lastSeq() + 1 : beforeSeq;
		if (before < 1 || before > row.lastSeq() + 1) {
			throw ApiException.badRequest("seq-out-of-range", "before",
					"before must be between 1 and " + (row.lastSeq() + 1) + ", was " + before);
		}
		return store.before(id, before, limit);
	}

	@Override
	public List<Message> search(Actor actor, ConversationId id, String query, @Nullable Long beforeSeq, int limit) {
		ConversationRow row = conversation(id);
		requireMember(actor, id);
		if (query == null || query.isBlank()) {
			throw ApiException.badRequest("validation-failed", "q", "Give the words to search for");
		}
		if (query.codePointCount(0, query.length()) > MAX_QUERY_LENGTH) {
			throw ApiException.badRequest("validation-failed", "q",
					"A search has at most " + MAX_QUERY_LENGTH + " characters");
		}
		if (limit < 1 || limit > MAX_PAGE) {
			throw ApiException.badRequest("invalid-limit", "limit", "limit must be between 1 and " + MAX_PAGE);
		}
		long before = beforeSeq == null ? row.lastSeq() + 1 : beforeSeq;
		if (before < 1 || before > row.lastSeq() + 1) {
			throw ApiException.badRequest("seq-out-of-range", "before",
					"before must be between 1 and " + (row.lastSeq() + 1) + ", was " + before);
		}
		String terms = searchTerms.forQuery(query);
		if (terms.isEmpty()) {
			// only punctuation or symbols: nothing could match, and PostgreSQL would warn about the empty query
			return List.of();
		}
		return store.search(id, terms, before, limit);
	}

	@Override
	public SyncResult sync(Actor actor, Map<ConversationId, Long> cursors) {
		Participant me = participant(actor);
		List<Conversation> mine = store.conversationsOf(me, 1000);
		Map<ConversationId, Long> lastSeqs = mine.stream().collect(Collectors.toMap(Conversation::id, Conversation::lastSeq));
		cursors.forEach((conversation, seq) -> {
			Long last = lastSeqs.get(conversation);
			if (last != null && seq > last) {
				throw ApiException.badRequest("seq-out-of-range", "cursors." + conversation,
						"The cursor " + seq + " is beyond the conversation's last seq " + last + "; resync from " + last);
			}
		});
		int batch = settings.syncBatchSize();
		List<Message> missed = store.missed(me, cursors, batch + 1);
		boolean more = missed.size() > batch;
		return new SyncResult(more ? missed.subList(0, batch) : missed, mine, more);
	}

	// --- sending -------------------------------------------------------------------------------

	@Override
	public SendResult send(Actor actor, ConversationId id, String clientMsgId, MessageDraft draft) {
		requireClientMsgId(clientMsgId);
		Participant me = participant(actor);
		ConversationRow row = rows.get(id, this::conversation);
		MemberRow member = requireMember(actor, id);
		Prepared prepared;
		try {
			requireMayPost(row, member);
			prepared = prepare(row, member, draft);
		}
		catch (ApiException refused) {
			// a retry of a message stored before gets the original, even if it would be refused now (muted since)
			Optional<SendResult> retry = retried(id, me, clientMsgId);
			if (retry.isPresent()) {
				return retry.get();
			}
			throw refused;
		}
		// a plain retry needs no lookup first: the store's unique key finds it (see store)
		// segmenting happens here, outside the transaction that holds the conversation's row lock
		String terms = prepared.searchText() == null ? null : searchTerms.forIndex(prepared.searchText());
		SendResult result = store(id, me, clientMsgId, draft.kind(), prepared.body(), draft.requiresAck(),
				prepared.masked(), terms);
		if (!result.duplicate() && draft.kind() == MessageKind.TEXT && me.kind() == Participant.Kind.CUSTOMER
				&& row.kind() == ConversationKind.DIRECT && row.orgNodeId() != null) {
			Message m = result.message();
			afterCommit(() -> events.publishEvent(new CustomerTextReceived(id, m.seq(), new CustomerId(me.id()),
					new OrgNodeId(row.orgNodeId()), m.body().path("text").asString(), m.createdAt())));
		}
		return result;
	}

	private SendResult store(ConversationId id, @Nullable Participant sender, @Nullable String clientMsgId, MessageKind kind,
			JsonNode body, boolean requiresAck, List<String> masked, @Nullable String searchTerms) {
		Instant now = clock.instant();
		UUID messageId = Ids.newId();
		String bodyJson = json.writeValueAsString(body);
		long seq;
		try {
			if (TransactionSynchronizationManager.isActualTransactionActive()) {
				// part of a larger change (a group event): stored in that transaction
				seq = store.insertNext(id, messageId, sender, clientMsgId, kind, bodyJson, requiresAck, now, searchTerms);
			}
			else {
				// on its own: committed together with whatever else is being sent at this moment (group commit)
				seq = batcher.store(new MessageStore.NewMessage(id, messageId, sender, clientMsgId, kind, bodyJson,
						requiresAck, now, searchTerms));
			}
		}
		catch (DuplicateKeyException retried) {
			// the same client message id was stored before (or concurrently): answer with that one
			Message first = clientMsgId == null ? null : store.findByClientMsgId(id, sender, clientMsgId).orElse(null);
			if (first == null) {
				throw retried;
			}
			return new SendResult(first, true, List.of());
		}
		Message message = new Message(id, seq, messageId, sender, clientMsgId, kind, body, requiresAck, now, false);
		afterCommit(new LiveUpdate.MessageStored(message, audience(id)));
		return new SendResult(message, false, masked);
	}

	/** A body ready to store, the words masked in it, and the text to make searchable (null for none). */
	private record Prepared(JsonNode body, List<String> masked, @Nullable String searchText) {
	}

	private Prepared prepare(ConversationRow row, MemberRow member, MessageDraft draft) {
		JsonNode body = draft.body();
		if (body == null || !body.isObject()) {
			throw ApiException.badRequest("invalid-message", "body", "The message body must be a JSON object");
		}
		return switch (draft.kind()) {
			case TEXT -> prepareText(row, member, (ObjectNode) body);
			case CARD -> prepareCard((ObjectNode) body);
			case IMAGE, VOICE, VIDEO, FILE -> prepareMedia(row, member, draft.kind(), (ObjectNode) body);
			case RECALL, SYSTEM -> throw ApiException.badRequest("invalid-message-kind", "kind",
					draft.kind() + " messages are written by the server");
		};
	}

	private Prepared prepareText(ConversationRow row, MemberRow member, ObjectNode body) {
		allowOnly(body, Set.of("text", "mentions", "mentionAll"));
		JsonNode textNode = body.get("text");
		if (textNode == null || !textNode.isString() || textNode.asString().isBlank()) {
			throw ApiException.badRequest("invalid-message", "body.text", "A text message needs non-blank text");
		}
		String text = textNode.asString();
		if (text.codePointCount(0, text.length()) > settings.maxTextLength()) {
			throw ApiException.badRequest("text-too-long", "body.text",
					"The text has more than " + settings.maxTextLength() + " characters");
		}
		JsonNode mentions = body.get("mentions");
		if (mentions != null) {
			if (!mentions.isArray() || mentions.size() > MAX_MENTIONS) {
				throw ApiException.badRequest("invalid-message", "body.mentions",
						"mentions must be a list of at most " + MAX_MENTIONS + " members");
			}
			Map<Participant, MemberRow> all = membersOf(row.id());
			for (int i = 0; i < mentions.size(); i++) {
				Participant p = parseParticipant(mentions.get(i), "body.mentions[" + i + "]");
				if (!all.containsKey(p)) {
					throw ApiException.badRequest("not-a-member", "body.mentions[" + i + "]", p + " is not in this conversation");
				}
			}
		}
		JsonNode mentionAll = body.get("mentionAll");
		if (mentionAll != null) {
			if (!mentionAll.isBoolean()) {
				throw ApiException.badRequest("invalid-message", "body.mentionAll", "mentionAll must be true or false");
			}
			if (mentionAll.asBoolean() && !member.role().administers()) {
				throw ApiException.forbidden("forbidden", "Only admins may mention everyone");
			}
		}
		ContentFilter.Verdict verdict = filter.check(text);
		if (!verdict.accepted()) {
			throw new ApiException(HttpStatus.BAD_REQUEST, "sensitive-content",
					"The text contains words that may not be sent: " + String.join(", ", verdict.rejected()),
					List.of(new ApiException.FieldProblem("body.text", "contains " + String.join(", ", verdict.rejected()))),
					null);
		}
		ObjectNode stored = body.deepCopy();
		stored.put("text", verdict.text());
		// the stored text is indexed, so a masked word cannot be found either
		return new Prepared(stored, verdict.masked(), verdict.text());
	}

	private Prepared prepareCard(ObjectNode body) {
		allowOnly(body, Set.of("card", "payload"));
		JsonNode card = body.get("card");
		if (card == null || !card.isString()) {
			throw ApiException.badRequest("invalid-card", "body.card", "A card message names its card type");
		}
		CardType type = cardTypes.get(card.asString());
		if (type == null) {
			throw ApiException.badRequest("invalid-card", "body.card",
					"Unknown card type '" + card.asString() + "'; known: " + String.join(", ", cardTypes.keySet()));
		}
		JsonNode payload = body.get("payload");
		if (payload == null || !payload.isObject()) {
			throw ApiException.badRequest("invalid-card", "body.payload", "A card needs a payload object");
		}
		type.validate(payload);
		List<String> words = new ArrayList<>();
		for (String field : SEARCHABLE_CARD_FIELDS) {
			JsonNode value = payload.get(field);
			if (value != null && value.isString()) {
				words.add(value.asString());
			}
		}
		return new Prepared(body, List.of(), String.join(" ", words));
	}

	/**
	 * A media message: {@code {"fileId": "...", "caption": "..."}} naming a file the sender uploaded
	 * to this conversation; the stored body describes the file for clients.
	 */
	private Prepared prepareMedia(ConversationRow row, MemberRow member, MessageKind kind, ObjectNode body) {
		allowOnly(body, Set.of("fileId", "caption"));
		JsonNode fileIdNode = body.get("fileId");
		if (fileIdNode == null || !fileIdNode.isString()) {
			throw ApiException.badRequest("invalid-message", "body.fileId",
					"A " + kind + " message names its file: the fileId an upload to this conversation answered with");
		}
		UUID fileId;
		try {
			fileId = UUID.fromString(fileIdNode.asString());
		}
		catch (IllegalArgumentException e) {
			throw ApiException.badRequest("invalid-message", "body.fileId", "fileId must be a file id, was '"
					+ fileIdNode.asString() + "'");
		}
		// a file of another conversation, or another member's upload, is as unknown as one that does not exist
		FileRow file = files.find(row.id(), fileId)
			.filter(f -> f.uploader().equals(member.participant()))
			.orElseThrow(() -> ApiException.badRequest("unknown-file", "body.fileId",
					"No file " + fileId + " uploaded by you to this conversation"));
		if (file.kind() != kind) {
			throw ApiException.badRequest("invalid-message", "body.fileId",
					"The file is " + file.contentType() + ", which is sent as a " + file.kind() + " message, not " + kind);
		}
		ObjectNode stored = json.createObjectNode()
			.put("fileId", file.id().toString())
			.put("contentType", file.contentType())
			.put("size", file.size())
			.put("url", file.url());
		if (file.originalName() != null) {
			stored.put("name", file.originalName());
		}
		List<String> words = new ArrayList<>();
		if (kind == MessageKind.FILE && file.originalName() != null) {
			words.add(file.originalName());
		}
		List<String> masked = List.of();
		JsonNode caption = body.get("caption");
		if (caption != null && !caption.isNull()) {
			if (!caption.isString()) {
				throw ApiException.badRequest("invalid-message", "body.caption", "caption must be text");
			}
			String text = caption.asString();
			if (text.codePointCount(0, text.length()) > MAX_CAPTION_LENGTH) {
				throw ApiException.badRequest("invalid-message", "body.caption",
						"A caption has at most " + MAX_CAPTION_LENGTH + " characters");
			}
			if (!text.isBlank()) {
				ContentFilter.Verdict verdict = filter.check(text);
				if (!verdict.accepted()) {
					throw new ApiException(HttpStatus.BAD_REQUEST, "sensitive-content",
							"The caption contains words that may not be sent: " + String.join(", ", verdict.rejected()),
							List.of(new ApiException.FieldProblem("body.caption",
									"contains " + String.join(", ", verdict.rejected()))),
							null);
				}
				stored.put("caption", verdict.text());
				masked = verdict.masked();
				words.add(verdict.text());
			}
		}
		return new Prepared(stored, masked, String.join(" ", words));
	}

	@Override
	public SendResult recall(Actor actor, ConversationId id, long seq, String clientMsgId) {
		requireClientMsgId(clientMsgId);
		Participant me = participant(actor);
		ConversationRow row = conversation(id);
		MemberRow member = requireMember(actor, id);
		Optional<SendResult> retry = retried(id, me, clientMsgId);
		if (retry.isPresent()) {
			return retry.get();
		}
		Message target = store.findMessage(id, seq)
			.orElseThrow(() -> ApiException.notFound("not-found", "No message " + seq + " in this conversation"));
		if (target.kind() == MessageKind.RECALL || target.kind() == MessageKind.SYSTEM) {
			throw ApiException.badRequest("invalid-message-kind", "seq", "A " + target.kind() + " message cannot be recalled");
		}
		if (target.recalled()) {
			throw ApiException.conflict("already-recalled", "Message " + seq + " was already recalled");
		}
		boolean admin = row.kind() != ConversationKind.DIRECT && member.role().administers();
		boolean ownInWindow = me.equals(target.sender())
				&& clock.instant().isBefore(target.createdAt().plus(settings.recallWindow()));
		if (!admin && !ownInWindow) {
			throw me.equals(target.sender())
					? ApiException.forbidden("recall-window-passed",
							"A message can be recalled within " + settings.recallWindow().toMinutes() + " minutes of sending")
					: ApiException.forbidden("forbidden", "Only the sender or an admin may recall this message");
		}
		ObjectNode body = json.createObjectNode().put("recalledSeq", seq);
		try {
			return tx.execute(s -> {
				if (!store.markRecalled(id, seq, clock.instant())) {
					throw ApiException.conflict("already-recalled", "Message " + seq + " was already recalled");
				}
				// a recalled picture or file must not stay downloadable by its id
				JsonNode fileId = target.body().get("fileId");
				if (fileId != null && fileId.isString()) {
					try {
						files.recall(id, UUID.fromString(fileId.asString()), clock.instant());
					}
					catch (IllegalArgumentException notAnId) {
						// bodies are validated on send; nothing to revoke
					}
				}
				return store(id, me, clientMsgId, MessageKind.RECALL, body, false, List.of(), null);
			});
		}
		catch (DuplicateKeyException raced) {
			return new SendResult(store.findByClientMsgId(id, me, clientMsgId).orElseThrow(), true, List.of());
		}
	}

	// --- receipts, acknowledgements, reactions --------------------------------------------------

	@Override
	public void markRead(Actor actor, ConversationId id, long seq) {
		moveCursor(actor, id, seq, "read_seq");
	}

	@Override
	public void markDelivered(Actor actor, ConversationId id, long seq) {
		moveCursor(actor, id, seq, "delivered_seq");
	}

	private void moveCursor(Actor actor, ConversationId id, long seq, String column) {
		ConversationRow row = conversation(id);
		Participant me = participant(actor);
		requireMember(actor, id);
		if (seq < 0 || seq > row.lastSeq()) {
			throw ApiException.badRequest("seq-out-of-range", "seq",
					"seq must be between 0 and the last seq " + row.lastSeq() + ", was " + seq);
		}
		tx.executeWithoutResult(s -> {
			long from = store.advance(column, id, me, seq);
			if (from >= 0 && column.equals("read_seq")) {
				afterCommit(new LiveUpdate.ReadUpTo(id, me, seq, audience(id)));
				// only when it covers a post of the store's with a key (what delivery sends): most receipts, in
				// chats with staff and in groups, cover none, and each publication is a row of the registry's;
				// in this transaction, so the registry keeps it until delivery has marked its messages read
				if (me.kind() == Participant.Kind.CUSTOMER && !store.merchantPostKeys(id, from, seq, 1).isEmpty()) {
					events.publishEvent(new CustomerReadUpTo(id, new CustomerId(me.id()), from, seq, clock.instant()));
				}
			}
		});
	}

	@Override
	public void acknowledge(Actor actor, ConversationId id, long seq) {
		Participant me = participant(actor);
		requireMember(actor, id);
		Message message = store.findMessage(id, seq)
			.orElseThrow(() -> ApiException.notFound("not-found", "No message " + seq + " in this conversation"));
		if (!message.requiresAck()) {
			throw ApiException.badRequest("ack-not-required", "seq", "Message " + seq + " does not ask for acknowledgement");
		}
		tx.executeWithoutResult(s -> {
			if (store.acknowledge(id, seq, me, clock.instant())) {
				Set<Participant> audience = new HashSet<>(admins(id));
				if (message.sender() != null) {
					audience.add(message.sender());
				}
				afterCommit(new LiveUpdate.Acknowledged(id, seq, me, audience));
			}
		});
	}

	@Override
	public AckStatus ackStatus(Actor actor, ConversationId id, long seq) {
		Participant me = participant(actor);
		MemberRow member = requireMember(actor, id);
		Message message = store.findMessage(id, seq)
			.orElseThrow(() -> ApiException.notFound("not-found", "No message " + seq + " in this conversation"));
		if (!me.equals(message.sender()) && !member.role().administers()) {
			throw ApiException.forbidden("forbidden", "Only the sender and admins see who acknowledged");
		}
		List<Participant> done = store.acknowledged(id, seq);
		Set<Participant> doneSet = new HashSet<>(done);
		List<Participant> pending = store.members(id)
			.keySet()
			.stream()
			.filter(p -> !p.equals(message.sender()) && !doneSet.contains(p))
			.toList();
		return new AckStatus(seq, done, pending);
	}

	@Override
	public void clickAction(Actor actor, ConversationId id, long seq, String actionId) {
		Participant me = participant(actor);
		requireMember(actor, id);
		Message message = store.findMessage(id, seq)
			.orElseThrow(() -> ApiException.notFound("not-found", "No message " + seq + " in this conversation"));
		JsonNode payload = message.body().path("payload");
		String card = message.kind() == MessageKind.CARD && !message.recalled() ? message.body().path("card").asString("")
				: "";
		if (!card.equals("action") && !card.equals("coupon")) {
			throw ApiException.badRequest("not-an-action-card", "seq",
					"Message " + seq + " is not an action card or a coupon card");
		}
		boolean known = false;
		if (card.equals("coupon")) {
			known = actionId.equals(payload.path("claimAction").asString(CardActionClicked.CLAIM));
		}
		for (JsonNode button : payload.path("buttons")) {
			known |= actionId.equals(button.path("id").asString(""));
		}
		if (!known) {
			throw ApiException.badRequest("unknown-action", "actionId", "The card has no button '" + actionId + "'");
		}
		Instant now = clock.instant();
		UUID node = conversation(id).orgNodeId();
		tx.executeWithoutResult(s -> {
			if (!store.clickAction(id, seq, me, actionId, now)) {
				throw ApiException.conflict("already-answered", "You have already answered this card");
			}
			events.publishEvent(new CardActionClicked(id, seq, actionId, me, now, payload, card,
					node == null ? null : new OrgNodeId(node)));
			Set<Participant> audience = new HashSet<>(admins(id));
			if (message.sender() != null) {
				audience.add(message.sender());
			}
			audience.add(me);
			afterCommit(new LiveUpdate.ActionClicked(id, seq, me, actionId, audience));
		});
	}

	@Override
	public Map<String, Integer> react(Actor actor, ConversationId id, long seq, String emoji, boolean add) {
		Participant me = participant(actor);
		requireMember(actor, id);
		if (!Emoji.isEmoji(emoji)) {
			throw ApiException.badRequest("invalid-emoji", "emoji", "A reaction is one emoji");
		}
		Message message = store.findMessage(id, seq)
			.orElseThrow(() -> ApiException.notFound("not-found", "No message " + seq + " in this conversation"));
		if (message.recalled() || message.kind() == MessageKind.RECALL || message.kind() == MessageKind.SYSTEM) {
			throw ApiException.badRequest("invalid-message-kind", "seq", "This message takes no reactions");
		}
		return tx.execute(s -> {
			boolean changed;
			if (add) {
				Map<String, Integer> counts = store.reactionCounts(id, seq);
				if (!counts.containsKey(emoji) && counts.size() >= settings.maxReactionsPerMessage()) {
					throw ApiException.conflict("too-many-reactions",
							"A message takes at most " + settings.maxReactionsPerMessage() + " different reactions");
				}
				if (store.reactionsBy(id, seq, me) >= MAX_REACTIONS_PER_MEMBER) {
					throw ApiException.conflict("too-many-reactions",
							"You may add at most " + MAX_REACTIONS_PER_MEMBER + " reactions to one message");
				}
				changed = store.addReaction(id, seq, me, emoji, clock.instant());
			}
			else {
				changed = store.removeReaction(id, seq, me, emoji);
			}
			Map<String, Integer> counts = store.reactionCounts(id, seq);
			if (changed) {
				afterCommit(new LiveUpdate.ReactionChanged(id, seq, me, emoji, add, counts, audience(id)));
			}
			return counts;
		});
	}

	// --- administration ----------------------------------------------------------------------------

	@Override
	public void addMembers(Actor actor, ConversationId id, List<Participant> participants) {
		ConversationRow row = conversation(id);
		requireAdmin(actor, row);
		participants.forEach(p -> requireExists(p, "participants"));
		Map<Participant, MemberRow> current = membersOf(id);
		long newcomers = participants.stream().distinct().filter(p -> !current.containsKey(p)).count();
		if (current.size() + newcomers > row.memberLimit()) {
			throw ApiException.conflict("member-limit", "The conversation would exceed its limit of " + row.memberLimit());
		}
		tx.executeWithoutResult(s -> {
			Instant now = clock.instant();
			List<Participant> added = store.addMembers(id, List.copyOf(new LinkedHashSet<>(participants)),
					MemberRole.MEMBER, now);
			if (!added.isEmpty()) {
				system(id, json.createObjectNode().put("event", "members-added")
					.set("participants", json.valueToTree(added.stream().map(Participant::toString).toList())));
				joined(id, row.kind(), row.orgNodeId(), added, now);
			}
		});
		changed(id);
	}

	/** Tells other modules which customers joined a group or channel of an org node (in the caller's transaction). */
	private void joined(ConversationId id, ConversationKind kind, @Nullable UUID orgNode, List<Participant> added,
			Instant at) {
		List<CustomerId> customers = added.stream()
			.filter(p -> p.kind() == Participant.Kind.CUSTOMER)
			.map(p -> new CustomerId(p.id()))
			.toList();
		if (kind != ConversationKind.DIRECT && orgNode != null && !customers.isEmpty()) {
			events.publishEvent(new CustomersJoinedGroup(id, kind, new OrgNodeId(orgNode), customers, at));
		}
	}

	@Override
	public void removeMember(Actor actor, ConversationId id, Participant participant) {
		ConversationRow row = conversation(id);
		Participant me = participant(actor);
		if (!me.equals(participant)) {
			requireAdmin(actor, row);
		}
		else {
			requireMember(actor, id);
		}
		MemberRow target = membersOf(id).get(participant);
		if (target == null) {
			throw ApiException.notFound("not-found", participant + " is not in this conversation");
		}
		if (target.role() == MemberRole.OWNER) {
			throw ApiException.conflict("owner-cannot-leave", "The owner cannot be removed; hand ownership over first");
		}
		tx.executeWithoutResult(s -> {
			if (store.removeMember(id, participant)) {
				system(id, json.createObjectNode().put("event", "member-removed").put("participant", participant.toString()));
			}
		});
		changed(id);
	}

	@Override
	public void setRole(Actor actor, ConversationId id, Participant participant, MemberRole role) {
		ConversationRow row = conversation(id);
		MemberRow me = requireAdmin(actor, row);
		if (me.role() != MemberRole.OWNER) {
			throw ApiException.forbidden("forbidden", "Only the owner changes roles");
		}
		if (role == MemberRole.OWNER) {
			throw ApiException.badRequest("invalid-value", "role", "There is one owner; roles to give are ADMIN and MEMBER");
		}
		if (!membersOf(id).containsKey(participant)) {
			throw ApiException.notFound("not-found", participant + " is not in this conversation");
		}
		if (participant.equals(participant(actor))) {
			throw ApiException.badRequest("invalid-value", "participant", "The owner keeps their own role");
		}
		tx.executeWithoutResult(s -> store.setRole(id, participant, role));
		changed(id);
	}

	@Override
	public void muteMember(Actor actor, ConversationId id, Participant participant, @Nullable Instant until) {
		ConversationRow row = conversation(id);
		requireAdmin(actor, row);
		MemberRow target = membersOf(id).get(participant);
		if (target == null) {
			throw ApiException.notFound("not-found", participant + " is not in this conversation");
		}
		if (target.role().administers()) {
			throw ApiException.forbidden("forbidden", "Admins cannot be muted");
		}
		tx.executeWithoutResult(s -> store.setMutedUntil(id, participant, until));
		changed(id);
	}

	@Override
	public void muteAll(Actor actor, ConversationId id, boolean muted) {
		ConversationRow row = conversation(id);
		requireAdmin(actor, row);
		tx.executeWithoutResult(s -> {
			store.setMuteAll(id, muted);
			system(id, json.createObjectNode().put("event", muted ? "muted-all" : "unmuted-all"));
		});
		changed(id);
	}

	@Override
	public SendResult setAnnouncement(Actor actor, ConversationId id, @Nullable String text, String clientMsgId) {
		requireClientMsgId(clientMsgId);
		ConversationRow row = conversation(id);
		requireAdmin(actor, row);
		if (text != null && (text.isBlank() || text.length() > 2000)) {
			throw ApiException.badRequest("validation-failed", "text", "An announcement has 1-2000 characters");
		}
		Participant me = participant(actor);
		Optional<SendResult> retry = retried(id, me, clientMsgId);
		if (retry.isPresent()) {
			return retry.get();
		}
		ObjectNode body = json.createObjectNode().put("event", text == null ? "announcement-cleared" : "announcement");
		if (text != null) {
			body.put("text", text);
		}
		return tx.execute(s -> {
			store.setAnnouncement(id, text, clock.instant());
			return store(id, me, clientMsgId, MessageKind.SYSTEM, body, false, List.of(), null);
		});
	}

	// --- the merchant speaking, for other modules ------------------------------------------------

	static final Pattern PURPOSE = Pattern.compile("[a-z0-9-]{1,40}");

	@Override
	public ConversationId customerConversation(OrgNodeId storeId, CustomerId customerId) {
		Participant customer = Participant.customer(customerId);
		String key = customerKey(storeId, customer);
		// most calls find the conversation (a campaign's messages, a card's reply): one query; the store
		// and the customer are checked when it is created
		Optional<ConversationRow> existing = store.findByDirectKey(key);
		if (existing.isPresent()) {
			return existing.get().id();
		}
		OrgNode node = org.find(storeId)
			.filter(n -> n.kind() == OrgNodeKind.STORE)
			.orElseThrow(() -> new IllegalArgumentException("No store " + storeId));
		customers.find(customerId).orElseThrow(() -> new IllegalArgumentException("No customer " + customerId));
		return createConversation(key, ConversationKind.DIRECT, node.id(), null, "merchant", () -> {
			List<Participant> people = new ArrayList<>();
			people.add(customer);
			staff.activeAt(storeId).stream().map(s -> Participant.staff(s.id())).forEach(people::add);
			return people;
		});
	}

	@Override
	public ConversationId staffRoom(OrgNodeId nodeId, String purpose, String title, Collection<StaffId> staffIds) {
		if (purpose == null || !PURPOSE.matcher(purpose).matches()) {
			throw new IllegalArgumentException("A purpose is 1-40 characters of a-z, 0-9 and -");
		}
		org.find(nodeId).orElseThrow(() -> new IllegalArgumentException("No org node " + nodeId));
		List<Participant> wanted = staffIds.stream().distinct().map(Participant::staff).toList();
		ConversationId id = ensureConversation("room:" + purpose + "|" + nodeId, ConversationKind.GROUP, nodeId, title,
				"merchant", () -> wanted);
		Map<Participant, MemberRow> current = membersOf(id);
		List<Participant> missing = wanted.stream().filter(p -> !current.containsKey(p)).toList();
		if (!missing.isEmpty()) {
			tx.executeWithoutResult(s -> {
				List<Participant> added = store.addMembers(id, missing, MemberRole.MEMBER, clock.instant());
				if (!added.isEmpty()) {
					system(id, json.createObjectNode().put("event", "members-added")
						.set("participants", json.valueToTree(added.stream().map(Participant::toString).toList())));
				}
			});
			changed(id);
		}
		return id;
	}

	/** A conversation found by its key, or created with its first members (racing creators share one). */
	private ConversationId ensureConversation(String key, ConversationKind kind, @Nullable OrgNodeId node,
			@Nullable String title, String createdBy, java.util.function.Supplier<List<Participant>> people) {
		Optional<ConversationRow> existing = store.findByDirectKey(key);
		return existing.isPresent() ? existing.get().id() : createConversation(key, kind, node, title, createdBy, people);
	}

	/** Creates the conversation of this key with its first members, or finds the one a racing creator made. */
	private ConversationId createConversation(String key, ConversationKind kind, @Nullable OrgNodeId node,
			@Nullable String title, String createdBy, java.util.function.Supplier<List<Participant>> people) {
		// created at the same moment by another caller: theirs is used. No duplicate-key error is
		// raised, so a caller's own transaction (a listener's) is not aborted by the race.
		ConversationId created = tx.execute(s -> {
			Instant now = clock.instant();
			ConversationRow row = new ConversationRow(new ConversationId(Ids.newId()), kind,
					node == null ? null : node.value(), title, key, createdBy, now, 0, now, 0,
					settings.defaultMemberLimit(), false, null);
			if (!store.insertConversationIfAbsent(row)) {
				return null;
			}
			store.addMembers(row.id(), people.get(), MemberRole.MEMBER, now);
			return row.id();
		});
		return created != null ? created : store.findByDirectKey(key).orElseThrow().id();
	}

	@Override
	public SendResult post(ConversationId id, String key, MessageDraft draft) {
		requireClientMsgId(key);
		ConversationRow row = conversation(id);
		Optional<SendResult> retry = retried(id, null, key);
		if (retry.isPresent()) {
			return retry.get();
		}
		requireMerchantKind(draft);
		Prepared prepared = prepare(row, MERCHANT, draft);
		String terms = prepared.searchText() == null ? null : searchTerms.forIndex(prepared.searchText());
		return store(id, null, key, draft.kind(), prepared.body(), draft.requiresAck(), prepared.masked(), terms);
	}

	/** The merchant speaks with an admin's rights (it may mention everyone) but through the same checks. */
	private static final MemberRow MERCHANT = new MemberRow(Participant.staff(new StaffId(new UUID(0, 0))), MemberRole.OWNER,
			0, 0, null);

	private static void requireMerchantKind(MessageDraft draft) {
		if (draft.kind() != MessageKind.TEXT && draft.kind() != MessageKind.CARD) {
			throw ApiException.badRequest("invalid-message-kind", "kind", "The merchant posts TEXT and CARD messages");
		}
	}

	/** The direct key of a customer's conversation with a store. */
	private static String customerKey(OrgNodeId storeId, Participant customer) {
		return "store:" + storeId + "|" + customer;
	}

	/**
	 * The batch form of {@link #customerConversation} and {@link #post}: the conversations found in one
	 * query and the missing ones created in two, the keys posted before found in one, and the new
	 * messages stored in one statement and one commit. When that statement fails (a post of the same
	 * key stored meanwhile by another caller), each message is posted alone, which finds such a one.
	 */
	@Override
	public List<CustomerPostResult> postToCustomers(List<CustomerPost> posts) {
		int n = posts.size();
		CustomerPostResult[] results = new CustomerPostResult[n];
		String[] directKeys = new String[n];
		for (int i = 0; i < n; i++) {
			CustomerPost p = posts.get(i);
			try {
				requireClientMsgId(p.key());
				requireMerchantKind(p.draft());
				directKeys[i] = customerKey(p.store(), Participant.customer(p.customer()));
			}
			catch (RuntimeException e) {
				results[i] = new CustomerPostResult.Refused(e);
			}
		}
		Set<String> wanted = new LinkedHashSet<>();
		for (int i = 0; i < n; i++) {
			if (results[i] == null) {
				wanted.add(directKeys[i]);
			}
		}
		if (wanted.isEmpty()) {
			return List.of(results);
		}
		Map<String, ConversationRow> conversations = new java.util.HashMap<>(store.findByDirectKeys(wanted));
		Set<ConversationId> created = openCustomerConversations(posts, directKeys, results, conversations);
		for (int i = 0; i < n; i++) {
			if (results[i] == null && !conversations.containsKey(directKeys[i])) {
				results[i] = new CustomerPostResult.Refused(
						new IllegalStateException("The conversation " + directKeys[i] + " was neither found nor created"));
			}
		}

		// only conversations that existed before can hold an earlier post of a key
		List<MessageStore.PostKey> lookups = new ArrayList<>();
		for (int i = 0; i < n; i++) {
			if (results[i] == null && !created.contains(conversations.get(directKeys[i]).id())) {
				lookups.add(new MessageStore.PostKey(conversations.get(directKeys[i]).id(), posts.get(i).key()));
			}
		}
		Map<MessageStore.PostKey, Message> earlier = lookups.isEmpty() ? Map.of() : store.findMerchantPosts(lookups);

		Instant now = clock.instant();
		Map<MessageStore.PostKey, Integer> first = new java.util.HashMap<>();
		int[] repeats = new int[n];
		java.util.Arrays.fill(repeats, -1);
		List<Integer> stored = new ArrayList<>();
		List<MessageStore.NewMessage> batch = new ArrayList<>();
		Prepared[] prepared = new Prepared[n];
		for (int i = 0; i < n; i++) {
			if (results[i] != null) {
				continue;
			}
			CustomerPost p = posts.get(i);
			ConversationRow row = conversations.get(directKeys[i]);
			MessageStore.PostKey key = new MessageStore.PostKey(row.id(), p.key());
			Message before = earlier.get(key);
			if (before != null) {
				results[i] = new CustomerPostResult.Posted(row.id(), new SendResult(before, true, List.of()));
				continue;
			}
			Integer same = first.putIfAbsent(key, i);
			if (same != null) {
				repeats[i] = same; // the same post twice in one batch: stored once
				continue;
			}
			try {
				prepared[i] = prepare(row, MERCHANT, p.draft());
			}
			catch (RuntimeException e) {
				results[i] = new CustomerPostResult.Refused(e);
				continue;
			}
			String terms = prepared[i].searchText() == null ? null : searchTerms.forIndex(prepared[i].searchText());
			stored.add(i);
			batch.add(new MessageStore.NewMessage(row.id(), Ids.newId(), null, p.key(), p.draft().kind(),
					json.writeValueAsString(prepared[i].body()), p.draft().requiresAck(), now, terms));
		}
		storeBatch(posts, directKeys, conversations, stored, batch, prepared, results);
		for (int i = 0; i < n; i++) {
			if (repeats[i] >= 0) {
				results[i] = results[repeats[i]] instanceof CustomerPostResult.Posted posted
						? new CustomerPostResult.Posted(posted.conversation(), new SendResult(posted.result().message(), true, List.of()))
						: results[repeats[i]];
			}
		}
		return List.of(results);
	}

	/** Stores the batch's new messages in one statement, or, if that fails, each alone; then tells the members live. */
	private void storeBatch(List<CustomerPost> posts, String[] directKeys, Map<String, ConversationRow> conversations,
			List<Integer> stored, List<MessageStore.NewMessage> batch, Prepared[] prepared, CustomerPostResult[] results) {
		if (batch.isEmpty()) {
			return;
		}
		Map<UUID, Long> seqs;
		try {
			seqs = store.insertBatch(batch);
		}
		catch (DataAccessException e) {
			for (int i : stored) {
				ConversationId id = conversations.get(directKeys[i]).id();
				try {
					results[i] = new CustomerPostResult.Posted(id, post(id, posts.get(i).key(), posts.get(i).draft()));
				}
				catch (RuntimeException alone) {
					results[i] = new CustomerPostResult.Refused(alone);
				}
			}
			return;
		}
		Map<ConversationId, Map<Participant, MemberRow>> audiences;
		try {
			audiences = members.getAll(batch.stream().map(MessageStore.NewMessage::conversationId).collect(Collectors.toSet()),
					store::members);
		}
		catch (RuntimeException e) {
			// stored and committed: the answers stand; the members get the messages when they sync
			log.warn("The members of {} conversations could not be read for the live push of their new messages",
					batch.size(), e);
			audiences = Map.of();
		}
		for (int b = 0; b < batch.size(); b++) {
			int i = stored.get(b);
			MessageStore.NewMessage m = batch.get(b);
			Long seq = seqs.get(m.id());
			if (seq == null) {
				results[i] = new CustomerPostResult.Refused(
						new IllegalStateException("Conversation " + m.conversationId() + " was not found when storing"));
				continue;
			}
			Message message = new Message(m.conversationId(), seq, m.id(), null, m.clientMsgId(), m.kind(),
					prepared[i].body(), m.requiresAck(), m.createdAt(), false);
			afterCommit(new LiveUpdate.MessageStored(message, audiences.getOrDefault(m.conversationId(), Map.of()).keySet()));
			results[i] = new CustomerPostResult.Posted(m.conversationId(),
					new SendResult(message, false, prepared[i].masked()));
		}
	}

	/**
	 * Opens, with the store's staff in them, the conversations the posts need and {@code conversations}
	 * lacks, and adds them to it: the stores' staff and the customers read in one query each,
	 * the conversations and their members inserted in one transaction. Posts whose store or customer
	 * does not exist are refused. Returns the ids of the conversations created.
	 */
	private Set<ConversationId> openCustomerConversations(List<CustomerPost> posts, String[] directKeys,
			CustomerPostResult[] results, Map<String, ConversationRow> conversations) {
		Map<String, CustomerPost> missing = new java.util.LinkedHashMap<>();
		for (int i = 0; i < posts.size(); i++) {
			if (results[i] == null && !conversations.containsKey(directKeys[i])) {
				missing.putIfAbsent(directKeys[i], posts.get(i));
			}
		}
		if (missing.isEmpty()) {
			return Set.of();
		}
		Set<OrgNodeId> stores = missing.values().stream()
			.map(CustomerPost::store)
			.distinct()
			.filter(store -> org.find(store).filter(node -> node.kind() == OrgNodeKind.STORE).isPresent())
			.collect(Collectors.toSet());
		Map<OrgNodeId, List<StaffDirectory.StaffMemberView>> staffOf = stores.isEmpty() ? Map.of() : staff.activeAt(stores);
		Set<CustomerId> known = customers.findAll(missing.values().stream().map(CustomerPost::customer).distinct().toList())
			.stream()
			.map(io.storecast.identity.CustomerProfile::id)
			.collect(Collectors.toSet());
		Instant now = clock.instant();
		List<ConversationRow> rows = new ArrayList<>();
		Map<ConversationId, List<Participant>> people = new java.util.HashMap<>();
		Map<String, RuntimeException> refused = new java.util.HashMap<>();
		missing.forEach((key, p) -> {
			List<StaffDirectory.StaffMemberView> staffThere = staffOf.get(p.store());
			if (staffThere == null) {
				refused.put(key, new IllegalArgumentException("No store " + p.store()));
			}
			else if (!known.contains(p.customer())) {
				refused.put(key, new IllegalArgumentException("No customer " + p.customer()));
			}
			else {
				ConversationRow row = new ConversationRow(new ConversationId(Ids.newId()), ConversationKind.DIRECT,
						p.store().value(), null, key, "merchant", now, 0, now, 0, settings.defaultMemberLimit(), false, null);
				List<Participant> members = new ArrayList<>();
				members.add(Participant.customer(p.customer()));
				staffThere.forEach(s -> members.add(Participant.staff(s.id())));
				rows.add(row);
				people.put(row.id(), members);
			}
		});
		for (int i = 0; i < posts.size(); i++) {
			if (results[i] == null && refused.containsKey(directKeys[i])) {
				results[i] = new CustomerPostResult.Refused(refused.get(directKeys[i]));
			}
		}
		if (rows.isEmpty()) {
			return Set.of();
		}
		Set<ConversationId> created = tx.execute(s -> store.insertDirectConversations(rows, people, now));
		List<String> raced = new ArrayList<>();
		for (ConversationRow row : rows) {
			if (created.contains(row.id())) {
				conversations.put(row.directKey(), row);
				Map<Participant, MemberRow> first = new java.util.LinkedHashMap<>();
				people.get(row.id()).forEach(m -> first.put(m, new MemberRow(m, MemberRole.MEMBER, 0, 0, null)));
				members.put(row.id(), first);
			}
			else {
				raced.add(row.directKey());
			}
		}
		if (!raced.isEmpty()) {
			// created meanwhile by another caller: theirs is used
			conversations.putAll(store.findByDirectKeys(raced));
		}
		return created;
	}

	@Override
	public List<String> postKeys(ConversationId id, long afterSeq, long uptoSeq) {
		return uptoSeq <= afterSeq ? List.of() : store.merchantPostKeys(id, afterSeq, uptoSeq, MAX_POST_KEYS);
	}

	@Override
	public Map<ConversationId, Long> customerReadSeqs(Collection<ConversationId> ids) {
		return ids.isEmpty() ? Map.of() : store.customerReadSeqs(ids);
	}

	@Override
	public Map<Participant, Instant> acknowledgements(ConversationId id, long seq) {
		return store.acknowledgements(id, seq);
	}

	// --- for uploads ---------------------------------------------------------------------------

	/** The actor as a member who may post in the conversation: uploads come before the message that carries them. */
	Participant requirePoster(Actor actor, ConversationId id) {
		Participant me = participant(actor);
		ConversationRow row = conversation(id);
		requireMayPost(row, requireMember(actor, id));
		return me;
	}

	/** The actor as a member of the conversation. */
	Participant requireMemberOf(Actor actor, ConversationId id) {
		Participant me = participant(actor);
		conversation(id);
		requireMember(actor, id);
		return me;
	}

	// --- helpers -------------------------------------------------------------------------------

	/** A retried request (same sender, same client message id) is answered with what the first one stored. */
	private Optional<SendResult> retried(ConversationId id, @Nullable Participant sender, String clientMsgId) {
		return store.findByClientMsgId(id, sender, clientMsgId).map(original -> new SendResult(original, true, List.of()));
	}

	private void system(ConversationId id, ObjectNode body) {
		store(id, null, null, MessageKind.SYSTEM, body, false, List.of(), null);
	}

	private Participant participant(Actor actor) {
		Participant p = Participant.of(actor);
		if (p == null) {
			throw ApiException.forbidden("forbidden", "Only staff and customers take part in conversations");
		}
		return p;
	}

	private ConversationRow conversation(ConversationId id) {
		return store.find(id).orElseThrow(() -> ApiException.notFound("not-found", "No conversation " + id));
	}

	private Map<Participant, MemberRow> membersOf(ConversationId id) {
		return members.get(id, store::members);
	}

	private MemberRow requireMember(Actor actor, ConversationId id) {
		MemberRow member = membersOf(id).get(participant(actor));
		if (member == null) {
			throw ApiException.forbidden("not-a-member", "You are not in this conversation");
		}
		return member;
	}

	private MemberRow requireAdmin(Actor actor, ConversationRow row) {
		MemberRow member = requireMember(actor, row.id());
		if (row.kind() == ConversationKind.DIRECT || !member.role().administers()) {
			throw ApiException.forbidden("forbidden", "Only the group's owner and admins may do this");
		}
		return member;
	}

	private void requireMayPost(ConversationRow row, MemberRow member) {
		if (row.kind() == ConversationKind.CHANNEL && !member.role().administers()) {
			throw ApiException.forbidden("forbidden", "Only admins post in a channel");
		}
		if (member.mutedAt(clock.instant())) {
			throw ApiException.forbidden("muted", "You are muted in this conversation until " + member.mutedUntil());
		}
		if (row.muteAll() && !member.role().administers()) {
			throw ApiException.forbidden("muted", "Only admins may post while the group is muted");
		}
	}

	private void requireExists(Participant p, String field) {
		boolean exists = switch (p.kind()) {
			case STAFF -> staff.findActive(new StaffId(p.id())).isPresent();
			case CUSTOMER -> customers.find(new CustomerId(p.id())).isPresent();
		};
		if (!exists) {
			throw ApiException.badRequest("unknown-participant", field, "No such " + p.kind().name().toLowerCase() + ": " + p);
		}
	}

	private static void requireClientMsgId(String clientMsgId) {
		if (clientMsgId == null || !CLIENT_MSG_ID.matcher(clientMsgId).matches()) {
			throw ApiException.badRequest("invalid-client-msg-id", "clientMsgId",
					"A client message id is 1-64 characters of letters, digits and . _ : -");
		}
	}

	private static void allowOnly(ObjectNode body, Set<String> fields) {
		for (String name : body.propertyNames()) {
			if (!fields.contains(name)) {
				throw ApiException.badRequest("invalid-message", "body." + name, "Unknown field '" + name + "' in the body");
			}
		}
	}

	private static Participant parseParticipant(JsonNode node, String field) {
		try {
			return Participant.parse(node.asString());
		}
		catch (RuntimeException e) {
			throw ApiException.badRequest("invalid-value", field, "must be staff:<uuid> or customer:<uuid>");
		}
	}

	private Set<Participant> audience(ConversationId id) {
		return membersOf(id).keySet();
	}

	private Set<Participant> admins(ConversationId id) {
		Set<Participant> admins = new HashSet<>();
		membersOf(id).values().stream().filter(m -> m.role().administers()).forEach(m -> admins.add(m.participant()));
		return admins;
	}

	/**
	 * Members, roles or mutes of a conversation changed (committed): this node forgets its cached
	 * copies at once, and other nodes of a cluster hear of it through the live channel.
	 */
	private void changed(ConversationId id) {
		evict(id);
		publishLive(new LiveUpdate.ConversationChanged(id));
	}

	@Override
	public void evict(ConversationId id) {
		members.invalidate(id);
		rows.invalidate(id);
	}

	/** The live channels, looked up once (they are beans of modules that depend on this one). */
	private volatile @Nullable List<LiveUpdates> liveChannels;

	private void publishLive(LiveUpdate update) {
		List<LiveUpdates> channels = liveChannels;
		if (channels == null) {
			channels = live.orderedStream().toList();
			liveChannels = channels;
		}
		for (LiveUpdates channel : channels) {
			channel.publish(update);
		}
	}

	/** Hands the update to the live channel once the transaction has committed, never before. */
	private void afterCommit(LiveUpdate update) {
		afterCommit(() -> publishLive(update));
	}

	private static void afterCommit(Runnable action) {
		if (TransactionSynchronizationManager.isSynchronizationActive()) {
			TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
				@Override
				public void afterCommit() {
					action.run();
				}
			});
		}
		else {
			action.run();
		}
	}
}
