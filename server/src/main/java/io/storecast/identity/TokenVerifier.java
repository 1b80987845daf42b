package io.storecast.identity;

/** Resolves a bearer credential (access token or API key) to its actor; for transports other than HTTP. */
public interface TokenVerifier {

	/**
	 * @throws io.storecast.platform.ApiException 401 when the credential is invalid, expired or revoked
	 */
	Actor verify(String credential);
}
