package io.storecast.identity.internal;

import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import io.storecast.identity.Actor;
import io.storecast.identity.OrgNodeId;
import io.storecast.identity.Role;
import io.storecast.identity.StaffId;
import io.storecast.platform.CursorPage;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

@Tag(name = "Staff", description = "Staff accounts and roles")
@RestController
@RequestMapping("/api/v1/staff")
class StaffController {

	record CreateStaff(
			@NotBlank @Pattern(regexp = "[A-Za-z0-9][A-Za-z0-9._-]{2,63}", message = "must be 3-64 letters, digits, . _ or -") String username,
			@NotBlank @Size(max = 64) String displayName, @NotNull Role role, @NotNull OrgNodeId orgNodeId,
			@Nullable @Size(max = 32) String phone, @Nullable @Size(max = 128) String password) {
	}

	record UpdateStaff(@Nullable @Size(min = 1, max = 64) String displayName, @Nullable Role role,
			@Nullable OrgNodeId orgNodeId, @Nullable @Size(max = 32) String phone,
			StaffMember.@Nullable Status status) {
	}

	private final StaffManagement staff;

	StaffController(StaffManagement staff) {
		this.staff = staff;
	}

	@Operation(summary = "Staff in your part of the organisation, optionally of one node; cursor paged")
	@GetMapping
	CursorPage<StaffView> list(@AuthenticationPrincipal Actor actor, @RequestParam(required = false) OrgNodeId orgNodeId,
			@RequestParam(required = false) UUID after, @RequestParam(required = false) Integer limit) {
		return staff.list(actor, orgNodeId, after, CursorPage.limit(limit));
	}

	@GetMapping("/{id}")
	StaffView get(@AuthenticationPrincipal Actor actor, @PathVariable StaffId id) {
		return staff.get(actor, id);
	}

	@Operation(summary = "Create a staff account with a role below yours, in your subtree",
			description = "Without a password a one-time temporaryPassword is returned (only in this answer) and must be changed at first login.")
	@PostMapping
	@ResponseStatus(HttpStatus.CREATED)
	StaffView create(@AuthenticationPrincipal Actor actor, @Valid @RequestBody CreateStaff request) {
		return staff.create(actor, new StaffManagement.NewStaff(request.username(), request.displayName(),
				request.role(), request.orgNodeId(), request.phone(), request.password()));
	}

	@Operation(summary = "Change a staff member; DISABLED ends all their sessions at once")
	@PatchMapping("/{id}")
	StaffView update(@AuthenticationPrincipal Actor actor, @PathVariable StaffId id,
			@Valid @RequestBody UpdateStaff request) {
		return staff.update(actor, id, new StaffManagement.StaffChanges(request.displayName(), request.role(),
				request.orgNodeId(), request.phone(), request.status()));
	}

	@Operation(summary = "Reset a password to a one-time temporaryPassword; ends all their sessions")
	@PostMapping("/{id}/password-reset")
	StaffView resetPassword(@AuthenticationPrincipal Actor actor, @PathVariable StaffId id) {
		return staff.resetPassword(actor, id);
	}
}
