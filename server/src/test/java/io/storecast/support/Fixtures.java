package io.storecast.support;

/** Known credentials of the test installations. */
public final class Fixtures {

	public static final String OWNER = "owner";
	public static final String OWNER_PASSWORD = "Head-Office-Pass-2026";
	public static final String DEMO_PASSWORD = "Demo-Staff-Pass-2026";
	/** base64 of 48 fixed bytes: tests may forge tokens with it (e.g. expired ones). */
	public static final String TOKEN_SECRET = "c3RvcmVjYXN0LXRlc3QtdG9rZW4tc2VjcmV0LTQ4LWJ5dGVzLWxvbmctLS0tLS0t";

	private Fixtures() {
	}
}
