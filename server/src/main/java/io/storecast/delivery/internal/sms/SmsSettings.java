package io.storecast.delivery.internal.sms;

import java.time.Duration;
import java.util.List;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The SMS channel: an SMPP 3.4 transceiver bind to the merchant's SMSC. Off (no SMS adapter) unless
 * {@code smpp.host} is set.
 *
 * @param maxSegments the most segments one SMS may take, signature included (a longer text is a 400)
 * @param moReassemblyTimeout how long the parts of a long inbound SMS are awaited; what arrived is
 * passed on after it
 * @param receiptWait how long the parts of a long outbound SMS are remembered to join their receipts
 * @param addressFaultErrors receipt {@code err:} codes (compared as numbers where they are numbers)
 * that mean the number itself is bad, for UNDELIV / REJECTD receipts (GSM MAP: 1 unknown subscriber,
 * 5 unidentified subscriber, 9 illegal subscriber)
 */
@ConfigurationProperties("storecast.delivery.sms")
public record SmsSettings(Smpp smpp, @DefaultValue("6") int maxSegments,
		@DefaultValue("5m") Duration moReassemblyTimeout, @DefaultValue("72h") Duration receiptWait,
		@DefaultValue({ "1", "5", "9" }) List<String> addressFaultErrors) {

	/**
	 * @param host the SMSC; empty turns the SMS channel off
	 * @param sourceAddress the merchant's service number (source_addr of every submit): digits with a
	 * leading {@code +} go as international, other digits as unknown type, anything else as alphanumeric
	 * @param window the most submits outstanding at once (the core's in-flight limit for SMS on this node)
	 * @param reconnectBackoff the first wait before binding again after a failed bind or a lost
	 * session; doubled up to {@code reconnectBackoffMax}
	 * @param requestTimeout how long a submit waits for its submit_sm_resp
	 * @param throttleRetryAfter the retryAfter of a throttled submit (ESME_RTHROTTLED, ESME_RMSGQFUL); the
	 * channel reports not ready for as long
	 */
	public record Smpp(@Nullable String host, @DefaultValue("2775") int port, @DefaultValue("") String systemId,
			@DefaultValue("") String password, @DefaultValue("") String systemType,
			@DefaultValue("") String sourceAddress, @DefaultValue("10s") Duration bindTimeout,
			@DefaultValue("30s") Duration enquireLinkInterval, @DefaultValue("50") int window,
			@DefaultValue("1s") Duration reconnectBackoff, @DefaultValue("60s") Duration reconnectBackoffMax,
			@DefaultValue("10s") Duration requestTimeout, @DefaultValue("1s") Duration throttleRetryAfter,
			@DefaultValue("true") boolean registeredDelivery) {

		public Smpp {
			if (window < 1) {
				throw new IllegalArgumentException("storecast.delivery.sms.smpp.window must be at least 1");
			}
			// SMPP 3.4's field sizes (C-octet strings without their NUL): a longer value can never bind
			requireAtMost("system-id", systemId, 15);
			requireAtMost("password", password, 8);
			requireAtMost("system-type", systemType, 12);
			requireAtMost("source-address", sourceAddress, 20);
		}

		private static void requireAtMost(String name, String value, int max) {
			if (value.length() > max) {
				throw new IllegalArgumentException("storecast.delivery.sms.smpp." + name + " has " + value.length()
						+ " characters; SMPP 3.4 allows at most " + max);
			}
		}
	}

	public SmsSettings {
		if (smpp == null) {
			smpp = new Smpp(null, 2775, "", "", "", "", Duration.ofSeconds(10), Duration.ofSeconds(30), 50,
					Duration.ofSeconds(1), Duration.ofSeconds(60), Duration.ofSeconds(10), Duration.ofSeconds(1), true);
		}
		if (maxSegments < 1 || maxSegments > 255) {
			throw new IllegalArgumentException("storecast.delivery.sms.max-segments must be 1–255");
		}
	}

	/** Whether an SMSC is configured. */
	public boolean enabled() {
		return smpp.host() != null && !smpp.host().isBlank();
	}

	/** Settings for an SMSC at host:port, everything else at its default (tests, tools). */
	public static SmsSettings of(String host, int port, String systemId, String password) {
		return new SmsSettings(new Smpp(host, port, systemId, password, "", "10690000", Duration.ofSeconds(10),
				Duration.ofSeconds(30), 50, Duration.ofSeconds(1), Duration.ofSeconds(60), Duration.ofSeconds(10),
				Duration.ofSeconds(1), true), SmsText.DEFAULT_MAX_SEGMENTS, Duration.ofMinutes(5), Duration.ofHours(72),
				List.of("1", "5", "9"));
	}
}
