package io.storecast.identity.internal;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import tools.jackson.databind.json.JsonMapper;

/** Security-relevant facts in {@code identity_audit_log}: logins, failures, keys, staff and org changes. */
@Repository
class AuditLog {

	/** One audited fact, as listed over the API. */
	record Entry(long id, Instant at, String action, @Nullable String actorKind, @Nullable String actorId,
			@Nullable String subject, @Nullable String clientIp, Map<String, Object> detail) {
	}

	private final JdbcClient jdbc;
	private final JsonMapper json;

	AuditLog(JdbcClient jdbc, JsonMapper json) {
		this.jdbc = jdbc;
		this.json = json;
	}

	void record(String action, @Nullable String actorKind, @Nullable String actorId, @Nullable String subject,
			@Nullable String orgPath, @Nullable String clientIp, Map<String, ?> detail) {
		jdbc.sql("""
				INSERT INTO identity_audit_log (at, action, actor_kind, actor_id, subject, org_path, client_ip, detail)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?::jsonb)""")
			.params(Timestamp.from(Instant.now()), action, actorKind, actorId, subject, orgPath, clientIp,
					json.writeValueAsString(detail))
			.update();
	}

	@SuppressWarnings("unchecked")
	List<Entry> list(String pathPrefix, boolean wholeTree, @Nullable String action, @Nullable Long before, int limit) {
		return jdbc.sql("""
				SELECT * FROM identity_audit_log
				 WHERE (org_path LIKE :prefix OR (:wholeTree AND org_path IS NULL))
				   AND (CAST(:action AS text) IS NULL OR action = :action)
				   AND (CAST(:before AS bigint) IS NULL OR id < :before)
				 ORDER BY id DESC LIMIT :limit""")
			.param("prefix", OrgNodes.likePrefix(pathPrefix))
			.param("wholeTree", wholeTree)
			.param("action", action)
			.param("before", before)
			.param("limit", limit)
			.query((rs, n) -> new Entry(rs.getLong("id"), OrgNodes.instant(rs, "at"), rs.getString("action"),
					rs.getString("actor_kind"), rs.getString("actor_id"), rs.getString("subject"),
					rs.getString("client_ip"), json.readValue(rs.getString("detail"), Map.class)))
			.list();
	}

	long count(String action, String subject) {
		return jdbc.sql("SELECT count(*) FROM identity_audit_log WHERE action = ? AND subject = ?")
			.params(action, subject)
			.query(Long.class)
			.single();
	}
}
