package io.storecast.identity.internal;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import io.storecast.identity.AccessPolicy;
import io.storecast.identity.Actor;
import io.storecast.identity.OrgNode;
import io.storecast.identity.OrgNodeId;
import io.storecast.identity.Permission;
import io.storecast.identity.Role;
import io.storecast.identity.StaffId;
import io.storecast.platform.ApiException;
import io.storecast.platform.CursorPage;
import io.storecast.platform.Ids;
import io.storecast.platform.PhoneNumbers;

/** Staff accounts: created and changed by managers within their subtree, for roles below their own. */
@Service
class StaffManagement {

	record NewStaff(String username, String displayName, Role role, OrgNodeId orgNodeId, @Nullable String phone,
			@Nullable String password) {
	}

	/** Changes to a staff member; null leaves a value as it is. */
	record StaffChanges(@Nullable String displayName, @Nullable Role role, @Nullable OrgNodeId orgNodeId,
			@Nullable String phone, StaffMember.@Nullable Status status) {
	}

	private final StaffMembers staff;
	private final OrgNodes nodes;
	private final Sessions sessions;
	private final Passwords passwords;
	private final AccessPolicy access;
	private final AuditLog audit;
	private final Clock clock;

	StaffManagement(StaffMembers staff, OrgNodes nodes, Sessions sessions, Passwords passwords, AccessPolicy access,
			AuditLog audit, Clock clock) {
		this.staff = staff;
		this.nodes = nodes;
		this.sessions = sessions;
		this.passwords = passwords;
		this.access = access;
		this.audit = audit;
		this.clock = clock;
	}

	@Transactional
	StaffView create(Actor actor, NewStaff request) {
		OrgNode node = nodeFor(request.orgNodeId(), request.role());
		access.requireStaffManagement(actor, request.role(), node.id());
		if (staff.findByUsername(request.username()).isPresent()) {
			throw new ApiException(HttpStatus.CONFLICT, "duplicate-username",
					"The username '" + request.username() + "' is taken",
					List.of(new ApiException.FieldProblem("username", "is already used")), null);
		}
		String temporary = null;
		String password = request.password();
		if (password == null) {
			temporary = Secrets.password();
			password = temporary;
		}
		else {
			passwords.requireStrong(password, request.username(), "password");
		}
		Instant now = clock.instant();
		StaffMember member = new StaffMember(new StaffId(Ids.newId()), request.username(), request.displayName(),
				request.role(), node.id(), phone(request.phone()), passwords.hash(password), temporary != null,
				StaffMember.Status.ACTIVE, now, now);
		staff.insert(member);
		audited(actor, "STAFF_CREATED", member, node, Map.of("role", member.role().name()));
		return StaffView.of(member, temporary);
	}

	@Transactional
	StaffView update(Actor actor, StaffId id, StaffChanges changes) {
		StaffMember member = manageable(actor, id);
		Role role = changes.role() != null ? changes.role() : member.role();
		OrgNodeId nodeId = changes.orgNodeId() != null ? changes.orgNodeId() : member.orgNodeId();
		OrgNode node = nodeFor(nodeId, role);
		access.requireStaffManagement(actor, role, node.id());
		if (actor instanceof Actor.Staff self && self.id().equals(id)
				&& (changes.role() != null || changes.orgNodeId() != null || changes.status() != null)) {
			throw ApiException.forbidden("forbidden", "You may not change your own role, node or status");
		}
		StaffMember.Status status = changes.status() != null ? changes.status() : member.status();
		Instant now = clock.instant();
		StaffMember updated = new StaffMember(member.id(), member.username(),
				changes.displayName() != null ? changes.displayName() : member.displayName(), role, node.id(),
				changes.phone() != null ? phone(changes.phone()) : member.phone(), member.passwordHash(),
				member.passwordChangeRequired(), status, member.createdAt(), now);
		staff.update(updated);
		if (status == StaffMember.Status.DISABLED && member.active()) {
			sessions.revokeAllOf(Sessions.SubjectKind.STAFF, id.value(), null, "disabled", now);
		}
		audited(actor, status != member.status() ? "STAFF_" + status.name() : "STAFF_UPDATED", updated, node,
				Map.of("role", role.name()));
		return StaffView.of(updated);
	}

	/** Sets a one-time password that must be changed at the next login, and ends every session. */
	@Transactional
	StaffView resetPassword(Actor actor, StaffId id) {
		StaffMember member = manageable(actor, id);
		String temporary = Secrets.password();
		Instant now = clock.instant();
		StaffMember updated = new StaffMember(member.id(), member.username(), member.displayName(), member.role(),
				member.orgNodeId(), member.phone(), passwords.hash(temporary), true, member.status(),
				member.createdAt(), now);
		staff.update(updated);
		sessions.revokeAllOf(Sessions.SubjectKind.STAFF, id.value(), null, "password-reset", now);
		audited(actor, "STAFF_PASSWORD_RESET", updated, nodes.find(member.orgNodeId()).orElseThrow(), Map.of());
		return StaffView.of(updated, temporary);
	}

	StaffView get(Actor actor, StaffId id) {
		StaffMember member = staff.find(id).orElseThrow(() -> ApiException.notFound("not-found", "No staff member " + id));
		access.requireAt(actor, Permission.STAFF_READ, member.orgNodeId());
		return StaffView.of(member);
	}

	CursorPage<StaffView> list(Actor actor, @Nullable OrgNodeId node, @Nullable UUID after, int limit) {
		access.require(actor, Permission.STAFF_READ);
		if (node != null) {
			access.requireAt(actor, Permission.STAFF_READ, node);
		}
		List<StaffView> fetched = staff.list(access.scopePath(actor), node, after, limit + 1).stream().map(StaffView::of).toList();
		return CursorPage.of(fetched, limit, v -> v.id().toString());
	}

	private StaffMember manageable(Actor actor, StaffId id) {
		StaffMember member = staff.find(id).orElseThrow(() -> ApiException.notFound("not-found", "No staff member " + id));
		access.requireStaffManagement(actor, member.role(), member.orgNodeId());
		return member;
	}

	private OrgNode nodeFor(OrgNodeId id, Role role) {
		OrgNode node = nodes.find(id)
			.orElseThrow(() -> ApiException.badRequest("unknown-org-node", "orgNodeId", "No org node " + id));
		if (node.kind() != role.placedAt()) {
			throw ApiException.badRequest("invalid-role-placement", "role",
					"A " + role + " belongs to a " + role.placedAt() + ", not to a " + node.kind());
		}
		return node;
	}

	private static @Nullable String phone(@Nullable String raw) {
		return raw == null || raw.isBlank() ? null : PhoneNumbers.normalize(raw, "phone");
	}

	private void audited(Actor actor, String action, StaffMember member, OrgNode node, Map<String, ?> detail) {
		String actorId = actor instanceof Actor.Staff s ? s.id().toString() : null;
		audit.record(action, "STAFF", actorId, member.username(), node.path(), null, detail);
	}
}
