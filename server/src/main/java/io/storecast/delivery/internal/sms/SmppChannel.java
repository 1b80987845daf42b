package io.storecast.delivery.internal.sms;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;
import org.jsmpp.DefaultPDUSender;
import org.jsmpp.InvalidResponseException;
import org.jsmpp.PDUException;
import org.jsmpp.SMPPConstant;
import org.jsmpp.SynchronizedPDUSender;
import org.jsmpp.bean.AbstractSmCommand;
import org.jsmpp.bean.AlertNotification;
import org.jsmpp.bean.BindType;
import org.jsmpp.bean.DataSm;
import org.jsmpp.bean.DeliverSm;
import org.jsmpp.bean.ESMClass;
import org.jsmpp.bean.RawDataCoding;
import org.jsmpp.bean.NumberingPlanIndicator;
import org.jsmpp.bean.OptionalParameter;
import org.jsmpp.bean.RegisteredDelivery;
import org.jsmpp.bean.SMSCDeliveryReceipt;
import org.jsmpp.bean.TypeOfNumber;
import org.jsmpp.extra.NegativeResponseException;
import org.jsmpp.extra.ProcessRequestException;
import org.jsmpp.extra.ResponseTimeoutException;
import org.jsmpp.extra.SessionState;
import org.jsmpp.session.BindParameter;
import org.jsmpp.session.DataSmResult;
import org.jsmpp.session.MessageReceiverListener;
import org.jsmpp.session.SMPPSession;
import org.jsmpp.session.Session;
import org.jsmpp.util.DefaultComposer;
import org.jsmpp.util.MessageId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.storecast.audience.Channel;
import io.storecast.delivery.internal.channel.AttemptResult;
import io.storecast.delivery.internal.channel.ChannelAdapter;
import io.storecast.delivery.internal.channel.ChannelEvents;
import io.storecast.delivery.internal.channel.Outgoing;
import io.storecast.platform.ApiException;
import io.storecast.platform.PhoneNumbers;

/**
 * The SMS channel: one SMPP 3.4 transceiver bind to the merchant's SMSC (jSMPP), kept up with
 * enquire_link and bound again with backoff whenever it fails or drops. Submits run concurrently on
 * virtual threads, up to the window; a long text goes as parts with a UDH, each its own submit_sm,
 * one after another. The attempt's provider id is the message id of the FIRST part; the receipts of
 * all parts are joined into one under that id ({@link LongMessages}). Delivery receipts and inbound
 * texts go to {@link ChannelEvents}; every deliver_sm is answered, positively once handed on (or
 * unreadable), with ESME_RX_T_APPN (the SMSC sends it again later) when the hand-over failed.
 */
public final class SmppChannel implements ChannelAdapter, AutoCloseable {

	private static final Logger log = LoggerFactory.getLogger(SmppChannel.class);
	private static final Pattern E164 = Pattern.compile("\\+[1-9]\\d{6,14}");
	private static final Pattern DIGITS = Pattern.compile("\\+?\\d{1,20}");
	/** How long a stop waits for the SMSC's unbind_resp. */
	private static final long UNBIND_WAIT_MILLIS = 2_000;
	private static final int PART_THROTTLE_TRIES = 3;

	private final SmsSettings settings;
	private final SmsSettings.Smpp smpp;
	private final Supplier<@Nullable ChannelEvents> events;
	private final Clock clock;
	private final Set<String> addressFaultErrors;
	private final ScheduledExecutorService connector;
	private final ExecutorService submitters;
	private final LongMessages longMessages;
	private final InboundParts inboundParts;
	private final AtomicInteger reference = new AtomicInteger(ThreadLocalRandom.current().nextInt(256));
	private final AtomicInteger inFlight = new AtomicInteger();
	private final Counter submits;
	private final Counter throttled;
	private final Counter receipts;
	private final Counter inbound;
	private final Counter sessionsLost;

	private volatile @Nullable Link link;
	private volatile boolean closed;
	private volatile long pausedUntilNanos = System.nanoTime();
	private Duration backoff; // the connector thread's

	/**
	 * @param events the core's receipt and inbound handling; looked up on each use, so the channel
	 * can start before it exists (until then deliver_sm is answered ESME_RX_T_APPN)
	 */
	public SmppChannel(SmsSettings settings, Supplier<@Nullable ChannelEvents> events, MeterRegistry meters, Clock clock) {
		this.settings = settings;
		this.smpp = settings.smpp();
		this.events = events;
		this.clock = clock;
		this.addressFaultErrors = settings.addressFaultErrors().stream().map(Receipt::normalize).collect(Collectors.toSet());
		this.connector = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("smpp-connector").daemon().factory());
		this.submitters = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("smpp-submit-", 0).factory());
		this.longMessages = new LongMessages(settings.receiptWait(), smpp.requestTimeout().multipliedBy(2));
		this.inboundParts = new InboundParts(settings.moReassemblyTimeout());
		this.backoff = smpp.reconnectBackoff();
		this.submits = meters.counter("storecast.sms.submits");
		this.throttled = meters.counter("storecast.sms.throttled");
		this.receipts = meters.counter("storecast.sms.receipts");
		this.inbound = meters.counter("storecast.sms.inbound");
		this.sessionsLost = meters.counter("storecast.sms.sessions.lost");
		Gauge.builder("storecast.sms.bound", this, c -> c.bound() ? 1 : 0).register(meters);
		Gauge.builder("storecast.sms.in.flight", inFlight, AtomicInteger::get).register(meters);
	}

	/** Starts binding (in the background: a failed bind is retried, never thrown). */
	public void start() {
		if (!settings.enabled()) {
			log.info("SMS channel: no storecast.delivery.sms.smpp.host, not connecting");
			return;
		}
		connector.execute(this::bind);
		connector.scheduleWithFixedDelay(this::sweep, 1, 1, TimeUnit.SECONDS);
	}

	@Override
	public Channel channel() {
		return Channel.SMS;
	}

	@Override
	public void check(Outgoing message) {
		if (message.address() == null || !E164.matcher(message.address()).matches()) {
			throw ApiException.badRequest("invalid-phone", "customerId",
					"The customer has no phone number in E.164 form (+8613812345678) to send an SMS to");
		}
		SmsText.check(SmsText.signed(message.storeName(), message.text()), settings.maxSegments());
	}

	@Override
	public int maxInFlight() {
		return smpp.window();
	}

	/** Bound, and not asked by the SMSC to slow down. */
	@Override
	public boolean ready() {
		return bound() && System.nanoTime() - pausedUntilNanos >= 0;
	}

	/** Whether a session is bound. */
	public boolean bound() {
		Link l = link;
		return l != null && l.session.getSessionState().isBound();
	}

	/** Submits outstanding. */
	public int inFlight() {
		return inFlight.get();
	}

	@Override
	public CompletionStage<AttemptResult> send(Outgoing message) {
		Link l = link;
		if (l == null || closed) {
			return CompletableFuture.completedFuture(
					new AttemptResult.Transient("not-bound", "no SMPP session is bound to the SMSC", null, null));
		}
		String address = message.address();
		if (address == null || !DIGITS.matcher(address).matches()) {
			return CompletableFuture.completedFuture(new AttemptResult.Permanent("invalid-phone",
					"not a phone number: " + address, address != null, null));
		}
		CompletableFuture<AttemptResult> result = new CompletableFuture<>();
		submitters.execute(() -> submit(l, message, result));
		return result;
	}

	private void submit(Link l, Outgoing message, CompletableFuture<AttemptResult> result) {
		SmsText sms;
		try {
			sms = SmsText.encode(SmsText.signed(message.storeName(), message.text()), reference.getAndIncrement() & 0xFF);
		}
		catch (IllegalArgumentException e) {
			result.complete(new AttemptResult.Permanent("sms-too-long", e.getMessage(), false, null));
			return;
		}
		if (sms.segments() > settings.maxSegments()) {
			result.complete(new AttemptResult.Permanent("sms-too-long",
					sms.segments() + " segments, at most " + settings.maxSegments(), false, null));
			return;
		}
		if (!l.begin(result)) {
			result.complete(lost("the SMPP session was lost before the submit"));
			return;
		}
		inFlight.incrementAndGet();
		LongMessages.Group group = sms.segments() > 1 ? longMessages.open(sms.segments()) : null;
		boolean allAccepted = false;
		try {
			String destination = message.address().substring(message.address().startsWith("+") ? 1 : 0);
			String first = null;
			for (int i = 0; i < sms.segments(); i++) {
				String id = submitPart(l.session, destination, sms, i);
				first = i == 0 ? id : first;
				if (group != null) {
					report(longMessages.accepted(group, i, id), false);
				}
			}
			allAccepted = true;
			result.complete(new AttemptResult.Accepted(first, sms.segments(), false, null));
		}
		catch (NegativeResponseException e) {
			result.complete(refused(e.getCommandStatus()));
		}
		catch (ResponseTimeoutException e) {
			result.complete(l.dead() ? lost(e.getMessage())
					: new AttemptResult.Transient("timeout", "no submit_sm_resp within " + smpp.requestTimeout(), null, null));
		}
		catch (InvalidResponseException e) {
			result.complete(e instanceof org.jsmpp.GenericNackResponseException nack ? refused(nack.getCommandStatus())
					: new AttemptResult.Transient("invalid-response", String.valueOf(e.getMessage()), null, null));
		}
		catch (IOException e) {
			result.complete(lost(e.getMessage()));
		}
		catch (PDUException e) {
			result.complete(new AttemptResult.Permanent("invalid-pdu", String.valueOf(e.getMessage()), false, null));
		}
		catch (InterruptedException e) {
			result.complete(lost("interrupted"));
		}
		catch (RuntimeException e) {
			log.warn("SMS submit failed", e);
			result.complete(new AttemptResult.Transient("error", String.valueOf(e), null, null));
		}
		finally {
			if (group != null) {
				report(longMessages.finished(group, allAccepted), false);
			}
			l.end(result);
			inFlight.decrementAndGet();
		}
	}

	/** One submit_sm; a later part that is throttled is tried again here, so earlier parts are not sent twice. */
	private String submitPart(SMPPSession session, String destination, SmsText sms, int index)
			throws PDUException, ResponseTimeoutException, InvalidResponseException, NegativeResponseException,
			IOException, InterruptedException {
		boolean multi = sms.segments() > 1;
		for (int tries = 1;; tries++) {
			try {
				String id = session.submitShortMessage("", sourceTon(), sourceNpi(), sourceAddress(),
						TypeOfNumber.INTERNATIONAL, NumberingPlanIndicator.ISDN, destination,
						multi ? new ESMClass(0x40) : new ESMClass(), (byte) 0, (byte) 0, null, null,
						new RegisteredDelivery(smpp.registeredDelivery() ? SMSCDeliveryReceipt.SUCCESS_FAILURE
								: SMSCDeliveryReceipt.DEFAULT),
						(byte) 0, new RawDataCoding(sms.encoding().dataCoding()), (byte) 0, sms.parts().get(index))
					.getMessageId();
				submits.increment();
				return id;
			}
			catch (NegativeResponseException e) {
				if (index == 0 || tries >= PART_THROTTLE_TRIES || !isThrottle(e.getCommandStatus())) {
					throw e;
				}
				throttled.increment();
				Thread.sleep(smpp.throttleRetryAfter().toMillis());
			}
		}
	}

	private static boolean isThrottle(int status) {
		return status == SMPPConstant.STAT_ESME_RTHROTTLED || status == SMPPConstant.STAT_ESME_RMSGQFUL;
	}

	/** What a negative submit_sm_resp (or generic_nack) means for the attempt. */
	AttemptResult refused(int status) {
		String hex = String.format("0x%08X", status);
		return switch (status) {
			case SMPPConstant.STAT_ESME_RTHROTTLED, SMPPConstant.STAT_ESME_RMSGQFUL -> {
				throttled.increment();
				pausedUntilNanos = System.nanoTime() + smpp.throttleRetryAfter().toNanos();
				yield new AttemptResult.Transient(status == SMPPConstant.STAT_ESME_RTHROTTLED ? "throttled" : "queue-full",
						(status == SMPPConstant.STAT_ESME_RTHROTTLED ? "ESME_RTHROTTLED" : "ESME_RMSGQFUL") + " (" + hex
								+ "): the SMSC asks to slow down",
						smpp.throttleRetryAfter(), null);
			}
			case SMPPConstant.STAT_ESME_RSYSERR ->
				new AttemptResult.Transient("smsc-error", "ESME_RSYSERR (" + hex + "): the SMSC had an error", null, null);
			case SMPPConstant.STAT_ESME_RINVDSTADR, SMPPConstant.STAT_ESME_RINVDSTTON, SMPPConstant.STAT_ESME_RINVDSTNPI ->
				new AttemptResult.Permanent("invalid-number", "the SMSC refused the destination number (" + hex + ")", true,
						null);
			default -> new AttemptResult.Permanent("rejected", "the SMSC refused the submit_sm (command_status " + hex + ")",
					false, null);
		};
	}

	private static AttemptResult lost(@Nullable String why) {
		return new AttemptResult.Transient("connection-lost",
				"the SMPP session was lost with the submit outstanding (" + why + "); the SMSC may have taken it", null, null);
	}

	private TypeOfNumber sourceTon() {
		String s = smpp.sourceAddress();
		if (s.isEmpty()) {
			return TypeOfNumber.UNKNOWN;
		}
		if (s.startsWith("+") && DIGITS.matcher(s).matches()) {
			return TypeOfNumber.INTERNATIONAL;
		}
		return DIGITS.matcher(s).matches() ? TypeOfNumber.UNKNOWN : TypeOfNumber.ALPHANUMERIC;
	}

	private NumberingPlanIndicator sourceNpi() {
		String s = smpp.sourceAddress();
		return !s.isEmpty() && DIGITS.matcher(s).matches() ? NumberingPlanIndicator.ISDN : NumberingPlanIndicator.UNKNOWN;
	}

	private String sourceAddress() {
		String s = smpp.sourceAddress();
		return s.startsWith("+") ? s.substring(1) : s;
	}

	// --- the session -----------------------------------------------------------------------------

	/** One bound session and the submits outstanding on it. */
	private static final class Link {
		final SMPPSession session;
		private final Map<CompletableFuture<AttemptResult>, Thread> calls = new ConcurrentHashMap<>();
		private boolean dead;

		Link(SMPPSession session) {
			this.session = session;
		}

		synchronized boolean begin(CompletableFuture<AttemptResult> call) {
			if (dead) {
				return false;
			}
			calls.put(call, Thread.currentThread());
			return true;
		}

		void end(CompletableFuture<AttemptResult> call) {
			calls.remove(call);
		}

		synchronized boolean dead() {
			return dead;
		}

		/** Marks the link dead once; completes every outstanding submit and frees its thread. */
		boolean kill(String why) {
			synchronized (this) {
				if (dead) {
					return false;
				}
				dead = true;
			}
			calls.forEach((call, thread) -> {
				if (call.complete(lost(why))) {
					// the thread waits in jSMPP for a response that cannot come any more
					thread.interrupt();
				}
			});
			return true;
		}
	}

	/**
	 * A socket with Nagle's algorithm off: a submit_sm is one small write, and with Nagle on it waits
	 * for the ACK of the previous one, which the SMSC delays (delayed ACK, up to 40 ms). Measured on
	 * sms-throughput at window 50: about 31 ms per submit with Nagle on.
	 */
	static org.jsmpp.session.connection.Connection connect(String host, int port) throws IOException {
		java.net.Socket socket = new java.net.Socket();
		socket.setTcpNoDelay(true);
		socket.connect(new java.net.InetSocketAddress(host, port), 10_000);
		return new org.jsmpp.session.connection.socket.SocketConnection(socket);
	}

	private void bind() {
		if (closed || link != null) {
			return;
		}
		SMPPSession session = new SMPPSession(new SynchronizedPDUSender(new DefaultPDUSender(new DefaultComposer())),
				new GuardedPduReader(), SmppChannel::connect);
		session.setEnquireLinkTimer((int) smpp.enquireLinkInterval().toMillis());
		session.setTransactionTimer(smpp.requestTimeout().toMillis());
		session.setPduProcessorDegree(8);
		session.setQueueCapacity(Math.max(100, smpp.window() * 4));
		Link l = new Link(session);
		session.setMessageReceiverListener(new Receiver());
		session.addSessionStateListener((SessionState now, SessionState before, Session source) -> {
			if (now == SessionState.UNBOUND || now == SessionState.CLOSED) {
				lose(l, "session " + before + " → " + now);
			}
		});
		try {
			session.connectAndBind(smpp.host(), smpp.port(), new BindParameter(BindType.BIND_TRX, smpp.systemId(),
					smpp.password(), smpp.systemType(), TypeOfNumber.UNKNOWN, NumberingPlanIndicator.UNKNOWN, null),
					smpp.bindTimeout().toMillis());
		}
		catch (IOException | RuntimeException e) {
			log.warn("SMS channel: bind to {}:{} as '{}' failed ({}); trying again in {}", smpp.host(), smpp.port(),
					smpp.systemId(), e.getMessage(), backoff);
			l.kill("bind failed");
			closeQuietly(session);
			rebindLater();
			return;
		}
		boolean lostMeanwhile;
		synchronized (this) {
			lostMeanwhile = l.dead() || closed;
			if (!lostMeanwhile) {
				link = l;
			}
		}
		if (lostMeanwhile) {
			closeQuietly(session);
			if (!closed) {
				rebindLater();
			}
			return;
		}
		backoff = smpp.reconnectBackoff();
		log.info("SMS channel: bound to {}:{} as '{}' (transceiver, window {})", smpp.host(), smpp.port(),
				smpp.systemId(), smpp.window());
	}

	/** The session went: outstanding submits complete as Transient, and the channel binds again. */
	private void lose(Link l, String why) {
		boolean current;
		synchronized (this) {
			current = link == l;
			if (current) {
				link = null;
			}
		}
		if (!l.kill(why) || !current) {
			return;
		}
		sessionsLost.increment();
		log.warn("SMS channel: lost the SMPP session ({}); binding again", why);
		// jSMPP calls this on its own threads; closing from them could wait on themselves
		Thread.ofVirtual().name("smpp-close").start(() -> closeQuietly(l.session));
		if (!closed) {
			onConnector(this::rebindLater);
		}
	}

	private void onConnector(Runnable task) {
		try {
			connector.execute(task);
		}
		catch (RejectedExecutionException e) {
			// stopping
		}
	}

	private void rebindLater() {
		if (closed) {
			return;
		}
		long jitter = ThreadLocalRandom.current().nextLong(Math.max(1, backoff.toMillis() / 5));
		try {
			connector.schedule(this::bind, backoff.toMillis() + jitter, TimeUnit.MILLISECONDS);
		}
		catch (RejectedExecutionException e) {
			return; // stopping
		}
		backoff = backoff.multipliedBy(2).compareTo(smpp.reconnectBackoffMax()) > 0 ? smpp.reconnectBackoffMax()
				: backoff.multipliedBy(2);
	}

	private static void closeQuietly(SMPPSession session) {
		try {
			session.close();
		}
		catch (RuntimeException e) {
			log.debug("closing the SMPP session", e);
		}
	}

	/** Once a second: inbound parts that waited too long, receipts held for parts that never came. */
	private void sweep() {
		try {
			report(longMessages.expired(System.nanoTime()), false);
			for (InboundParts.Message m : inboundParts.expired(clock.instant())) {
				log.warn("SMS channel: inbound long SMS from {} incomplete after {}; passing on what arrived", m.from(),
						settings.moReassemblyTimeout());
				handOver(m);
			}
		}
		catch (RuntimeException e) {
			log.warn("SMS channel: sweep failed", e);
		}
	}

	@Override
	public void close() {
		closed = true;
		connector.shutdownNow();
		Link l = link;
		link = null;
		if (l != null) {
			l.kill("the SMS channel is stopping");
			try {
				// an SMSC that never answers the unbind holds the stop for this long, not a whole request timeout
				l.session.setTransactionTimer(Math.min(smpp.requestTimeout().toMillis(), UNBIND_WAIT_MILLIS));
				l.session.unbindAndClose();
			}
			catch (RuntimeException e) {
				log.debug("unbinding", e);
			}
		}
		submitters.shutdownNow();
	}

	// --- from the SMSC ---------------------------------------------------------------------------

	/**
	 * Hands receipts to the core. Inside a deliver_sm ({@code rethrow}) a failure is thrown so the
	 * SMSC is answered ESME_RX_T_APPN and sends it again; elsewhere it is logged.
	 */
	private void report(List<LongMessages.Report> reports, boolean rethrow) {
		for (LongMessages.Report r : reports) {
			try {
				ChannelEvents e = events();
				e.receipt(Channel.SMS, r.providerId(), r.delivered(), r.receipt().stat(),
						!r.delivered() && r.receipt().addressFault(addressFaultErrors), r.detail(), clock.instant());
				receipts.increment();
			}
			catch (RuntimeException ex) {
				if (rethrow) {
					throw ex;
				}
				log.error("SMS channel: receipt for {} ({}) could not be handed on", r.providerId(), r.detail(), ex);
			}
		}
	}

	private void handOver(InboundParts.Message m) {
		events().inbound(Channel.SMS, m.from(), m.to(), m.text(), clock.instant());
		inboundParts.done(m);
		inbound.increment();
	}

	private ChannelEvents events() {
		ChannelEvents e = events.get();
		if (e == null) {
			throw new IllegalStateException("no ChannelEvents yet");
		}
		return e;
	}

	private final class Receiver implements MessageReceiverListener {

		@Override
		public void onAcceptDeliverSm(DeliverSm deliverSm) throws ProcessRequestException {
			try {
				byte esm = deliverSm.getEsmClass();
				if ((esm & 0x3C) == 0x04 || (esm & 0x3C) == 0x20) {
					onReceipt(deliverSm);
				}
				else {
					onInbound(deliverSm, deliverSm.getShortMessage());
				}
			}
			catch (RuntimeException e) {
				log.warn("SMS channel: deliver_sm not handed on ({}); the SMSC is asked to send it again", e.toString());
				throw new ProcessRequestException("not handed on: " + e.getMessage(), SMPPConstant.STAT_ESME_RX_T_APPN);
			}
		}

		@Override
		public DataSmResult onAcceptDataSm(DataSm dataSm, Session source) throws ProcessRequestException {
			try {
				OptionalParameter.OctetString payload = dataSm.getOptionalParameter(OptionalParameter.Message_payload.class);
				onInbound(dataSm, payload == null ? new byte[0] : payload.getValue());
				return new DataSmResult(new MessageId("0"), new OptionalParameter[0]);
			}
			catch (RuntimeException | org.jsmpp.PDUStringException e) {
				throw new ProcessRequestException("not handed on: " + e.getMessage(), SMPPConstant.STAT_ESME_RX_T_APPN);
			}
		}

		@Override
		public void onAcceptAlertNotification(AlertNotification alertNotification) {
			// nothing to do: the SMSC says a handset is reachable again, and it retries by itself
		}

		private void onReceipt(DeliverSm deliverSm) {
			OptionalParameter.COctetString receipted = deliverSm
				.getOptionalParameter(OptionalParameter.Receipted_message_id.class);
			OptionalParameter.Byte state = deliverSm.getOptionalParameter(OptionalParameter.Message_state.class);
			Receipt r = Receipt.parse(deliverSm.getShortMessage(), receipted == null ? null : receipted.getValueAsString(),
					state == null ? -1 : state.getValue());
			if (r == null) {
				// no id or no state: sending it again cannot help
				log.warn("SMS channel: unreadable delivery receipt from {}: {}", deliverSm.getSourceAddr(),
						deliverSm.getShortMessage() == null ? "" : new String(deliverSm.getShortMessage(),
								java.nio.charset.StandardCharsets.ISO_8859_1));
				return;
			}
			if (r.isFinal()) {
				report(longMessages.receipt(r, System.nanoTime()), true);
			}
		}

		private void onInbound(AbstractSmCommand sm, byte @Nullable [] shortMessage) {
			InboundParts.Concat sar = null;
			OptionalParameter.Short ref = sm.getOptionalParameter(OptionalParameter.Sar_msg_ref_num.class);
			OptionalParameter.Byte total = sm.getOptionalParameter(OptionalParameter.Sar_total_segments.class);
			OptionalParameter.Byte seq = sm.getOptionalParameter(OptionalParameter.Sar_segment_seqnum.class);
			if (ref != null && total != null && seq != null) {
				sar = new InboundParts.Concat(ref.getValue() & 0xFFFF, total.getValue() & 0xFF, seq.getValue() & 0xFF);
			}
			InboundParts.Message m = inboundParts.accept(sender(sm.getSourceAddr()), sm.getDestAddress() == null ? "" : sm.getDestAddress(),
					sm.getDataCoding(), (sm.getEsmClass() & 0x40) != 0, shortMessage == null ? new byte[0] : shortMessage,
					sar, clock.instant());
			if (m != null) {
				handOver(m);
			}
		}
	}

	/** The sender in E.164: an 11-digit mainland mobile number gets +86, any other number a +. */
	static String sender(@Nullable String sourceAddr) {
		String s = sourceAddr == null ? "" : sourceAddr.strip();
		if (s.isEmpty() || s.startsWith("+")) {
			return s;
		}
		try {
			return PhoneNumbers.normalize(s, "source_addr");
		}
		catch (ApiException e) {
			return "+" + s;
		}
	}
}
