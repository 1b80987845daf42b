package io.storecast.identity.internal;

import java.time.Duration;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Accounts, tokens and throttles.
 *
 * @param ownerUsername login of the owner account created at first start
 * @param ownerPassword its password ({@code STORECAST_OWNER_PASSWORD}); when empty a one-time password
 * is generated, logged once, and must be changed at first login
 * @param tokenSecret base64 HMAC key (at least 32 bytes) for access tokens ({@code STORECAST_TOKEN_SECRET});
 * when empty one is generated once and kept in the database
 * @param accessTokenTtl lifetime of an access token
 * @param refreshTokenTtl lifetime of a session (its refresh token)
 * @param visitorSessionTtl lifetime of an anonymous visitor's session
 * @param loginFailuresPerAccount failed logins allowed per account within {@code loginFailureWindow}
 * @param loginFailureWindow window for the per-account failure count
 * @param loginAttemptsPerIp login attempts allowed per client address per minute
 * @param visitorTokensPerIp visitor tokens one client address may obtain per minute
 * @param demoPassword password of the demo staff accounts; when empty one is generated and logged
 */
@ConfigurationProperties("storecast.identity")
record IdentitySettings(@DefaultValue("owner") String ownerUsername, @Nullable String ownerPassword,
		@Nullable String tokenSecret, @DefaultValue("15m") Duration accessTokenTtl,
		@DefaultValue("30d") Duration refreshTokenTtl, @DefaultValue("7d") Duration visitorSessionTtl,
		@DefaultValue("5") int loginFailuresPerAccount, @DefaultValue("15m") Duration loginFailureWindow,
		@DefaultValue("30") int loginAttemptsPerIp, @DefaultValue("20") int visitorTokensPerIp,
		@Nullable String demoPassword) {
}
