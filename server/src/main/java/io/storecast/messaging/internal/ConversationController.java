package io.storecast.messaging.internal;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import io.storecast.identity.Actor;
import io.storecast.identity.OrgNodeId;
import io.storecast.messaging.Conversation;
import io.storecast.messaging.ConversationId;
import io.storecast.messaging.ConversationKind;
import io.storecast.messaging.MemberRole;
import io.storecast.messaging.Message;
import io.storecast.messaging.MessageDraft;
import io.storecast.messaging.MessageKind;
import io.storecast.messaging.Messaging;
import io.storecast.messaging.Participant;
import io.storecast.messaging.SendResult;
import io.storecast.platform.ApiException;
import io.storecast.platform.CursorPage;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import tools.jackson.databind.JsonNode;

/**
 * REST mirror of the real-time protocol, for integrations that cannot hold a WebSocket. Sends
 * take the client message id in the {@code Idempotency-Key} header.
 */
@Tag(name = "Conversations", description = "Conversations, members and messages (REST mirror of the WebSocket protocol)")
@RestController
@RequestMapping("/api/v1")
class ConversationController {

	static final int DEFAULT_SEARCH_LIMIT = 20;

	record OpenDirect(@Nullable OrgNodeId storeId, @Nullable Participant customer, @Nullable Participant staff) {
	}

	record CreateGroup(@NotNull ConversationKind kind, @NotNull OrgNodeId orgNodeId, @NotBlank @Size(max = 100) String title,
			@Nullable @Size(max = 2000) List<@NotNull Participant> members, @Nullable Integer memberLimit) {
	}

	record UpdateConversation(@Nullable Boolean muteAll, @Nullable @Size(max = 2000) String announcement,
			@Nullable Boolean clearAnnouncement) {
	}

	record AddMembers(@NotEmpty @Size(max = 2000) List<@NotNull Participant> participants) {
	}

	record UpdateMember(@Nullable MemberRole role, @Nullable Instant mutedUntil, @Nullable Boolean unmute) {
	}

	record Send(@NotNull MessageKind kind, @NotNull JsonNode body, @Nullable Boolean requiresAck) {
	}

	record ReadUpTo(@NotNull Long seq) {
	}

	record SyncRequest(@Nullable Map<ConversationId, Long> cursors) {
	}

	private final Messaging messaging;

	ConversationController(Messaging messaging) {
		this.messaging = messaging;
	}

	@Operation(summary = "Open (or find) a direct conversation: a customer with a store, or staff with staff",
			description = "A customer sends {storeId}; store staff send {storeId, customer}; staff send {staff} for a colleague.")
	@PostMapping("/conversations/direct")
	Conversation openDirect(@AuthenticationPrincipal Actor actor, @Valid @RequestBody OpenDirect request) {
		if (request.staff() != null) {
			return messaging.openWithStaff(actor, request.staff());
		}
		if (request.storeId() == null) {
			throw ApiException.badRequest("validation-failed", "storeId", "Name a store (or a staff member)");
		}
		return messaging.openWithStore(actor, request.storeId(), request.customer());
	}

	@Operation(summary = "Create a group (顾客群 / 店长群) or a channel")
	@PostMapping("/conversations")
	@ResponseStatus(HttpStatus.CREATED)
	Conversation create(@AuthenticationPrincipal Actor actor, @Valid @RequestBody CreateGroup request) {
		return messaging.createGroup(actor, request.kind(), request.orgNodeId(), request.title(),
				request.members() == null ? List.of() : request.members(), request.memberLimit());
	}

	@Operation(summary = "Your conversations, most recently active first, with unread counts")
	@GetMapping("/conversations")
	List<Conversation> mine(@AuthenticationPrincipal Actor actor, @RequestParam(required = false) Integer limit) {
		return messaging.mine(actor, CursorPage.limit(limit));
	}

	@GetMapping("/conversations/{id}")
	Conversation get(@AuthenticationPrincipal Actor actor, @PathVariable ConversationId id) {
		return messaging.get(actor, id);
	}

	@Operation(summary = "Mute everyone but admins, or pin / clear the announcement (admins)")
	@PatchMapping("/conversations/{id}")
	Conversation update(@AuthenticationPrincipal Actor actor, @PathVariable ConversationId id,
			@RequestHeader(name = "Idempotency-Key", required = false) @Nullable String key,
			@Valid @RequestBody UpdateConversation request) {
		if (request.muteAll() != null) {
			messaging.muteAll(actor, id, request.muteAll());
		}
		if (request.announcement() != null || Boolean.TRUE.equals(request.clearAnnouncement())) {
			messaging.setAnnouncement(actor, id, request.announcement(), requireKey(key));
		}
		return messaging.get(actor, id);
	}

	@GetMapping("/conversations/{id}/members")
	List<Messaging.Member> members(@AuthenticationPrincipal Actor actor, @PathVariable ConversationId id) {
		return messaging.members(actor, id);
	}

	@PostMapping("/conversations/{id}/members")
	@ResponseStatus(HttpStatus.NO_CONTENT)
	void addMembers(@AuthenticationPrincipal Actor actor, @PathVariable ConversationId id,
			@Valid @RequestBody AddMembers request) {
		messaging.addMembers(actor, id, request.participants());
	}

	@Operation(summary = "Change a member's role (owner) or mute them until a time (admins)")
	@PatchMapping("/conversations/{id}/members/{participant}")
	@ResponseStatus(HttpStatus.NO_CONTENT)
	void updateMember(@AuthenticationPrincipal Actor actor, @PathVariable ConversationId id,
			@PathVariable Participant participant, @Valid @RequestBody UpdateMember request) {
		if (request.role() != null) {
			messaging.setRole(actor, id, participant, request.role());
		}
		if (request.mutedUntil() != null || Boolean.TRUE.equals(request.unmute())) {
			messaging.muteMember(actor, id, participant, Boolean.TRUE.equals(request.unmute()) ? null : request.mutedUntil());
		}
	}

	@Operation(summary = "Remove a member (admins), or leave (yourself)")
	@DeleteMapping("/conversations/{id}/members/{participant}")
	@ResponseStatus(HttpStatus.NO_CONTENT)
	void removeMember(@AuthenticationPrincipal Actor actor, @PathVariable ConversationId id,
			@PathVariable Participant participant) {
		messaging.removeMember(actor, id, participant);
	}

	@Operation(summary = "Send a message; stored durably before the answer",
			description = "Idempotency-Key (required) is the client message id: a retry returns the original message with 200 and duplicate=true.")
	@PostMapping("/conversations/{id}/messages")
	ResponseEntity<SendResult> send(@AuthenticationPrincipal Actor actor, @PathVariable ConversationId id,
			@RequestHeader(name = "Idempotency-Key", required = false) @Nullable String key,
			@Valid @RequestBody Send request) {
		SendResult result = messaging.send(actor, id, requireKey(key),
				new MessageDraft(request.kind(), request.body(), Boolean.TRUE.equals(request.requiresAck())));
		return ResponseEntity.status(result.duplicate() ? HttpStatus.OK : HttpStatus.CREATED).body(result);
	}

	@Operation(summary = "History by seq: after=N (ascending) or before=N (descending, paging back); newest first by default")
	@GetMapping("/conversations/{id}/messages")
	List<Message> history(@AuthenticationPrincipal Actor actor, @PathVariable ConversationId id,
			@RequestParam(required = false) Long after, @RequestParam(required = false) Long before,
			@RequestParam(required = false) Integer limit) {
		return messaging.history(actor, id, after, before, CursorPage.limit(limit));
	}

	@Operation(summary = "Search the conversation's messages for words (Chinese too), newest first",
			description = "q: 1-200 characters; every word must be in a message. before=N pages back from the last seq "
					+ "found. limit 1-200 (default 20). Recalled messages are never found.")
	@GetMapping("/conversations/{id}/search")
	List<Message> search(@AuthenticationPrincipal Actor actor, @PathVariable ConversationId id,
			@RequestParam(required = false) @Nullable String q, @RequestParam(required = false) Long before,
			@RequestParam(required = false) Integer limit) {
		return messaging.search(actor, id, q == null ? "" : q, before, limit == null ? DEFAULT_SEARCH_LIMIT : CursorPage.limit(limit));
	}

	@Operation(summary = "Recall a message (sender within 2 minutes, admins any time); the recall is a message too")
	@PostMapping("/conversations/{id}/messages/{seq}/recall")
	SendResult recall(@AuthenticationPrincipal Actor actor, @PathVariable ConversationId id, @PathVariable long seq,
			@RequestHeader(name = "Idempotency-Key", required = false) @Nullable String key) {
		return messaging.recall(actor, id, seq, requireKey(key));
	}

	@Operation(summary = "Mark read up to seq (the read cursor only moves forward)")
	@PostMapping("/conversations/{id}/read")
	@ResponseStatus(HttpStatus.NO_CONTENT)
	void read(@AuthenticationPrincipal Actor actor, @PathVariable ConversationId id, @Valid @RequestBody ReadUpTo request) {
		messaging.markRead(actor, id, request.seq());
	}

	@Operation(summary = "Acknowledge a message that asks for it (回执确认)")
	@PostMapping("/conversations/{id}/messages/{seq}/ack")
	@ResponseStatus(HttpStatus.NO_CONTENT)
	void acknowledge(@AuthenticationPrincipal Actor actor, @PathVariable ConversationId id, @PathVariable long seq) {
		messaging.acknowledge(actor, id, seq);
	}

	@Operation(summary = "Who has and has not acknowledged a message (its sender and admins)")
	@GetMapping("/conversations/{id}/messages/{seq}/acks")
	Messaging.AckStatus acks(@AuthenticationPrincipal Actor actor, @PathVariable ConversationId id, @PathVariable long seq) {
		return messaging.ackStatus(actor, id, seq);
	}

	@Operation(summary = "Press a button of an action card (once per member and card)")
	@PostMapping("/conversations/{id}/messages/{seq}/actions/{actionId}")
	@ResponseStatus(HttpStatus.NO_CONTENT)
	void clickAction(@AuthenticationPrincipal Actor actor, @PathVariable ConversationId id, @PathVariable long seq,
			@PathVariable String actionId) {
		messaging.clickAction(actor, id, seq, actionId);
	}

	@PutMapping("/conversations/{id}/messages/{seq}/reactions/{emoji}")
	Map<String, Integer> react(@AuthenticationPrincipal Actor actor, @PathVariable ConversationId id,
			@PathVariable long seq, @PathVariable String emoji) {
		return messaging.react(actor, id, seq, emoji, true);
	}

	@DeleteMapping("/conversations/{id}/messages/{seq}/reactions/{emoji}")
	Map<String, Integer> unreact(@AuthenticationPrincipal Actor actor, @PathVariable ConversationId id,
			@PathVariable long seq, @PathVariable String emoji) {
		return messaging.react(actor, id, seq, emoji, false);
	}

	@Operation(summary = "What you missed: messages after each cursor, and your conversations' summaries")
	@PostMapping("/sync")
	Messaging.SyncResult sync(@AuthenticationPrincipal Actor actor, @Valid @RequestBody SyncRequest request) {
		return messaging.sync(actor, request.cursors() == null ? Map.of() : new HashMap<>(request.cursors()));
	}

	private static String requireKey(@Nullable String key) {
		if (key == null || key.isBlank()) {
			throw ApiException.badRequest("missing-idempotency-key", "Idempotency-Key",
					"Sends need an Idempotency-Key header: your client message id, reused on retries");
		}
		return key;
	}
}
