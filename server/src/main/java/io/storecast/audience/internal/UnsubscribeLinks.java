package io.storecast.audience.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import io.storecast.audience.Channel;
import io.storecast.identity.CustomerId;
import io.storecast.platform.StoredHmacKey;

/**
 * One-click unsubscribe links: {@code /api/v1/unsubscribe/<token>}, the token being the customer id
 * and channel (17 bytes) and the first 12 bytes of HMAC-SHA256 over them, each base64url: about 40
 * characters, short enough for an SMS. The key is made once and kept in the database, so every node
 * and every restart accepts the same links. Links do not expire: withdrawing consent must stay possible.
 */
@Component
class UnsubscribeLinks {

	static final String PATH = "/api/v1/unsubscribe/";
	private static final String KEY_NAME = "unsubscribe-links";
	private static final int MAC_BYTES = 12;
	private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
	private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

	/** What a valid token names. */
	record Target(CustomerId customer, Channel channel) {
	}

	private final StoredHmacKey key;

	UnsubscribeLinks(JdbcClient jdbc) {
		this.key = new StoredHmacKey(jdbc, "audience_keys", KEY_NAME);
	}

	String path(CustomerId customer, Channel channel) {
		return PATH + token(customer, channel);
	}

	String token(CustomerId customer, Channel channel) {
		byte[] payload = payload(customer, channel);
		return ENCODER.encodeToString(payload) + "." + ENCODER.encodeToString(mac(payload));
	}

	/** The customer and channel of a token this server signed; empty for anything else (compared in constant time). */
	Optional<Target> verify(String token) {
		int dot = token.indexOf('.');
		if (dot <= 0 || token.length() > 200) {
			return Optional.empty();
		}
		try {
			byte[] payload = DECODER.decode(token.substring(0, dot));
			byte[] sig = DECODER.decode(token.substring(dot + 1));
			if (payload.length != 17 || !MessageDigest.isEqual(sig, mac(payload))) {
				return Optional.empty();
			}
			ByteBuffer b = ByteBuffer.wrap(payload);
			UUID id = new UUID(b.getLong(), b.getLong());
			int channel = b.get();
			if (channel < 0 || channel >= Channel.values().length) {
				return Optional.empty();
			}
			return Optional.of(new Target(new CustomerId(id), Channel.values()[channel]));
		}
		catch (IllegalArgumentException e) {
			return Optional.empty();
		}
	}

	private static byte[] payload(CustomerId customer, Channel channel) {
		return ByteBuffer.allocate(17)
			.putLong(customer.value().getMostSignificantBits())
			.putLong(customer.value().getLeastSignificantBits())
			.put((byte) channel.ordinal())
			.array();
	}

	private byte[] mac(byte[] payload) {
		return Arrays.copyOf(key.mac("unsubscribe|".getBytes(StandardCharsets.US_ASCII), payload), MAC_BYTES);
	}
}
