package io.storecast.gateway.internal;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import io.storecast.messaging.ConversationId;
import io.storecast.messaging.MessageDraft;
import io.storecast.messaging.MessageKind;
import io.storecast.messaging.Messaging;
import io.storecast.messaging.Participant;
import io.storecast.messaging.SendResult;
import io.storecast.platform.ApiException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Turns one request frame into one answer frame: {@code ack} with the result, or {@code error} with a
 * stable code. Runs on a worker (virtual) thread, one request of a connection at a time.
 */
@Component
class Dispatcher {

	private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);

	static final int MAX_FRAME_ID = 64;
	static final int MAX_LIST = 500;

	private final Messaging messaging;
	private final Connections connections;
	private final JsonMapper json;

	Dispatcher(Messaging messaging, Connections connections, JsonMapper json) {
		this.messaging = messaging;
		this.connections = connections;
		this.json = json;
	}

	/** Handles a parsed request; always answers (unless the frame needs no answer, like typing). */
	void handle(Connection c, ObjectNode frame) {
		String id = frame.has("id") && frame.get("id").isString() ? frame.get("id").asString() : null;
		try {
			if (id != null && (id.isEmpty() || id.length() > MAX_FRAME_ID)) {
				throw ApiException.badRequest("validation-failed", "id", "id is 1-" + MAX_FRAME_ID + " characters");
			}
			String type = text(frame, "type");
			if (!type.equals("typing") && !type.equals("ping") && id == null) {
				throw ApiException.badRequest("validation-failed", "id", "Every request needs an id to match its answer");
			}
			Connections.ORIGIN.set(c);
			ObjectNode result = switch (type) {
				case "ping" -> null;
				case "send" -> send(c, frame);
				case "sync" -> sync(c, frame);
				case "history" -> history(c, frame);
				case "read" -> {
					messaging.markRead(c.actor(), conversation(frame), seq(frame));
					yield json.createObjectNode();
				}
				case "delivered" -> {
					messaging.markDelivered(c.actor(), conversation(frame), seq(frame));
					yield json.createObjectNode();
				}
				case "acknowledge" -> {
					messaging.acknowledge(c.actor(), conversation(frame), seq(frame));
					yield json.createObjectNode();
				}
				case "react" -> {
					boolean add = !frame.has("remove") || !frame.get("remove").asBoolean();
					Map<String, Integer> counts = messaging.react(c.actor(), conversation(frame), seq(frame),
							text(frame, "emoji"), add);
					ObjectNode r = json.createObjectNode();
					r.set("counts", json.valueToTree(counts));
					yield r;
				}
				case "action" -> {
					messaging.clickAction(c.actor(), conversation(frame), seq(frame), text(frame, "actionId"));
					yield json.createObjectNode();
				}
				case "recall" -> sent(messaging.recall(c.actor(), conversation(frame), seq(frame), text(frame, "clientMsgId")));
				case "conversations" -> {
					ObjectNode r = json.createObjectNode();
					r.set("conversations", json.valueToTree(messaging.mine(c.actor(), 200)));
					yield r;
				}
				case "typing" -> {
					typing(c, frame);
					yield null;
				}
				case "presence" -> presence(c, frame);
				default -> throw ApiException.badRequest("unknown-frame-type", "type",
						"Unknown frame type '" + type + "'; see docs/protocol.md");
			};
			if (type.equals("ping")) {
				c.send(json.writeValueAsString(json.createObjectNode().put("type", "pong").put("id", id)));
			}
			else if (result != null) {
				result.put("type", "ack");
				result.put("id", id);
				c.send(json.writeValueAsString(result));
			}
		}
		catch (ApiException e) {
			c.send(error(id, e.code(), e.getMessage(), e.fieldProblems().isEmpty() ? null : e.fieldProblems().getFirst().field()));
		}
		catch (RuntimeException e) {
			log.error("Failed to handle a {} frame", frame.path("type").asString(), e);
			c.send(error(id, "internal-error", "An unexpected error occurred; it has been logged", null));
		}
		finally {
			Connections.ORIGIN.remove();
		}
	}

	private ObjectNode send(Connection c, ObjectNode frame) {
		MessageKind kind = enumValue(frame, "kind", MessageKind.class);
		JsonNode body = frame.get("body");
		if (body == null) {
			throw ApiException.badRequest("validation-failed", "body", "body is required");
		}
		boolean requiresAck = frame.has("requiresAck") && frame.get("requiresAck").asBoolean();
		return sent(messaging.send(c.actor(), conversation(frame), text(frame, "clientMsgId"),
				new MessageDraft(kind, body, requiresAck)));
	}

	private ObjectNode sent(SendResult result) {
		ObjectNode r = json.createObjectNode()
			.put("conversationId", result.message().conversationId().toString())
			.put("seq", result.message().seq())
			.put("messageId", result.message().id().toString())
			.put("createdAt", result.message().createdAt().toString())
			.put("duplicate", result.duplicate());
		if (!result.maskedWords().isEmpty()) {
			r.set("maskedWords", json.valueToTree(result.maskedWords()));
			r.set("body", result.message().body());
		}
		return r;
	}

	private ObjectNode sync(Connection c, ObjectNode frame) {
		Map<ConversationId, Long> cursors = new LinkedHashMap<>();
		JsonNode node = frame.get("cursors");
		if (node != null && !node.isNull()) {
			if (!node.isObject() || node.size() > MAX_LIST) {
				throw ApiException.badRequest("validation-failed", "cursors",
						"cursors is an object of at most " + MAX_LIST + " conversation ids to last seqs");
			}
			for (var entry : node.properties()) {
				ConversationId id;
				try {
					id = ConversationId.valueOf(entry.getKey());
				}
				catch (IllegalArgumentException e) {
					throw ApiException.badRequest("invalid-value", "cursors." + entry.getKey(), "not a conversation id");
				}
				if (!entry.getValue().canConvertToLong() || entry.getValue().asLong() < 0) {
					throw ApiException.badRequest("invalid-value", "cursors." + entry.getKey(), "a cursor is a seq ≥ 0");
				}
				cursors.put(id, entry.getValue().asLong());
			}
		}
		Messaging.SyncResult result = messaging.sync(c.actor(), cursors);
		ObjectNode r = json.createObjectNode();
		r.set("messages", json.valueToTree(result.messages()));
		r.set("conversations", json.valueToTree(result.conversations()));
		r.put("more", result.more());
		return r;
	}

	private ObjectNode history(Connection c, ObjectNode frame) {
		Long after = frame.has("after") ? seqField(frame, "after") : null;
		Long before = frame.has("before") ? seqField(frame, "before") : null;
		int limit = frame.has("limit") ? (int) Math.min(Math.max(seqField(frame, "limit"), 1), 200) : 50;
		ObjectNode r = json.createObjectNode();
		r.set("messages", json.valueToTree(messaging.history(c.actor(), conversation(frame), after, before, limit)));
		return r;
	}

	private void typing(Connection c, ObjectNode frame) {
		ConversationId id = conversation(frame);
		Set<Participant> members = messaging.membersFor(c.actor(), id);
		ObjectNode push = json.createObjectNode()
			.put("type", "typing")
			.put("conversationId", id.toString())
			.put("participant", c.participant().toString());
		connections.relay(members, push, c);
	}

	private ObjectNode presence(Connection c, ObjectNode frame) {
		JsonNode list = frame.get("participants");
		if (list == null || !list.isArray() || list.size() > MAX_LIST) {
			throw ApiException.badRequest("validation-failed", "participants",
					"participants is a list of at most " + MAX_LIST + " staff:<uuid> / customer:<uuid>");
		}
		boolean follow = frame.has("follow") && frame.get("follow").asBoolean();
		ObjectNode online = json.createObjectNode();
		for (int i = 0; i < list.size(); i++) {
			Participant p;
			try {
				p = Participant.parse(list.get(i).asString());
			}
			catch (RuntimeException e) {
				throw ApiException.badRequest("invalid-value", "participants[" + i + "]", "must be staff:<uuid> or customer:<uuid>");
			}
			online.put(p.toString(), connections.online(p));
			if (follow) {
				connections.follow(c, p);
			}
		}
		ObjectNode r = json.createObjectNode();
		r.set("online", online);
		return r;
	}

	// --- field readers ---------------------------------------------------------------------------

	private static String text(ObjectNode frame, String field) {
		JsonNode node = frame.get(field);
		if (node == null || node.isNull()) {
			throw ApiException.badRequest("validation-failed", field, field + " is required");
		}
		if (!node.isString()) {
			throw ApiException.badRequest("invalid-value", field, field + " must be a string");
		}
		return node.asString();
	}

	private static ConversationId conversation(ObjectNode frame) {
		String value = text(frame, "conversationId");
		try {
			return ConversationId.valueOf(value);
		}
		catch (IllegalArgumentException e) {
			throw ApiException.badRequest("invalid-value", "conversationId", "not a conversation id");
		}
	}

	private static long seq(ObjectNode frame) {
		return seqField(frame, "seq");
	}

	private static long seqField(ObjectNode frame, String field) {
		JsonNode node = frame.get(field);
		if (node == null || node.isNull()) {
			throw ApiException.badRequest("validation-failed", field, field + " is required");
		}
		if (!node.isIntegralNumber() || !node.canConvertToLong()) {
			throw ApiException.badRequest("invalid-value", field, field + " must be a whole number");
		}
		return node.asLong();
	}

	private static <E extends Enum<E>> E enumValue(ObjectNode frame, String field, Class<E> type) {
		String value = text(frame, field);
		try {
			return Enum.valueOf(type, value);
		}
		catch (IllegalArgumentException e) {
			throw ApiException.badRequest("invalid-value", field, field + " must be one of "
					+ String.join(", ", java.util.Arrays.stream(type.getEnumConstants()).map(Enum::name).toList()));
		}
	}

	String error(@Nullable String id, String code, String message, @Nullable String field) {
		ObjectNode e = json.createObjectNode().put("type", "error");
		if (id != null) {
			e.put("id", id);
		}
		e.put("code", code).put("message", message);
		if (field != null) {
			e.put("field", field);
		}
		return json.writeValueAsString(e);
	}
}
