package io.storecast.delivery.internal.sms;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

/**
 * An SMSC delivery receipt: the message id it is about and its final state, read from the standard
 * receipt text ({@code id:… sub:… dlvrd:… submit date:… done date:… stat:DELIVRD err:… text:…}) and
 * the receipted_message_id / message_state TLVs, which win where present.
 *
 * @param stat the SMPP state word: DELIVRD, EXPIRED, DELETED, UNDELIV, ACCEPTD, UNKNOWN, REJECTD, ENROUTE
 * @param err the network error code of the receipt, or null
 * @param doneDate the receipt's done date as written (SMSC local time, yyMMddhhmm[ss]), or null
 */
record Receipt(String messageId, String stat, @Nullable String err, @Nullable String doneDate) {

	private static final Pattern ID = Pattern.compile("(?i)\\bid:\\s*([^\\s]+)");
	private static final Pattern STAT = Pattern.compile("(?i)\\bstat:\\s*([A-Za-z_]+)");
	private static final Pattern ERR = Pattern.compile("(?i)\\berr:\\s*([^\\s]+)");
	private static final Pattern DONE = Pattern.compile("(?i)\\bdone date:\\s*(\\d{10,12})");
	private static final Set<String> FINAL = Set.of("DELIVRD", "EXPIRED", "DELETED", "UNDELIV", "UNKNOWN", "REJECTD");
	private static final String[] STATES = { "ENROUTE", "ENROUTE", "DELIVRD", "EXPIRED", "DELETED", "UNDELIV",
			"ACCEPTD", "UNKNOWN", "REJECTD" };

	/** Whether the message reached the handset. */
	boolean delivered() {
		return stat.equals("DELIVRD");
	}

	/** Whether this is the message's last word (not ENROUTE or ACCEPTD). */
	boolean isFinal() {
		return FINAL.contains(stat);
	}

	/** Whether the number itself is at fault: UNDELIV or REJECTD with one of {@code numberErrors}. */
	boolean addressFault(Set<String> numberErrors) {
		return (stat.equals("UNDELIV") || stat.equals("REJECTD")) && err != null && numberErrors.contains(normalize(err));
	}

	/** A readable account for the attempt's detail. */
	String detail() {
		return "stat:" + stat + (err == null ? "" : " err:" + err) + (doneDate == null ? "" : " done date:" + doneDate);
	}

	/**
	 * Reads a receipt; null when neither the text nor the TLVs name a message id and a state.
	 *
	 * @param receiptedId the receipted_message_id TLV, or null
	 * @param messageState the message_state TLV (1–8), or -1
	 */
	static @Nullable Receipt parse(byte @Nullable [] shortMessage, @Nullable String receiptedId, int messageState) {
		String text = shortMessage == null ? "" : new String(shortMessage, StandardCharsets.ISO_8859_1);
		String id = receiptedId != null && !receiptedId.isBlank() ? receiptedId.strip() : group(ID, text);
		String stat = group(STAT, text);
		if (messageState >= 1 && messageState < STATES.length) {
			stat = STATES[messageState];
		}
		if (id == null || stat == null) {
			return null;
		}
		return new Receipt(id, stat.toUpperCase(Locale.ROOT), group(ERR, text), group(DONE, text));
	}

	/** An error code as compared with the configured ones: numbers without leading zeros, else as written. */
	static String normalize(String code) {
		String c = code.strip();
		if (c.chars().allMatch(Character::isDigit) && !c.isEmpty()) {
			return Integer.toString(Integer.parseInt(c.length() > 9 ? c.substring(c.length() - 9) : c));
		}
		return c.toUpperCase(Locale.ROOT);
	}

	private static @Nullable String group(Pattern p, String text) {
		Matcher m = p.matcher(text);
		return m.find() ? m.group(1) : null;
	}
}
