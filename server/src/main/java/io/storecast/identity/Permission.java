package io.storecast.identity;

/** An action on data; granted to roles ({@link Role#permissions()}) and API key scopes ({@link ApiScope}). */
public enum Permission {
	ORG_READ, ORG_WRITE, STAFF_READ, STAFF_WRITE, CUSTOMER_READ, CUSTOMER_WRITE, CUSTOMER_TOKEN_MINT, API_KEYS_MANAGE,
	AUDIT_READ
}
