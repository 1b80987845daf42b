package io.storecast.campaigns.internal;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import io.storecast.platform.ApiException;
import io.storecast.platform.StoredHmacKey;

/**
 * Tracked links: {@code /l/<token>}, one per recipient, the token being the link's id (its bytes
 * without leading zeros) followed by the first 8 bytes of HMAC-SHA256 over it, base64url — 12 to
 * 22 characters. The id names the recipient's row in {@code campaigns_recipients}; ids come from a
 * sequence, a chunk's worth in one query. The key is made once and kept in {@code campaigns_keys},
 * so every node and every restart accepts the same links.
 */
@Component
class TrackedLinks {

	static final String PATH = "/l/";
	/** The longest path a link can have: 8 id bytes and 8 signature bytes, base64url. */
	static final int LONGEST_PATH = PATH.length() + 22;
	private static final int MAC_BYTES = 8;
	private static final int MAX_TARGET = 2000;
	private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
	private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

	private final JdbcClient jdbc;
	private final StoredHmacKey key;

	TrackedLinks(JdbcClient jdbc) {
		this.jdbc = jdbc;
		this.key = new StoredHmacKey(jdbc, "campaigns_keys", "tracked-links");
	}

	/** {@code n} fresh link ids, in one query. */
	List<Long> allocate(int n) {
		if (n == 0) {
			return List.of();
		}
		return jdbc.sql("SELECT nextval('campaigns_link_ids') FROM generate_series(1, ?)").param(n).query(Long.class).list();
	}

	String path(long id) {
		return PATH + token(id);
	}

	String token(long id) {
		byte[] payload = payload(id);
		byte[] signed = Arrays.copyOf(payload, payload.length + MAC_BYTES);
		System.arraycopy(mac(payload), 0, signed, payload.length, MAC_BYTES);
		return ENCODER.encodeToString(signed);
	}

	/** The link id of a token this server signed; empty for anything else (compared in constant time). */
	Optional<Long> verify(String token) {
		if (token.length() < 12 || token.length() > 22) {
			return Optional.empty();
		}
		byte[] signed;
		try {
			signed = DECODER.decode(token);
		}
		catch (IllegalArgumentException e) {
			return Optional.empty();
		}
		int length = signed.length - MAC_BYTES;
		if (length < 1 || length > 8) {
			return Optional.empty();
		}
		byte[] payload = Arrays.copyOf(signed, length);
		if (!MessageDigest.isEqual(Arrays.copyOfRange(signed, length, signed.length), mac(payload))) {
			return Optional.empty();
		}
		long id = 0;
		for (byte b : payload) {
			id = (id << 8) | (b & 0xff);
		}
		return Optional.of(id);
	}

	/** A campaign's link target as checked when saved: null, or an absolute http(s) URL with a host. */
	static @Nullable String target(@Nullable String link) {
		if (link == null) {
			return null;
		}
		String url = link.strip();
		try {
			URI uri = new URI(url);
			String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
			if (url.length() > MAX_TARGET || !(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
				throw new URISyntaxException(url, "not an absolute http(s) URL");
			}
		}
		catch (URISyntaxException e) {
			throw ApiException.badRequest("validation-failed", "offer.link",
					"offer.link is an absolute http or https URL of at most " + MAX_TARGET + " characters, e.g. https://shop.example.com/mooncakes");
		}
		return url;
	}

	private static byte[] payload(long id) {
		int length = Math.max(1, 8 - Long.numberOfLeadingZeros(id) / 8);
		byte[] bytes = new byte[length];
		for (int i = length - 1; i >= 0; i--) {
			bytes[i] = (byte) id;
			id >>>= 8;
		}
		return bytes;
	}

	private byte[] mac(byte[] payload) {
		return Arrays.copyOf(key.mac("link|".getBytes(StandardCharsets.US_ASCII), payload), MAC_BYTES);
	}
}
