package io.storecast.sdk;

/** An error frame from the server (a stable {@code code}, a message, maybe the offending field), or a lost connection. */
public class StorecastException extends RuntimeException {

	private final String code;
	private final String field;

	public StorecastException(String code, String message, String field) {
		super(code + ": " + message);
		this.code = code;
		this.field = field;
	}

	public String code() {
		return code;
	}

	/** The request field at fault, or null. */
	public String field() {
		return field;
	}
}
