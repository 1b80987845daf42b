package io.storecast.identity.internal;

import java.util.List;

import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import io.storecast.identity.AccessPolicy;
import io.storecast.identity.Actor;
import io.storecast.identity.Permission;
import io.storecast.platform.CursorPage;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

@Tag(name = "Audit", description = "Security audit log")
@RestController
class AuditController {

	private final AuditLog audit;
	private final AccessPolicy access;
	private final OrgNodes nodes;

	AuditController(AuditLog audit, AccessPolicy access, OrgNodes nodes) {
		this.audit = audit;
		this.access = access;
		this.nodes = nodes;
	}

	@Operation(summary = "Audit entries in your part of the organisation, newest first; page with before=<id>",
			description = "Actions: LOGIN_SUCCEEDED, LOGIN_FAILED, LOGIN_THROTTLED, LOGOUT, PASSWORD_CHANGED, REFRESH_TOKEN_REUSED, STAFF_CREATED, STAFF_UPDATED, STAFF_DISABLED, STAFF_ACTIVE, STAFF_PASSWORD_RESET, ORG_NODE_CREATED, ORG_NODE_UPDATED, API_KEY_CREATED, API_KEY_REVOKED, OWNER_CREATED, DEMO_LOADED.")
	@GetMapping("/api/v1/audit")
	CursorPage<AuditLog.Entry> list(@AuthenticationPrincipal Actor actor,
			@RequestParam(required = false) String action, @RequestParam(required = false) Long before,
			@RequestParam(required = false) Integer limit) {
		access.require(actor, Permission.AUDIT_READ);
		int n = CursorPage.limit(limit);
		String scope = access.scopePath(actor);
		List<AuditLog.Entry> page = audit.list(scope, scope.equals(nodes.headOffice().path()), action, before, n + 1);
		return CursorPage.of(page, n, e -> String.valueOf(e.id()));
	}
}
