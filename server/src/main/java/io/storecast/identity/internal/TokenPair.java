package io.storecast.identity.internal;

import java.time.Instant;

/**
 * What a login, refresh or token mint returns.
 *
 * @param accessToken send as {@code Authorization: Bearer <accessToken>}
 * @param tokenType always {@code Bearer}
 * @param expiresIn seconds until the access token expires
 * @param refreshToken exchange at {@code /api/v1/auth/refresh} for a new pair; single use
 * @param refreshExpiresAt when the session ends and a new login is needed
 * @param passwordChangeRequired staff only: every call but a password change is refused until then
 */
record TokenPair(String accessToken, String tokenType, long expiresIn, String refreshToken, Instant refreshExpiresAt,
		boolean passwordChangeRequired) {
}
