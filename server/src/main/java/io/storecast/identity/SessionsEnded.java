package io.storecast.identity;

import java.util.List;
import java.util.UUID;

/** Sessions were revoked (logout, password change or reset, account disabled, token theft); live connections on them must close. */
public record SessionsEnded(List<UUID> sessionIds, String reason) {
}
