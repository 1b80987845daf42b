package io.storecast.messaging.internal;

import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.HexFormat;
import java.util.UUID;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import io.storecast.messaging.ConversationId;

/**
 * Signs and checks file links: {@code /api/v1/files/<conversation>/<file>?expires=<epoch seconds>&sig=<hex>},
 * where {@code sig} is HMAC-SHA256 over {@code <conversation>/<file>/<expires>} with a key kept in the
 * database (made once, so every node and every restart accepts the same links).
 */
@Component
class FileLinks {

	private static final String KEY_NAME = "file-links";

	private final JdbcClient jdbc;
	private volatile byte[] key;

	FileLinks(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	String path(ConversationId conversation, UUID file, Instant expires) {
		long at = expires.getEpochSecond();
		return "/api/v1/files/" + conversation + "/" + file + "?expires=" + at + "&sig=" + sign(conversation, file, at);
	}

	/** Whether {@code sig} is this server's signature of the link (compared in constant time). */
	boolean valid(ConversationId conversation, UUID file, long expires, String sig) {
		byte[] expected = sign(conversation, file, expires).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
		return MessageDigest.isEqual(expected, sig.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
	}

	private String sign(ConversationId conversation, UUID file, long expires) {
		try {
			Mac mac = Mac.getInstance("HmacSHA256");
			mac.init(new SecretKeySpec(key(), "HmacSHA256"));
			byte[] digest = mac.doFinal((conversation + "/" + file + "/" + expires)
				.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
			return HexFormat.of().formatHex(digest);
		}
		catch (NoSuchAlgorithmException | InvalidKeyException e) {
			throw new IllegalStateException("HMAC-SHA256 is not available", e);
		}
	}

	private byte[] key() {
		byte[] k = key;
		if (k == null) {
			byte[] fresh = new byte[32];
			new SecureRandom().nextBytes(fresh);
			// the first node to get here makes the key; everybody reads the one that won
			jdbc.sql("INSERT INTO messaging_keys (name, secret, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")
				.params(KEY_NAME, fresh, Timestamp.from(Instant.now()))
				.update();
			k = jdbc.sql("SELECT secret FROM messaging_keys WHERE name = ?").param(KEY_NAME).query(byte[].class).single();
			key = k;
		}
		return k;
	}
}
