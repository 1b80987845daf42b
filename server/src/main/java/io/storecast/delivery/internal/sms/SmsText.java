package io.storecast.delivery.internal.sms;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.storecast.platform.ApiException;

/**
 * An SMS body as an SMSC carries it: GSM-7 when every character is in the GSM 03.38 default alphabet
 * (its extension table's characters such as {@code €} or {@code [} take two septets), UCS-2 otherwise;
 * 160 septets or 70 UCS-2 characters in one message, else parts of 153 / 67 behind a 6-byte UDH
 * (IEI 0x00, an 8-bit reference). The merchant pays per part ({@link #segments()}).
 *
 * @param parts each part's short_message bytes: GSM-7 one septet per octet (unpacked, as SMPP carries
 * data_coding 0), UCS-2 big-endian; each part of a long message starts with its UDH
 */
public record SmsText(Encoding encoding, List<byte[]> parts, int segments) {

	public static final int DEFAULT_MAX_SEGMENTS = 6;
	/** The field a too-long text is reported against. */
	public static final String FIELD = "content.smsText";

	static final int GSM_SINGLE = 160;
	static final int GSM_PART = 153;
	static final int UCS2_SINGLE = 70;
	static final int UCS2_PART = 67;
	static final int UDH_LENGTH = 6;
	static final byte ESCAPE = 0x1B;

	/** The character set of a text, and its SMPP data_coding. */
	public enum Encoding {
		GSM7((byte) 0x00), UCS2((byte) 0x08);

		private final byte dataCoding;

		Encoding(byte dataCoding) {
			this.dataCoding = dataCoding;
		}

		public byte dataCoding() {
			return dataCoding;
		}
	}

	// GSM 03.38 default alphabet, by septet value (0x1B is the escape to the extension table, never a character)
	private static final String BASIC = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u001BÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
			+ "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
	// the extension table: character, septet after the escape
	private static final String EXTENDED = "\f^{}\\[~]|€";
	private static final byte[] EXTENDED_CODES = { 0x0A, 0x14, 0x28, 0x29, 0x2F, 0x3C, 0x3D, 0x3E, 0x40, 0x65 };

	private static final Charset GB = Charset.forName("GB18030");

	/** The text a customer receives: the store's signature 【店名】 first (it counts toward the length). */
	public static String signed(String storeName, String text) {
		return "【" + storeName.strip() + "】" + text;
	}

	/** Cuts a text into parts; {@code reference} (0–255) ties the parts of one long message together. */
	public static SmsText encode(String text, int reference) {
		Plan plan = plan(text);
		if (plan.ranges().size() == 1) {
			return new SmsText(plan.encoding(), List.of(plan.data()), 1);
		}
		int total = plan.ranges().size();
		if (total > 255) {
			throw new IllegalArgumentException("a text of more than 255 parts cannot be sent");
		}
		int unitBytes = plan.encoding() == Encoding.UCS2 ? 2 : 1;
		List<byte[]> parts = new ArrayList<>(total);
		for (int i = 0; i < total; i++) {
			int from = plan.ranges().get(i)[0] * unitBytes;
			int to = plan.ranges().get(i)[1] * unitBytes;
			byte[] part = new byte[UDH_LENGTH + to - from];
			part[0] = 0x05; // UDH length
			part[1] = 0x00; // IEI: concatenated message, 8-bit reference
			part[2] = 0x03; // IE length
			part[3] = (byte) reference;
			part[4] = (byte) total;
			part[5] = (byte) (i + 1);
			System.arraycopy(plan.data(), from, part, UDH_LENGTH, to - from);
			parts.add(part);
		}
		return new SmsText(plan.encoding(), List.copyOf(parts), total);
	}

	/** The encoded text and where its parts begin and end (in septets or UTF-16 units). */
	private record Plan(Encoding encoding, byte[] data, List<int[]> ranges) {
	}

	private static Plan plan(String text) {
		byte[] septets = gsmSeptets(text);
		if (septets != null) {
			if (septets.length <= GSM_SINGLE) {
				return new Plan(Encoding.GSM7, septets, List.<int[]>of(new int[] { 0, septets.length }));
			}
			List<int[]> ranges = new ArrayList<>();
			for (int from = 0; from < septets.length;) {
				int to = Math.min(from + GSM_PART, septets.length);
				// an escape and its character travel together
				if (to < septets.length && endsWithEscape(septets, from, to)) {
					to--;
				}
				ranges.add(new int[] { from, to });
				from = to;
			}
			return new Plan(Encoding.GSM7, septets, ranges);
		}
		byte[] ucs2 = text.getBytes(StandardCharsets.UTF_16BE);
		int units = text.length();
		if (units <= UCS2_SINGLE) {
			return new Plan(Encoding.UCS2, ucs2, List.<int[]>of(new int[] { 0, units }));
		}
		List<int[]> ranges = new ArrayList<>();
		for (int from = 0; from < units;) {
			int to = Math.min(from + UCS2_PART, units);
			// a surrogate pair (an emoji) is never split across parts
			if (to < units && Character.isHighSurrogate(text.charAt(to - 1))) {
				to--;
			}
			ranges.add(new int[] { from, to });
			from = to;
		}
		return new Plan(Encoding.UCS2, ucs2, ranges);
	}

	/** How many segments the text takes (what the merchant pays for). */
	public static int segments(String text) {
		return plan(text).ranges().size();
	}

	/**
	 * Checks that a (signed) text fits in {@code maxSegments}; returns its segment count.
	 *
	 * @throws ApiException 400 {@code sms-too-long} naming {@value #FIELD}
	 */
	public static int check(String text, int maxSegments) {
		Plan plan = plan(text);
		int segments = plan.ranges().size();
		if (segments > maxSegments) {
			throw ApiException.badRequest("sms-too-long", FIELD, "The SMS text with its signature takes " + segments
					+ " segments (" + plan.encoding() + ", " + text.length() + " characters); at most " + maxSegments
					+ " are allowed");
		}
		return segments;
	}

	/** Whether every character is in the GSM 03.38 default alphabet or its extension table. */
	public static boolean isGsm7(String text) {
		return gsmSeptets(text) != null;
	}

	/**
	 * Decodes user data (without UDH) by its SMPP data_coding: GSM-7 (unpacked), IA5/ASCII, Latin-1,
	 * UCS-2; 0x0F as GB18030 (what Chinese SMSCs mean by it); anything else as Latin-1.
	 */
	public static String decode(byte dataCoding, byte[] data) {
		int dc = dataCoding & 0xFF;
		if ((dc & 0xF0) == 0xF0) {
			return (dc & 0x04) == 0 ? decodeGsm(data) : new String(data, StandardCharsets.ISO_8859_1);
		}
		return switch (dc) {
			case 0x00 -> decodeGsm(data);
			case 0x01 -> new String(data, StandardCharsets.US_ASCII);
			case 0x08 -> new String(data, StandardCharsets.UTF_16BE);
			case 0x0F -> new String(data, GB);
			default -> new String(data, StandardCharsets.ISO_8859_1);
		};
	}

	static String decodeGsm(byte[] septets) {
		StringBuilder text = new StringBuilder(septets.length);
		for (int i = 0; i < septets.length; i++) {
			int s = septets[i] & 0x7F;
			if (s == ESCAPE && i + 1 < septets.length) {
				int e = septets[++i] & 0x7F;
				int at = indexOf(EXTENDED_CODES, (byte) e);
				text.append(at >= 0 ? EXTENDED.charAt(at) : ' ');
			}
			else if (s != ESCAPE) {
				text.append(BASIC.charAt(s));
			}
		}
		return text.toString();
	}

	/** The text as unpacked septets, or null when a character is outside GSM 03.38. */
	private static byte[] gsmSeptets(String text) {
		byte[] out = new byte[text.length() * 2];
		int n = 0;
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			int basic = c == ESCAPE ? -1 : BASIC.indexOf(c);
			if (basic >= 0) {
				out[n++] = (byte) basic;
				continue;
			}
			int extended = EXTENDED.indexOf(c);
			if (extended < 0) {
				return null;
			}
			out[n++] = ESCAPE;
			out[n++] = EXTENDED_CODES[extended];
		}
		return Arrays.copyOf(out, n);
	}

	/** Whether the septet at {@code to - 1} is an escape (not the character after one). */
	private static boolean endsWithEscape(byte[] septets, int from, int to) {
		boolean escape = false;
		for (int i = from; i < to; i++) {
			escape = !escape && septets[i] == ESCAPE;
		}
		return escape;
	}

	private static int indexOf(byte[] values, byte value) {
		for (int i = 0; i < values.length; i++) {
			if (values[i] == value) {
				return i;
			}
		}
		return -1;
	}
}
