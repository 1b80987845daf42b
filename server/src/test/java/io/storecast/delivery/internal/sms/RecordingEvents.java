package io.storecast.delivery.internal.sms;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.jspecify.annotations.Nullable;

import io.storecast.audience.Channel;
import io.storecast.delivery.internal.channel.ChannelEvents;

/** The core's side of the channel, recorded; can be told to fail the next calls. */
final class RecordingEvents implements ChannelEvents {

	record ReceiptCall(Channel channel, String providerId, boolean delivered, String code, boolean addressFault,
			@Nullable String detail) {
	}

	record InboundCall(Channel channel, String from, String to, String text) {
	}

	final List<ReceiptCall> receipts = new CopyOnWriteArrayList<>();
	final List<InboundCall> inbound = new CopyOnWriteArrayList<>();
	final AtomicInteger failNext = new AtomicInteger();

	@Override
	public void receipt(Channel channel, String providerId, boolean delivered, String code, boolean addressFault,
			@Nullable String detail, Instant at) {
		failIfAsked();
		receipts.add(new ReceiptCall(channel, providerId, delivered, code, addressFault, detail));
	}

	@Override
	public void inbound(Channel channel, String from, String to, String text, Instant at) {
		failIfAsked();
		inbound.add(new InboundCall(channel, from, to, text));
	}

	private void failIfAsked() {
		if (failNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
			throw new IllegalStateException("the database is down (scripted)");
		}
	}
}
