package io.storecast.delivery.internal.sms;

import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;

/**
 * Joins the parts of long inbound SMS (MO): by their UDH (8- or 16-bit reference) or their SAR TLVs.
 * A message is taken out only once handed on ({@link #done}), so a part the SMSC sends again after a
 * failed hand-over completes it again. Parts still incomplete after the timeout are handed on as far
 * as they go ({@link #expired}). Thread-safe.
 */
final class InboundParts {

	/** A whole inbound text. */
	record Message(String key, String from, String to, String text) {
	}

	/** The concatenation facts of one part. */
	record Concat(int reference, int total, int seq) {
	}

	private final Duration timeout;
	private final Map<String, Pending> pending = new ConcurrentHashMap<>();

	InboundParts(Duration timeout) {
		this.timeout = timeout;
	}

	private static final class Pending {
		final String from;
		final String to;
		final byte dataCoding;
		final byte[][] parts;
		final Instant first;

		Pending(String from, String to, byte dataCoding, int total, Instant first) {
			this.from = from;
			this.to = to;
			this.dataCoding = dataCoding;
			this.parts = new byte[total][];
			this.first = first;
		}

		synchronized boolean complete() {
			return Arrays.stream(parts).allMatch(p -> p != null);
		}

		synchronized String text() {
			ByteArrayOutputStream joined = new ByteArrayOutputStream();
			for (byte[] part : parts) {
				if (part != null) {
					joined.writeBytes(part);
				}
			}
			// decoded once joined: a UCS-2 surrogate pair or a GSM escape may straddle two parts
			return SmsText.decode(dataCoding, joined.toByteArray());
		}
	}

	/**
	 * Takes one deliver_sm's user data; returns the whole message when this part completes it (or
	 * it was not a part at all), else null.
	 *
	 * @param sar the SAR TLVs of the deliver_sm, or null
	 */
	@Nullable Message accept(String from, String to, byte dataCoding, boolean udhi, byte[] shortMessage,
			@Nullable Concat sar, Instant now) {
		Concat concat = sar;
		byte[] data = shortMessage;
		if (udhi && shortMessage.length > 0) {
			int udhl = shortMessage[0] & 0xFF;
			int end = Math.min(shortMessage.length, 1 + udhl);
			data = Arrays.copyOfRange(shortMessage, end, shortMessage.length);
			Concat fromUdh = concatOf(shortMessage, end);
			concat = fromUdh != null ? fromUdh : concat;
		}
		if (concat == null || concat.total() <= 1 || concat.seq() < 1 || concat.seq() > concat.total()) {
			return new Message("single", from, to, SmsText.decode(dataCoding, data));
		}
		Concat c = concat;
		String key = from + "|" + to + "|" + c.reference() + "|" + c.total();
		Pending p = pending.computeIfAbsent(key, k -> new Pending(from, to, dataCoding, c.total(), now));
		synchronized (p) {
			p.parts[c.seq() - 1] = data;
		}
		return p.complete() ? new Message(key, from, to, p.text()) : null;
	}

	/** Forgets a message once handed on. */
	void done(Message message) {
		pending.remove(message.key());
	}

	/** Messages whose parts did not all arrive in time, as far as they go (taken out). */
	List<Message> expired(Instant now) {
		List<Message> out = new ArrayList<>();
		for (var e : pending.entrySet()) {
			Pending p = e.getValue();
			if (p.first.plus(timeout).isBefore(now) && pending.remove(e.getKey(), p)) {
				out.add(new Message(e.getKey(), p.from, p.to, p.text()));
			}
		}
		return out;
	}

	int pendingCount() {
		return pending.size();
	}

	private static @Nullable Concat concatOf(byte[] udh, int end) {
		for (int i = 1; i + 1 < end;) {
			int iei = udh[i] & 0xFF;
			int len = udh[i + 1] & 0xFF;
			int at = i + 2;
			if (at + len > end) {
				return null;
			}
			if (iei == 0x00 && len == 3) {
				return new Concat(udh[at] & 0xFF, udh[at + 1] & 0xFF, udh[at + 2] & 0xFF);
			}
			if (iei == 0x08 && len == 4) {
				return new Concat(((udh[at] & 0xFF) << 8) | (udh[at + 1] & 0xFF), udh[at + 2] & 0xFF, udh[at + 3] & 0xFF);
			}
			i = at + len;
		}
		return null;
	}
}
