package io.storecast.messaging.internal;

import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import io.storecast.messaging.ConversationId;
import io.storecast.platform.StoredHmacKey;

/**
 * Signs and checks file links: {@code /api/v1/files/<conversation>/<file>?expires=<epoch seconds>&sig=<hex>},
 * where {@code sig} is HMAC-SHA256 over {@code <conversation>/<file>/<expires>} with a key kept in the
 * database (made once, so every node and every restart accepts the same links).
 */
@Component
class FileLinks {

	private static final String KEY_NAME = "file-links";

	private final StoredHmacKey key;

	FileLinks(JdbcClient jdbc) {
		this.key = new StoredHmacKey(jdbc, "messaging_keys", KEY_NAME);
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
		return HexFormat.of().formatHex(key.mac((conversation + "/" + file + "/" + expires)
			.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
	}
}
