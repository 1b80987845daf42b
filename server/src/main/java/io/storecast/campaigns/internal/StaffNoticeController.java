package io.storecast.campaigns.internal;

import java.util.List;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import io.storecast.identity.Actor;
import io.storecast.platform.CursorPage;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

@Tag(name = "Staff notices", description = "Notices to staff in their chat: acknowledgement, reminders, check-in rounds until closed")
@RestController
@RequestMapping("/api/v1/staff-notices")
class StaffNoticeController {

	private final StaffNoticeManagement notices;

	StaffNoticeController(StaffNoticeManagement notices) {
		this.notices = notices;
	}

	@Operation(summary = "Send a staff notice now or at sendAt", description = """
			title (≤ 100), text (≤ 1,000), audience {nodes, roles} (staff of those roles at or below the nodes) or \
			{staffIds}, requiresAck, remindAfterMinutes (reminders to those who have not acknowledged, up to \
			maxReminders, default 3), checkIn {everyMinutes, prompt?} (rounds until closed), campaignId (a cascade: \
			the campaign announced, forwarded by each manager; a campaign sent, scheduled or waiting for approval \
			already is 409 campaign-sent-directly), sendAt (default now; a notice scheduled ahead reaches who holds \
			the roles when it is sent, FAILED empty-audience if nobody does). 201 with the notice SCHEDULED \
			(OPEN once posted). Posted in each audience node's staff room (docs/campaigns.md#staff-notices).""")
	@PostMapping
	ResponseEntity<StaffNoticeManagement.NoticeView> create(@AuthenticationPrincipal Actor actor,
			@RequestBody StaffNoticeManagement.NoticeRequest request) {
		return ResponseEntity.status(HttpStatus.CREATED).body(notices.create(actor, request));
	}

	@Operation(summary = "Staff notices within your part of the organisation or sent to you, newest first")
	@GetMapping
	CursorPage<StaffNoticeManagement.NoticeView> list(@AuthenticationPrincipal Actor actor,
			@RequestParam(required = false) StaffNotice.@Nullable Status status,
			@RequestParam(required = false) @Nullable String after, @RequestParam(required = false) @Nullable Integer limit) {
		return notices.list(actor, status, after, CursorPage.limit(limit));
	}

	@Operation(summary = "A staff notice with its summary: recipients, acknowledged, pending, reminders sent, rounds asked")
	@GetMapping("/{id}")
	StaffNoticeManagement.NoticeView get(@AuthenticationPrincipal Actor actor, @PathVariable StaffNoticeId id) {
		return notices.get(actor, id);
	}

	@Operation(summary = "Every recipient: acknowledged or pending (with the time), reminders sent; ?acknowledged=false for the laggards")
	@GetMapping("/{id}/recipients")
	List<StaffNoticeManagement.RecipientView> recipients(@AuthenticationPrincipal Actor actor, @PathVariable StaffNoticeId id,
			@RequestParam(required = false) @Nullable Boolean acknowledged) {
		return notices.recipients(actor, id, acknowledged);
	}

	@Operation(summary = "The check-in table: the recipients' stores × the rounds asked, each cell the store's answer (null: none yet)")
	@GetMapping("/{id}/check-ins")
	StaffNoticeManagement.CheckInTable checkIns(@AuthenticationPrincipal Actor actor, @PathVariable StaffNoticeId id) {
		return notices.checkIns(actor, id);
	}

	@Operation(summary = "Acknowledge the notice (a recipient; the same as acknowledging its message in the chat)")
	@PostMapping("/{id}/ack")
	StaffNoticeManagement.RecipientView acknowledge(@AuthenticationPrincipal Actor actor, @PathVariable StaffNoticeId id) {
		return notices.acknowledge(actor, id);
	}

	@Operation(summary = "Answer a check-in round for your store: {status: OK | NEEDS_HELP, text?, round? (default: the latest)}",
			description = "The same as pressing 一切正常 / 需要支援 on the round's card in the chat, with a text. One answer per store and round.")
	@PostMapping("/{id}/check-ins")
	ResponseEntity<StaffNoticeManagement.Cell> checkIn(@AuthenticationPrincipal Actor actor, @PathVariable StaffNoticeId id,
			@RequestBody StaffNoticeManagement.CheckInRequest request) {
		return ResponseEntity.status(HttpStatus.CREATED).body(notices.checkIn(actor, id, request));
	}

	@Operation(summary = "Close the notice: no more reminders, check-in rounds or answers (a scheduled one is never sent)")
	@PostMapping("/{id}/close")
	StaffNoticeManagement.NoticeView close(@AuthenticationPrincipal Actor actor, @PathVariable StaffNoticeId id) {
		return notices.close(actor, id);
	}
}
