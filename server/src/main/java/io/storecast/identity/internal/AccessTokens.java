package io.storecast.identity.internal;

import java.sql.Timestamp;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

import io.storecast.platform.ApiException;

/**
 * Short-lived access tokens: HS256 JWTs naming the subject and its session. The session is checked
 * on every request, so a token dies with its session, not only when it expires.
 */
@Component
class AccessTokens {

	private static final Logger log = LoggerFactory.getLogger(AccessTokens.class);

	static final String ISSUER = "storecast";

	/** What a verified token says. */
	record Claims(Sessions.SubjectKind kind, UUID subject, UUID sessionId, Instant expiresAt) {
	}

	private final MACSigner signer;
	private final MACVerifier verifier;
	private final String keyId;
	private final Duration ttl;
	/**
	 * Tokens whose signature verified, with their claims (parsing and checking an HS256 JWT is most of
	 * a request's authentication CPU; the session is still read on every request).
	 */
	private final Cache<String, Claims> verified;

	AccessTokens(IdentitySettings settings, JdbcClient jdbc, TransactionTemplate tx) {
		byte[] secret;
		if (settings.tokenSecret() != null && !settings.tokenSecret().isBlank()) {
			secret = decode(settings.tokenSecret());
			keyId = "env";
		}
		else {
			secret = storedSecret(jdbc, tx);
			keyId = "db";
		}
		try {
			this.signer = new MACSigner(secret);
			this.verifier = new MACVerifier(secret);
		}
		catch (JOSEException e) {
			throw new IllegalStateException("Invalid token secret: " + e.getMessage(), e);
		}
		this.ttl = settings.accessTokenTtl();
		this.verified = Caffeine.newBuilder().maximumSize(50_000).expireAfterWrite(ttl).build();
	}

	Duration ttl() {
		return ttl;
	}

	String issue(Sessions.SubjectKind kind, UUID subject, UUID sessionId, Instant now) {
		JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer(ISSUER)
			.subject(subject.toString())
			.claim("typ", kind.name())
			.claim("sid", sessionId.toString())
			.issueTime(Date.from(now))
			.expirationTime(Date.from(now.plus(ttl)))
			.build();
		SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(keyId).build(), claims);
		try {
			jwt.sign(signer);
		}
		catch (JOSEException e) {
			throw new IllegalStateException(e);
		}
		return jwt.serialize();
	}

	/** Verifies signature, issuer and expiry; a 401 problem otherwise. */
	Claims verify(String token, Instant now) {
		// a token's signature and claims never change: one that verified is only checked for expiry again
		Claims known = verified.getIfPresent(token);
		if (known != null) {
			if (!now.isBefore(known.expiresAt())) {
				throw expired();
			}
			return known;
		}
		Claims claims = parse(token, now);
		verified.put(token, claims);
		return claims;
	}

	private Claims parse(String token, Instant now) {
		try {
			SignedJWT jwt = SignedJWT.parse(token);
			if (!JWSAlgorithm.HS256.equals(jwt.getHeader().getAlgorithm()) || !jwt.verify(verifier)) {
				throw invalid();
			}
			JWTClaimsSet claims = jwt.getJWTClaimsSet();
			if (!ISSUER.equals(claims.getIssuer()) || claims.getExpirationTime() == null) {
				throw invalid();
			}
			Instant expires = claims.getExpirationTime().toInstant();
			if (!now.isBefore(expires)) {
				throw expired();
			}
			return new Claims(Sessions.SubjectKind.valueOf(claims.getStringClaim("typ")),
					UUID.fromString(claims.getSubject()), UUID.fromString(claims.getStringClaim("sid")), expires);
		}
		catch (ParseException | JOSEException | IllegalArgumentException | NullPointerException e) {
			throw invalid();
		}
	}

	private static ApiException expired() {
		return ApiException.unauthorized("token-expired", "The access token has expired; refresh it or log in");
	}

	private static ApiException invalid() {
		return ApiException.unauthorized("invalid-token", "The access token is not valid");
	}

	private static byte[] decode(String secret) {
		byte[] bytes;
		try {
			bytes = Base64.getDecoder().decode(secret.trim());
		}
		catch (IllegalArgumentException e) {
			throw new IllegalStateException("STORECAST_TOKEN_SECRET must be base64 (e.g. `openssl rand -base64 48`)");
		}
		if (bytes.length < 32) {
			throw new IllegalStateException("STORECAST_TOKEN_SECRET must decode to at least 32 bytes, got " + bytes.length);
		}
		return bytes;
	}

	/** The generated key, created by whichever node gets there first and then shared through the database. */
	private static byte[] storedSecret(JdbcClient jdbc, TransactionTemplate tx) {
		return tx.execute(status -> {
			int created = jdbc.sql("""
					INSERT INTO identity_signing_keys (id, secret, created_at) VALUES ('access-token', ?, ?)
					ON CONFLICT (id) DO NOTHING""")
				.params(Secrets.randomBytes(48), Timestamp.from(Instant.now()))
				.update();
			if (created == 1) {
				log.info("Generated the access-token signing key and stored it in the database");
			}
			return jdbc.sql("SELECT secret FROM identity_signing_keys WHERE id = 'access-token'")
				.query(byte[].class)
				.single();
		});
	}
}
