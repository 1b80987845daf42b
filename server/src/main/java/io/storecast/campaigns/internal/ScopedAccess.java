package io.storecast.campaigns.internal;

import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

import io.storecast.identity.AccessPolicy;
import io.storecast.identity.Actor;
import io.storecast.identity.OrgNodeId;
import io.storecast.identity.Permission;
import io.storecast.platform.ApiException;

/**
 * What campaigns and triggers share about access and paging: each belongs to an org node (its
 * scope); staff read it with CAMPAIGN_READ when the node lies in their part of the organisation
 * (else it does not exist for them: 404) and change it with CAMPAIGN_WRITE there; lists page newest
 * first by {@code <createdAt>_<id>} ({@link NewestFirst}).
 */
final class ScopedAccess {

	private ScopedAccess() {
	}

	static <T> T readable(AccessPolicy access, Actor actor, Optional<T> found, Function<T, OrgNodeId> scope,
			Supplier<ApiException> notFound) {
		access.require(actor, Permission.CAMPAIGN_READ);
		T item = found.orElseThrow(notFound);
		if (!access.reaches(actor, scope.apply(item))) {
			throw notFound.get();
		}
		return item;
	}

	static <T> T writable(AccessPolicy access, Actor actor, Optional<T> found, Function<T, OrgNodeId> scope,
			Supplier<ApiException> notFound) {
		T item = readable(access, actor, found, scope, notFound);
		access.requireAt(actor, Permission.CAMPAIGN_WRITE, scope.apply(item));
		return item;
	}

	static ApiException invalidCursor() {
		return ApiException.badRequest("invalid-cursor", "after", "after is a cursor from an earlier page");
	}
}
