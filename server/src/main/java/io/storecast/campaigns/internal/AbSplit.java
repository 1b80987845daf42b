package io.storecast.campaigns.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

import org.jspecify.annotations.Nullable;

import io.storecast.campaigns.CampaignId;
import io.storecast.identity.CustomerId;

/**
 * Which variant of an A/B test a customer is sent, from a hash of the campaign and the customer:
 * the same answer on every node and after every restart, and independent between campaigns. The
 * hash's first 8 bytes decide whether the customer is in the test (below the test fraction), the next
 * 8 which variant (by the split's cumulative percentages), so the two choices do not correlate.
 */
final class AbSplit {

	private AbSplit() {
	}

	/** The variant's key, or null for a customer in the rest (held for the winner). */
	static @Nullable String variant(CampaignId campaign, CustomerId customer, Campaign.AbTest test) {
		ByteBuffer hash = ByteBuffer.wrap(sha256(campaign + ":" + customer));
		double inTest = unit(hash.getLong());
		if (inTest >= test.testFraction()) {
			return null;
		}
		double bucket = unit(hash.getLong()) * 100;
		int cumulative = 0;
		for (int i = 0; i < test.variants().size(); i++) {
			cumulative += test.split().get(i);
			if (bucket < cumulative) {
				return test.variants().get(i).key();
			}
		}
		return test.variants().getLast().key();
	}

	/** A long's top 53 bits as a number in [0, 1). */
	private static double unit(long bits) {
		return (bits >>> 11) * 0x1.0p-53;
	}

	private static byte[] sha256(String text) {
		try {
			return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
		}
		catch (NoSuchAlgorithmException e) {
			throw new IllegalStateException("SHA-256 is missing from this JVM", e);
		}
	}
}
