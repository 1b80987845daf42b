package io.storecast.identity.internal;

import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import io.storecast.identity.AccessPolicy;
import io.storecast.identity.Actor;
import io.storecast.identity.ApiScope;
import io.storecast.identity.Permission;
import io.storecast.platform.ApiException;
import io.storecast.platform.Ids;

/** API keys for the merchant's backend: shown once at creation, stored hashed, revocable. */
@Service
class ApiKeyManagement {

	/**
	 * A key as listed; {@code key} is present only in the answer that created it.
	 */
	record ApiKeyView(UUID id, String name, Set<ApiScope> scopes, String prefix, Instant createdAt,
			@Nullable Instant lastUsedAt, @Nullable Instant revokedAt, @Nullable String key) {
	}

	private final ApiKeys keys;
	private final AccessPolicy access;
	private final AuditLog audit;
	private final Clock clock;

	ApiKeyManagement(ApiKeys keys, AccessPolicy access, AuditLog audit, Clock clock) {
		this.keys = keys;
		this.access = access;
		this.audit = audit;
		this.clock = clock;
	}

	@Transactional
	ApiKeyView create(Actor actor, String name, List<ApiScope> scopes) {
		access.require(actor, Permission.API_KEYS_MANAGE);
		Actor.Staff staff = (Actor.Staff) actor;
		if (scopes.isEmpty()) {
			throw ApiException.badRequest("validation-failed", "scopes", "must name at least one scope");
		}
		UUID id = Ids.newId();
		String secret = Secrets.token("", 32);
		Instant now = clock.instant();
		ApiKeys.ApiKey key = new ApiKeys.ApiKey(id, name, Secrets.sha256(secret), new LinkedHashSet<>(scopes),
				staff.id(), now, null, null);
		keys.insert(key);
		audit.record("API_KEY_CREATED", "STAFF", staff.id().toString(), id.toString(), staff.orgPath(), null,
				Map.of("name", name, "scopes", scopes.stream().map(ApiScope::value).toList()));
		return view(key, Authenticating.ParsedKey.format(id, secret));
	}

	List<ApiKeyView> list(Actor actor) {
		access.require(actor, Permission.API_KEYS_MANAGE);
		return keys.list().stream().map(k -> view(k, null)).toList();
	}

	@Transactional
	void revoke(Actor actor, UUID id) {
		access.require(actor, Permission.API_KEYS_MANAGE);
		keys.find(id).orElseThrow(() -> ApiException.notFound("not-found", "No API key " + id));
		if (keys.revoke(id, clock.instant())) {
			Actor.Staff staff = (Actor.Staff) actor;
			audit.record("API_KEY_REVOKED", "STAFF", staff.id().toString(), id.toString(), staff.orgPath(), null,
					Map.of());
		}
	}

	private static ApiKeyView view(ApiKeys.ApiKey key, @Nullable String full) {
		String prefix = Authenticating.API_KEY_PREFIX + key.id().toString().replace("-", "").substring(0, 8) + "…";
		return new ApiKeyView(key.id(), key.name(), key.scopes(), prefix, key.createdAt(), key.lastUsedAt(),
				key.revokedAt(), full);
	}
}
