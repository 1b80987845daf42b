package io.storecast.identity.internal;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

import io.storecast.identity.SessionsEnded;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Sessions in {@code identity_sessions}: one per login or minted token, revocable at once. */
@Repository
class Sessions {

	enum SubjectKind {
		STAFF, CUSTOMER, VISITOR
	}

	record Session(UUID id, SubjectKind subjectKind, UUID subjectId, Instant expiresAt, @Nullable Instant revokedAt) {

		boolean activeAt(Instant now) {
			return revokedAt == null && now.isBefore(expiresAt);
		}
	}

	private final JdbcClient jdbc;
	private final ApplicationEventPublisher events;

	Sessions(JdbcClient jdbc, ApplicationEventPublisher events) {
		this.jdbc = jdbc;
		this.events = events;
	}

	void create(UUID id, SubjectKind kind, UUID subject, byte[] refreshHash, Instant now, Instant expiresAt,
			@Nullable String clientIp) {
		jdbc.sql("""
				INSERT INTO identity_sessions (id, subject_kind, subject_id, refresh_hash, created_at, refreshed_at,
				                               expires_at, client_ip)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?)""")
			.params(id, kind.name(), subject, refreshHash, Timestamp.from(now), Timestamp.from(now),
					Timestamp.from(expiresAt), clientIp)
			.update();
	}

	Optional<Session> find(UUID id) {
		return jdbc.sql("SELECT id, subject_kind, subject_id, expires_at, revoked_at FROM identity_sessions WHERE id = ?")
			.param(id)
			.query(Sessions::session)
			.optional();
	}

	/** The sessions with these ids that exist, by id: one query however many. */
	Map<UUID, Session> findAll(Collection<UUID> ids) {
		if (ids.isEmpty()) {
			return Map.of();
		}
		Map<UUID, Session> found = new HashMap<>();
		jdbc.sql("SELECT id, subject_kind, subject_id, expires_at, revoked_at FROM identity_sessions WHERE id = ANY(?)")
			.param(ids.toArray(UUID[]::new))
			.query(Sessions::session)
			.list()
			.forEach(s -> found.put(s.id(), s));
		return found;
	}

	private static Session session(java.sql.ResultSet rs, int n) throws java.sql.SQLException {
		return new Session(rs.getObject("id", UUID.class), SubjectKind.valueOf(rs.getString("subject_kind")),
				rs.getObject("subject_id", UUID.class), OrgNodes.instant(rs, "expires_at"), OrgNodes.instant(rs, "revoked_at"));
	}

	/** Replaces the current refresh hash if it is still {@code current}; false if another refresh won. */
	boolean rotate(UUID id, byte[] current, byte[] next, Instant now) {
		return jdbc.sql("""
				UPDATE identity_sessions SET previous_refresh_hash = refresh_hash, refresh_hash = ?, refreshed_at = ?
				 WHERE id = ? AND refresh_hash = ? AND revoked_at IS NULL""")
			.params(next, Timestamp.from(now), id, current)
			.update() == 1;
	}

	Optional<Session> findByRefreshHash(byte[] hash) {
		return jdbc.sql("""
				SELECT id, subject_kind, subject_id, expires_at, revoked_at FROM identity_sessions
				 WHERE refresh_hash = ?""")
			.param(hash)
			.query(Sessions::session)
			.optional();
	}

	/** The session whose previous (already rotated) refresh token this is: a sign the token was stolen. */
	Optional<UUID> findByPreviousRefreshHash(byte[] hash) {
		return jdbc.sql("SELECT id FROM identity_sessions WHERE previous_refresh_hash = ?")
			.param(hash)
			.query(UUID.class)
			.optional();
	}

	boolean revoke(UUID id, String reason, Instant now) {
		boolean revoked = jdbc.sql("UPDATE identity_sessions SET revoked_at = ?, revoke_reason = ? WHERE id = ? AND revoked_at IS NULL")
			.params(Timestamp.from(now), reason, id)
			.update() == 1;
		if (revoked) {
			events.publishEvent(new SessionsEnded(List.of(id), reason));
		}
		return revoked;
	}

	/** Revokes every open session of the subject except {@code keep} (which may be null). */
	int revokeAllOf(SubjectKind kind, UUID subject, @Nullable UUID keep, String reason, Instant now) {
		List<UUID> ids = jdbc.sql("""
				UPDATE identity_sessions SET revoked_at = ?, revoke_reason = ?
				 WHERE subject_kind = ? AND subject_id = ? AND revoked_at IS NULL
				   AND (CAST(? AS uuid) IS NULL OR id <> ?)
				RETURNING id""")
			.params(Timestamp.from(now), reason, kind.name(), subject, keep, keep)
			.query(UUID.class)
			.list();
		if (!ids.isEmpty()) {
			events.publishEvent(new SessionsEnded(ids, reason));
		}
		return ids.size();
	}
}
