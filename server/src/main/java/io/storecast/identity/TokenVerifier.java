package io.storecast.identity;

import java.util.List;

import org.jspecify.annotations.Nullable;

import io.storecast.platform.ApiException;

/** Resolves a bearer credential (access token or API key) to its actor; for transports other than HTTP. */
public interface TokenVerifier {

	/**
	 * @throws io.storecast.platform.ApiException 401 when the credential is invalid, expired or revoked
	 */
	Actor verify(String credential);

	/**
	 * Verifies several credentials at once, each exactly as {@link #verify} would: the customers' and
	 * visitors' sessions are read in one query for the lot (a batch of requests arriving together
	 * costs one round trip, not one each). The answers are in the credentials' order.
	 */
	List<Verification> verifyAll(List<String> credentials);

	/** The actor a credential names, or the 401 that {@link #verify} would have thrown. */
	record Verification(@Nullable Actor actor, @Nullable ApiException refusal) {

		public static Verification of(Actor actor) {
			return new Verification(actor, null);
		}

		public static Verification refused(ApiException refusal) {
			return new Verification(null, refusal);
		}
	}
}
