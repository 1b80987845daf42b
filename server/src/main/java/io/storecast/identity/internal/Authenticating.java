package io.storecast.identity.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import io.storecast.identity.Actor;
import io.storecast.identity.CustomerId;
import io.storecast.identity.OrgNode;
import io.storecast.identity.OrgNodeId;
import io.storecast.identity.Role;
import io.storecast.identity.StaffId;
import io.storecast.identity.TokenVerifier;
import io.storecast.identity.TokenVerifier.Verification;
import io.storecast.platform.ApiException;
import io.storecast.platform.Ids;

/**
 * Logins, sessions and tokens: turns credentials into token pairs and bearer credentials into an
 * {@link Actor}, checking on every request that the session (or API key) is still alive.
 */
@Service
class Authenticating implements TokenVerifier {

	static final String API_KEY_PREFIX = "sck_";
	static final String REFRESH_PREFIX = "scr_";

	private final StaffMembers staff;
	private final OrgNodes nodes;
	private final Sessions sessions;
	private final ApiKeys apiKeys;
	private final AccessTokens tokens;
	private final Passwords passwords;
	private final RateLimits limits;
	private final AuditLog audit;
	private final IdentitySettings settings;
	private final JdbcClient jdbc;
	private final Clock clock;

	Authenticating(StaffMembers staff, OrgNodes nodes, Sessions sessions, ApiKeys apiKeys, AccessTokens tokens, Passwords passwords,
			RateLimits limits, AuditLog audit, IdentitySettings settings, JdbcClient jdbc, Clock clock) {
		this.staff = staff;
		this.nodes = nodes;
		this.sessions = sessions;
		this.apiKeys = apiKeys;
		this.tokens = tokens;
		this.passwords = passwords;
		this.limits = limits;
		this.audit = audit;
		this.settings = settings;
		this.jdbc = jdbc;
		this.clock = clock;
	}

	/** A staff login; throttled per address and per account, every failure audited. */
	TokenPair login(String username, String password, String clientIp) {
		try {
			limits.loginAttempt(clientIp);
			limits.requireAccountNotLocked(username);
		}
		catch (ApiException throttled) {
			audit.record("LOGIN_THROTTLED", null, null, username, null, clientIp, Map.of("code", throttled.code()));
			throw throttled;
		}
		Optional<StaffMember> found = staff.findByUsername(username);
		if (found.isEmpty()) {
			passwords.burn(password);
			return fail(username, clientIp, "unknown-user", null);
		}
		StaffMember member = found.get();
		if (!passwords.matches(password, member.passwordHash())) {
			return fail(username, clientIp, "bad-password", member);
		}
		if (!member.active()) {
			return fail(username, clientIp, "disabled", member);
		}
		limits.loginSucceeded(username);
		TokenPair pair = openSession(Sessions.SubjectKind.STAFF, member.id().value(), settings.refreshTokenTtl(),
				clientIp, member.passwordChangeRequired());
		audit.record("LOGIN_SUCCEEDED", "STAFF", member.id().toString(), member.username(), pathOf(member.orgNodeId()),
				clientIp, Map.of());
		return pair;
	}

	private TokenPair fail(String username, String clientIp, String reason, @Nullable StaffMember member) {
		limits.loginFailed(username);
		audit.record("LOGIN_FAILED", null, null, username, member == null ? null : pathOf(member.orgNodeId()), clientIp,
				Map.of("reason", reason));
		// One answer for every failure, so the response does not tell which usernames exist.
		throw ApiException.unauthorized("bad-credentials", "Wrong username or password");
	}

	/**
	 * Exchanges a refresh token for a new pair; a reused (already rotated) token revokes its session.
	 * Not one transaction on purpose: the revocation must stay even though the call then fails.
	 */
	TokenPair refresh(String refreshToken, String clientIp) {
		byte[] hash = Secrets.sha256(refreshToken);
		Instant now = clock.instant();
		Optional<Sessions.Session> found = sessions.findByRefreshHash(hash);
		if (found.isEmpty()) {
			sessions.findByPreviousRefreshHash(hash).ifPresent(stolen -> {
				sessions.revoke(stolen, "refresh-token-reuse", now);
				audit.record("REFRESH_TOKEN_REUSED", null, null, stolen.toString(), null, clientIp, Map.of());
			});
			throw ApiException.unauthorized("invalid-refresh-token", "The refresh token is not valid");
		}
		Sessions.Session session = found.get();
		if (!session.activeAt(now)) {
			throw ApiException.unauthorized("invalid-refresh-token", "The session has ended; log in again");
		}
		boolean passwordChange = false;
		if (session.subjectKind() == Sessions.SubjectKind.STAFF) {
			StaffMember member = staff.find(new StaffId(session.subjectId()))
				.filter(StaffMember::active)
				.orElseThrow(() -> ApiException.unauthorized("invalid-refresh-token", "The account is disabled"));
			passwordChange = member.passwordChangeRequired();
		}
		String next = Secrets.token(REFRESH_PREFIX, 32);
		if (!sessions.rotate(session.id(), hash, Secrets.sha256(next), now)) {
			throw ApiException.unauthorized("invalid-refresh-token", "The refresh token was already used");
		}
		return pair(session.subjectKind(), session.subjectId(), session.id(), next, session.expiresAt(), now,
				passwordChange);
	}

	void logout(Actor actor) {
		UUID sessionId = switch (actor) {
			case Actor.Staff s -> s.sessionId();
			case Actor.Customer c -> c.sessionId();
			case Actor.Visitor v -> v.sessionId();
			case Actor.ApiClient k -> throw ApiException.badRequest("not-a-session", "Authorization",
					"An API key has no session to end; revoke the key instead");
		};
		sessions.revoke(sessionId, "logout", clock.instant());
		if (actor instanceof Actor.Staff s) {
			audit.record("LOGOUT", "STAFF", s.id().toString(), s.username(), s.orgPath(), null, Map.of());
		}
	}

	/** Changes a staff member's own password; every other session of theirs ends. */
	@Transactional
	TokenPair changePassword(Actor.Staff actor, String current, String next, String clientIp) {
		StaffMember member = staff.find(actor.id()).orElseThrow();
		if (!passwords.matches(current, member.passwordHash())) {
			audit.record("PASSWORD_CHANGE_FAILED", "STAFF", member.id().toString(), member.username(), actor.orgPath(),
					clientIp, Map.of());
			throw ApiException.badRequest("bad-credentials", "currentPassword", "The current password is wrong");
		}
		passwords.requireStrong(next, member.username(), "newPassword");
		if (passwords.matches(next, member.passwordHash())) {
			throw ApiException.badRequest("weak-password", "newPassword", "must differ from the current password");
		}
		Instant now = clock.instant();
		staff.update(new StaffMember(member.id(), member.username(), member.displayName(), member.role(),
				member.orgNodeId(), member.phone(), passwords.hash(next), false, member.status(), member.createdAt(),
				now));
		sessions.revokeAllOf(Sessions.SubjectKind.STAFF, member.id().value(), null, "password-changed", now);
		audit.record("PASSWORD_CHANGED", "STAFF", member.id().toString(), member.username(), actor.orgPath(), clientIp,
				Map.of());
		return openSession(Sessions.SubjectKind.STAFF, member.id().value(), settings.refreshTokenTtl(), clientIp,
				false);
	}

	TokenPair openCustomerSession(CustomerId customer, @Nullable String clientIp) {
		return openSession(Sessions.SubjectKind.CUSTOMER, customer.value(), settings.refreshTokenTtl(), clientIp,
				false);
	}

	TokenPair openVisitorSession(String clientIp) {
		limits.visitorToken(clientIp);
		return openSession(Sessions.SubjectKind.VISITOR, Ids.newId(), settings.visitorSessionTtl(), clientIp, false);
	}

	private TokenPair openSession(Sessions.SubjectKind kind, UUID subject, Duration ttl, @Nullable String clientIp,
			boolean passwordChangeRequired) {
		Instant now = clock.instant();
		UUID sessionId = Ids.newId();
		String refresh = Secrets.token(REFRESH_PREFIX, 32);
		Instant expires = now.plus(ttl);
		sessions.create(sessionId, kind, subject, Secrets.sha256(refresh), now, expires, clientIp);
		return pair(kind, subject, sessionId, refresh, expires, now, passwordChangeRequired);
	}

	private TokenPair pair(Sessions.SubjectKind kind, UUID subject, UUID sessionId, String refresh, Instant expires,
			Instant now, boolean passwordChangeRequired) {
		String access = tokens.issue(kind, subject, sessionId, now);
		return new TokenPair(access, "Bearer", tokens.ttl().toSeconds(), refresh, expires, passwordChangeRequired);
	}

	@Override
	public Actor verify(String credential) {
		return authenticate(credential);
	}

	@Override
	public List<Verification> verifyAll(List<String> credentials) {
		Instant now = clock.instant();
		Verification[] answers = new Verification[credentials.size()];
		AccessTokens.Claims[] sessionBound = new AccessTokens.Claims[credentials.size()];
		List<UUID> sessionIds = new ArrayList<>();
		for (int i = 0; i < answers.length; i++) {
			String credential = credentials.get(i);
			try {
				if (credential.startsWith(API_KEY_PREFIX)) {
					answers[i] = Verification.of(authenticateApiKey(credential, now));
					continue;
				}
				AccessTokens.Claims claims = tokens.verify(credential, now);
				if (claims.kind() == Sessions.SubjectKind.STAFF) {
					answers[i] = Verification.of(authenticateStaff(claims, now));
				}
				else {
					sessionBound[i] = claims;
					sessionIds.add(claims.sessionId());
				}
			}
			catch (ApiException e) {
				answers[i] = Verification.refused(e);
			}
		}
		Map<UUID, Sessions.Session> sessionsById = sessions.findAll(sessionIds);
		for (int i = 0; i < answers.length; i++) {
			AccessTokens.Claims claims = sessionBound[i];
			if (claims == null) {
				continue;
			}
			try {
				answers[i] = Verification.of(
						sessionActor(claims, Optional.ofNullable(sessionsById.get(claims.sessionId())), now));
			}
			catch (ApiException e) {
				answers[i] = Verification.refused(e);
			}
		}
		return Arrays.asList(answers);
	}

	/** Resolves a bearer credential (access token or API key) to the actor, or fails with 401. */
	Actor authenticate(String credential) {
		Instant now = clock.instant();
		if (credential.startsWith(API_KEY_PREFIX)) {
			return authenticateApiKey(credential, now);
		}
		AccessTokens.Claims claims = tokens.verify(credential, now);
		return switch (claims.kind()) {
			case STAFF -> authenticateStaff(claims, now);
			case CUSTOMER, VISITOR -> sessionActor(claims, sessions.find(claims.sessionId()), now);
		};
	}

	/** The customer or visitor a token names, if its session (as found) is theirs and alive; 401 otherwise. */
	private static Actor sessionActor(AccessTokens.Claims claims, Optional<Sessions.Session> found, Instant now) {
		Sessions.Session session = found.filter(s -> s.subjectId().equals(claims.subject()))
			.orElseThrow(() -> ApiException.unauthorized("invalid-token", "The access token is not valid"));
		if (!session.activeAt(now)) {
			throw ApiException.unauthorized("token-revoked", "The session of this token has ended");
		}
		return claims.kind() == Sessions.SubjectKind.CUSTOMER
				? new Actor.Customer(new CustomerId(claims.subject()), claims.sessionId())
				: new Actor.Visitor(claims.subject(), claims.sessionId());
	}

	private Actor authenticateStaff(AccessTokens.Claims claims, Instant now) {
		// One query: the session must be alive and the account active; role and node are read fresh.
		record Row(@Nullable Instant revokedAt, Instant expiresAt, String username, String role, UUID node,
				String status, boolean passwordChange, String path) {
		}
		Row row = jdbc.sql("""
				SELECT s.revoked_at, s.expires_at, st.username, st.role, st.org_node_id, st.status,
				       st.password_change_required, n.path
				  FROM identity_sessions s
				  JOIN identity_staff st ON st.id = s.subject_id
				  JOIN identity_org_nodes n ON n.id = st.org_node_id
				 WHERE s.id = ? AND s.subject_kind = 'STAFF' AND s.subject_id = ?""")
			.params(claims.sessionId(), claims.subject())
			.query((rs, n) -> new Row(OrgNodes.instant(rs, "revoked_at"), OrgNodes.instant(rs, "expires_at"),
					rs.getString("username"), rs.getString("role"), rs.getObject("org_node_id", UUID.class),
					rs.getString("status"), rs.getBoolean("password_change_required"), rs.getString("path")))
			.optional()
			.orElseThrow(() -> ApiException.unauthorized("invalid-token", "The access token is not valid"));
		if (row.revokedAt() != null || !now.isBefore(row.expiresAt()) || !"ACTIVE".equals(row.status())) {
			throw ApiException.unauthorized("token-revoked", "The session of this token has ended");
		}
		return new Actor.Staff(new StaffId(claims.subject()), row.username(), Role.valueOf(row.role()),
				new OrgNodeId(row.node()), row.path(), claims.sessionId(), row.passwordChange());
	}

	private Actor authenticateApiKey(String credential, Instant now) {
		ParsedKey parsed = ParsedKey.parse(credential)
			.orElseThrow(() -> ApiException.unauthorized("invalid-api-key", "The API key is not valid"));
		ApiKeys.ApiKey key = apiKeys.find(parsed.id())
			.filter(k -> Secrets.sameDigest(k.secretHash(), Secrets.sha256(parsed.secret())))
			.orElseThrow(() -> ApiException.unauthorized("invalid-api-key", "The API key is not valid"));
		if (key.revokedAt() != null) {
			throw ApiException.unauthorized("api-key-revoked", "The API key has been revoked");
		}
		apiKeys.touch(key.id(), now);
		return new Actor.ApiClient(key.id(), key.name(), key.scopes());
	}

	private @Nullable String pathOf(OrgNodeId node) {
		return nodes.find(node).map(OrgNode::path).orElse(null);
	}

	/** {@code sck_<32 hex id>_<secret>}: the id finds the row, the secret is compared by digest. */
	record ParsedKey(UUID id, String secret) {

		static Optional<ParsedKey> parse(String key) {
			if (!key.startsWith(API_KEY_PREFIX) || key.length() != API_KEY_PREFIX.length() + 32 + 1 + 43
					|| key.charAt(API_KEY_PREFIX.length() + 32) != '_') {
				return Optional.empty();
			}
			String hex = key.substring(API_KEY_PREFIX.length(), API_KEY_PREFIX.length() + 32);
			if (!hex.matches("[0-9a-f]{32}")) {
				return Optional.empty();
			}
			UUID id = new UUID(Long.parseUnsignedLong(hex.substring(0, 16), 16),
					Long.parseUnsignedLong(hex.substring(16), 16));
			return Optional.of(new ParsedKey(id, key.substring(API_KEY_PREFIX.length() + 33)));
		}

		static String format(UUID id, String secret) {
			return API_KEY_PREFIX + id.toString().replace("-", "") + "_" + secret;
		}
	}
}
