package io.storecast.identity.internal;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import io.storecast.identity.ApiScope;
import io.storecast.identity.StaffId;

/** API keys in {@code identity_api_keys}; only the SHA-256 of each secret is kept. */
@Repository
class ApiKeys {

	/** A key as stored, without its secret. */
	record ApiKey(UUID id, String name, byte[] secretHash, Set<ApiScope> scopes, StaffId createdBy, Instant createdAt,
			@Nullable Instant lastUsedAt, @Nullable Instant revokedAt) {
	}

	private final JdbcClient jdbc;

	ApiKeys(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	void insert(ApiKey key) {
		String[] scopes = key.scopes().stream().map(ApiScope::value).toArray(String[]::new);
		jdbc.sql("""
				INSERT INTO identity_api_keys (id, name, secret_hash, scopes, created_by, created_at)
				VALUES (?, ?, ?, CAST(? AS text[]), ?, ?)""")
			.params(key.id(), key.name(), key.secretHash(), scopes, key.createdBy().value(),
					Timestamp.from(key.createdAt()))
			.update();
	}

	Optional<ApiKey> find(UUID id) {
		return jdbc.sql("SELECT * FROM identity_api_keys WHERE id = ?").param(id).query(ApiKeys::map).optional();
	}

	List<ApiKey> list() {
		return jdbc.sql("SELECT * FROM identity_api_keys ORDER BY created_at DESC").query(ApiKeys::map).list();
	}

	boolean revoke(UUID id, Instant now) {
		return jdbc.sql("UPDATE identity_api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")
			.params(Timestamp.from(now), id)
			.update() == 1;
	}

	/** Records use at most once a minute per key, so a busy integration does not write on every call. */
	void touch(UUID id, Instant now) {
		jdbc.sql("""
				UPDATE identity_api_keys SET last_used_at = ?
				 WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)""")
			.params(Timestamp.from(now), id, Timestamp.from(now.minusSeconds(60)))
			.update();
	}

	private static ApiKey map(ResultSet rs, int row) throws SQLException {
		String[] scopes = (String[]) rs.getArray("scopes").getArray();
		Set<ApiScope> parsed = new LinkedHashSet<>();
		Arrays.stream(scopes).forEach(s -> ApiScope.find(s).ifPresent(parsed::add));
		return new ApiKey(rs.getObject("id", UUID.class), rs.getString("name"), rs.getBytes("secret_hash"), parsed,
				new StaffId(rs.getObject("created_by", UUID.class)), OrgNodes.instant(rs, "created_at"),
				OrgNodes.instant(rs, "last_used_at"), OrgNodes.instant(rs, "revoked_at"));
	}
}
