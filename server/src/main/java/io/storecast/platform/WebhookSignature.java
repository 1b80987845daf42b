package io.storecast.platform;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.jspecify.annotations.Nullable;


/**
 * The webhook signature, both ways (the orders module checks it on inbound webhooks, delivery signs
 * its outbound ones): {@code X-Storecast-Signature: sha256=<hex>} where the hex is
 * HMAC-SHA256, keyed with the shared secret's UTF-8 bytes, over the ASCII timestamp of
 * {@code X-Storecast-Timestamp} (Unix seconds), a dot, and the raw body bytes. Binding the timestamp
 * into the signature makes an old request useless once it is outside the tolerance.
 */
public final class WebhookSignature {

	public static final String TIMESTAMP_HEADER = "X-Storecast-Timestamp";
	public static final String SIGNATURE_HEADER = "X-Storecast-Signature";
	public static final String EVENT_ID_HEADER = "X-Storecast-Event-Id";
	public static final String SCHEME = "sha256=";

	private WebhookSignature() {
	}

	/** The signature header value for a body sent at {@code timestamp} (Unix seconds). */
	public static String sign(String secret, long timestamp, byte[] body) {
		return SCHEME + HexFormat.of().formatHex(mac(secret, timestamp, body));
	}

	/**
	 * Checks the headers of a request against its raw body.
	 *
	 * @throws ApiException 401 when a header is missing, the timestamp is not Unix seconds or is
	 * further than {@code tolerance} from {@code now}, or the signature does not match
	 */
	public static void verify(String secret, @Nullable String timestampHeader, @Nullable String signatureHeader, byte[] body,
			Instant now, Duration tolerance) {
		if (timestampHeader == null || timestampHeader.isBlank() || signatureHeader == null
				|| signatureHeader.isBlank()) {
			throw ApiException.unauthorized("webhook-signature-missing",
					"Sign the request: send " + TIMESTAMP_HEADER + " (Unix seconds) and " + SIGNATURE_HEADER
							+ " (sha256=<hex HMAC-SHA256 of timestamp + \".\" + body>)");
		}
		long timestamp;
		try {
			timestamp = Long.parseLong(timestampHeader.trim());
		}
		catch (NumberFormatException e) {
			throw ApiException.unauthorized("webhook-timestamp-invalid",
					TIMESTAMP_HEADER + " must be the time of sending in Unix seconds, such as " + now.getEpochSecond());
		}
		long skew = Math.abs(now.getEpochSecond() - timestamp);
		if (skew > tolerance.toSeconds()) {
			throw ApiException.unauthorized("webhook-timestamp-expired", TIMESTAMP_HEADER + " " + timestamp
					+ " is more than " + tolerance.toSeconds() + " s from the server's time (" + now.getEpochSecond()
					+ "): sign each delivery when you send it, and keep your clock in sync");
		}
		String value = signatureHeader.trim();
		byte[] given = null;
		if (value.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
			try {
				given = HexFormat.of().parseHex(value.substring(SCHEME.length()));
			}
			catch (IllegalArgumentException e) {
				given = null;
			}
		}
		// constant time: the comparison takes as long whichever byte differs
		if (given == null || !MessageDigest.isEqual(mac(secret, timestamp, body), given)) {
			throw ApiException.unauthorized("webhook-signature-invalid",
					"The signature does not match the body and timestamp: sign timestamp + \".\" + the exact body bytes "
							+ "sent, with the configured secret");
		}
	}

	private static byte[] mac(String secret, long timestamp, byte[] body) {
		try {
			Mac mac = Mac.getInstance("HmacSHA256");
			mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
			mac.update((timestamp + ".").getBytes(StandardCharsets.US_ASCII));
			return mac.doFinal(body);
		}
		catch (NoSuchAlgorithmException | InvalidKeyException e) {
			throw new IllegalStateException("HmacSHA256 is not available", e);
		}
	}
}
