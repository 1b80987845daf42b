package io.storecast.platform;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.sql.Timestamp;
import java.time.Instant;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * An HMAC-SHA256 key kept in a module's key table ({@code name TEXT PRIMARY KEY, secret BYTEA,
 * created_at TIMESTAMPTZ}): made by whichever node needs it first, then read by everyone, so every
 * node and every restart accepts what another signed. Loaded once, on first use.
 */
public final class StoredHmacKey {

	private static final SecureRandom RANDOM = new SecureRandom();

	private final JdbcClient jdbc;
	private final String table;
	private final String name;
	private volatile byte[] key;
	/** A Mac initialised with the key, cloned for each use (getInstance and init cost more than the MAC itself). */
	private volatile Mac prototype;

	/** @param table the module's key table; a constant of the module, never user input */
	public StoredHmacKey(JdbcClient jdbc, String table, String name) {
		this.jdbc = jdbc;
		this.table = table;
		this.name = name;
	}

	/** HMAC-SHA256 over the parts, one after the other. */
	public byte[] mac(byte[]... parts) {
		try {
			Mac mac = initialised();
			for (byte[] part : parts) {
				mac.update(part);
			}
			return mac.doFinal();
		}
		catch (GeneralSecurityException e) {
			throw new IllegalStateException("HMAC-SHA256 is not available", e);
		}
	}

	private Mac initialised() throws GeneralSecurityException {
		Mac p = prototype;
		if (p == null) {
			p = newMac();
			prototype = p;
		}
		try {
			return (Mac) p.clone();
		}
		catch (CloneNotSupportedException e) {
			// a provider whose Mac cannot be cloned: a fresh one each time
			return newMac();
		}
	}

	private Mac newMac() throws GeneralSecurityException {
		Mac mac = Mac.getInstance("HmacSHA256");
		mac.init(new SecretKeySpec(key(), "HmacSHA256"));
		return mac;
	}

	private byte[] key() {
		byte[] k = key;
		if (k == null) {
			byte[] fresh = new byte[32];
			RANDOM.nextBytes(fresh);
			// the first node to get here makes the key; everybody reads the one that won
			jdbc.sql("INSERT INTO " + table + " (name, secret, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")
				.params(name, fresh, Timestamp.from(Instant.now()))
				.update();
			k = jdbc.sql("SELECT secret FROM " + table + " WHERE name = ?").param(name).query(byte[].class).single();
			key = k;
		}
		return k;
	}
}
