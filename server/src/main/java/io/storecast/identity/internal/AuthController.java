package io.storecast.identity.internal;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import io.storecast.identity.Actor;
import io.storecast.platform.ApiException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

@Tag(name = "Authentication", description = "Logins, token refresh, logout, password change, visitor tokens")
@RestController
class AuthController {

	record LoginRequest(@NotBlank @Size(max = 64) String username, @NotBlank @Size(max = 128) String password) {
	}

	record RefreshRequest(@NotBlank @Size(max = 200) String refreshToken) {
	}

	record PasswordChange(@NotBlank @Size(max = 128) String currentPassword,
			@NotBlank @Size(max = 128) String newPassword) {
	}

	private final Authenticating authenticating;
	private final StaffMembers staff;
	private final Customers customers;
	private final OrgNodes nodes;

	AuthController(Authenticating authenticating, StaffMembers staff, Customers customers, OrgNodes nodes) {
		this.authenticating = authenticating;
		this.staff = staff;
		this.customers = customers;
		this.nodes = nodes;
	}

	@Operation(summary = "Log in as staff", description = "Throttled per account and per client address (429 with Retry-After).")
	@PostMapping("/api/v1/auth/login")
	TokenPair login(@Valid @RequestBody LoginRequest request, HttpServletRequest http) {
		return authenticating.login(request.username(), request.password(), http.getRemoteAddr());
	}

	@Operation(summary = "Exchange a refresh token for a new token pair (the old refresh token is spent)")
	@PostMapping("/api/v1/auth/refresh")
	TokenPair refresh(@Valid @RequestBody RefreshRequest request, HttpServletRequest http) {
		return authenticating.refresh(request.refreshToken(), http.getRemoteAddr());
	}

	@Operation(summary = "End this session: its access and refresh tokens stop working at once")
	@PostMapping("/api/v1/auth/logout")
	@ResponseStatus(HttpStatus.NO_CONTENT)
	void logout(@AuthenticationPrincipal Actor actor) {
		authenticating.logout(actor);
	}

	@Operation(summary = "Change your own password; ends your other sessions and returns a fresh token pair")
	@PostMapping("/api/v1/auth/password")
	TokenPair changePassword(@AuthenticationPrincipal Actor actor, @Valid @RequestBody PasswordChange request,
			HttpServletRequest http) {
		if (!(actor instanceof Actor.Staff staffActor)) {
			throw ApiException.forbidden("forbidden", "Only staff accounts have passwords");
		}
		return authenticating.changePassword(staffActor, request.currentPassword(), request.newPassword(),
				http.getRemoteAddr());
	}

	@Operation(summary = "Get an anonymous visitor token for the web widget (rate limited per address)")
	@PostMapping("/api/v1/visitors/tokens")
	@ResponseStatus(HttpStatus.CREATED)
	TokenPair visitorToken(HttpServletRequest http) {
		return authenticating.openVisitorSession(http.getRemoteAddr());
	}

	@Operation(summary = "Who am I: the caller's identity")
	@GetMapping("/api/v1/me")
	Map<String, Object> me(@AuthenticationPrincipal Actor actor) {
		Map<String, Object> me = new LinkedHashMap<>();
		switch (actor) {
			case Actor.Staff s -> {
				me.put("kind", "STAFF");
				me.put("staff", StaffView.of(staff.find(s.id()).orElseThrow()));
				me.put("orgNode", nodes.find(s.orgNodeId()).orElseThrow());
			}
			case Actor.Customer c -> {
				me.put("kind", "CUSTOMER");
				me.put("customer", customers.find(c.id()).orElseThrow());
			}
			case Actor.Visitor v -> {
				me.put("kind", "VISITOR");
				me.put("visitorId", v.visitorId());
			}
			case Actor.ApiClient k -> {
				me.put("kind", "API_KEY");
				me.put("keyId", k.keyId());
				me.put("name", k.name());
				me.put("scopes", k.scopes());
			}
		}
		return me;
	}
}
