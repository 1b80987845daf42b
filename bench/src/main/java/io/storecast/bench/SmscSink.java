package io.storecast.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jsmpp.SMPPConstant;
import org.jsmpp.bean.BroadcastSm;
import org.jsmpp.bean.CancelBroadcastSm;
import org.jsmpp.bean.CancelSm;
import org.jsmpp.bean.DataSm;
import org.jsmpp.bean.ESMClass;
import org.jsmpp.bean.NumberingPlanIndicator;
import org.jsmpp.bean.OptionalParameter;
import org.jsmpp.bean.QueryBroadcastSm;
import org.jsmpp.bean.QuerySm;
import org.jsmpp.bean.RawDataCoding;
import org.jsmpp.bean.RegisteredDelivery;
import org.jsmpp.bean.ReplaceSm;
import org.jsmpp.bean.SubmitMulti;
import org.jsmpp.bean.SubmitSm;
import org.jsmpp.bean.TypeOfNumber;
import org.jsmpp.extra.ProcessRequestException;
import org.jsmpp.session.BindRequest;
import org.jsmpp.session.BroadcastSmResult;
import org.jsmpp.session.DataSmResult;
import org.jsmpp.session.QueryBroadcastSmResult;
import org.jsmpp.session.QuerySmResult;
import org.jsmpp.session.SMPPServerSession;
import org.jsmpp.session.SMPPServerSessionListener;
import org.jsmpp.session.ServerMessageReceiverListener;
import org.jsmpp.session.ServerResponseDeliveryAdapter;
import org.jsmpp.session.Session;
import org.jsmpp.session.SubmitMultiResult;
import org.jsmpp.session.SubmitSmResult;
import org.jsmpp.session.connection.socket.ServerSocketConnection;
import org.jsmpp.session.connection.socket.ServerSocketConnectionFactory;
import org.jsmpp.util.MessageId;

/**
 * {@code sms-throughput}'s SMSC on 127.0.0.1 (jSMPP's server side): accepts binds with its
 * password, answers every submit_sm at once with a new message id, then sends a DELIVRD receipt for
 * it (up to 64 receipts outstanding, each tried again while the server answers ESME_RX_T_APPN).
 * Counts submits per request key ({@code k123}, read from the text) for duplicates and losses, and
 * times them. Closing it stops everything it started.
 */
final class SmscSink implements AutoCloseable {

	private static final Pattern KEY = Pattern.compile("\\bk\\d+\\b");

	final Map<String, AtomicInteger> perKey = new ConcurrentHashMap<>();
	final AtomicLong submits = new AtomicLong();
	final AtomicLong unattributed = new AtomicLong();
	final AtomicLong receiptsSent = new AtomicLong();
	final AtomicLong receiptsFailed = new AtomicLong();
	final AtomicInteger binds = new AtomicInteger();
	volatile long firstSubmitNanos;
	volatile long lastSubmitNanos;
	/** When 10% and 90% of the expected submits had arrived: the steady state lies between. */
	volatile long p10Nanos;
	volatile long p90Nanos;

	private final String password;
	private final long expected;
	private final ServerSocket serverSocket;
	private final SMPPServerSessionListener listener;
	private final Thread acceptor;
	private final List<SMPPServerSession> sessions = new CopyOnWriteArrayList<>();
	private final AtomicLong ids = new AtomicLong(0x100000);
	private final ExecutorService receipts = Executors.newVirtualThreadPerTaskExecutor();

	SmscSink(String password, long expected) throws IOException {
		this.password = password;
		this.expected = expected;
		this.serverSocket = new ServerSocket();
		serverSocket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
		// jSMPP's factory listens on every interface: hand it our loopback socket instead
		listener = new SMPPServerSessionListener(0, 0, 50, new ServerSocketConnectionFactory() {
			@Override
			public ServerSocketConnection listen(int port, int timeout, int backlog) {
				return new ServerSocketConnection(serverSocket) {
					@Override
					public org.jsmpp.session.connection.Connection accept() throws IOException {
						// as an SMSC should: no Nagle delay on small PDUs
						java.net.Socket socket = serverSocket.accept();
						socket.setTcpNoDelay(true);
						return new org.jsmpp.session.connection.socket.SocketConnection(socket);
					}
				};
			}
		});
		listener.setPduProcessorDegree(16);
		listener.setQueueCapacity(10_000);
		listener.setMessageReceiverListener(new Receiver());
		listener.setResponseDeliveryListener(new ServerResponseDeliveryAdapter() {
			@Override
			public void onSubmitSmRespSent(SubmitSmResult result, SMPPServerSession source) {
				sendReceipt(source, result.getMessageId());
			}
		});
		acceptor = Thread.ofPlatform().name("smsc-sink-accept").daemon().start(this::acceptLoop);
	}

	int port() {
		return serverSocket.getLocalPort();
	}

	/** Submits answered per second between 10% and 90% of the expected ones; 0 before. */
	double steadyPerSecond() {
		long from = p10Nanos;
		long to = p90Nanos;
		return from == 0 || to <= from ? 0 : (expected * 0.8) / ((to - from) / 1e9);
	}

	/** Keys submitted more than once, counted once per extra submit. */
	long duplicates() {
		return perKey.values().stream().mapToLong(n -> Math.max(0, n.get() - 1)).sum();
	}

	/** Keys {@code k0 … k(n-1)} never submitted. */
	long lost(int n) {
		long lost = 0;
		for (int i = 0; i < n; i++) {
			if (!perKey.containsKey("k" + i)) {
				lost++;
			}
		}
		return lost;
	}

	private void acceptLoop() {
		while (!Thread.currentThread().isInterrupted()) {
			SMPPServerSession session;
			try {
				session = listener.accept();
			}
			catch (IOException e) {
				return; // closed
			}
			sessions.add(session);
			// a receipt waits this long for the server's deliver_sm_resp (jSMPP's default is 2 s)
			session.setTransactionTimer(30_000);
			Thread.ofVirtual().start(() -> {
				try {
					BindRequest bind = session.waitForBind(10_000);
					if (password.equals(bind.getPassword())) {
						bind.accept("bench-smsc");
						binds.incrementAndGet();
					}
					else {
						bind.reject(SMPPConstant.STAT_ESME_RINVPASWD);
					}
				}
				catch (Exception e) {
					session.close();
				}
			});
		}
	}

	private void count(SubmitSm submit) {
		long now = System.nanoTime();
		long n = submits.incrementAndGet();
		if (n == 1) {
			firstSubmitNanos = now;
		}
		if (n == Math.max(1, expected / 10)) {
			p10Nanos = now;
		}
		if (n == Math.max(1, expected * 9 / 10)) {
			p90Nanos = now;
		}
		lastSubmitNanos = now;
		byte[] sm = submit.getShortMessage();
		if ((submit.getEsmClass() & 0x40) != 0 && sm.length > 0) {
			sm = Arrays.copyOfRange(sm, 1 + (sm[0] & 0xFF), sm.length);
		}
		String text = new String(sm, submit.getDataCoding() == 0x08 ? StandardCharsets.UTF_16BE : StandardCharsets.ISO_8859_1);
		Matcher key = KEY.matcher(text);
		if (key.find()) {
			perKey.computeIfAbsent(key.group(), k -> new AtomicInteger()).incrementAndGet();
		}
		else {
			unattributed.incrementAndGet();
		}
	}

	/**
	 * Queues the receipt; senders on their own threads deliver them, up to 64 at once. The submit
	 * path never waits for a receipt (as a real SMSC's does not).
	 */
	private void sendReceipt(SMPPServerSession session, String messageId) {
		pendingReceipts.add(new PendingReceipt(session, messageId));
		startReceiptSenders();
	}

	private record PendingReceipt(SMPPServerSession session, String messageId) {
	}

	private final java.util.concurrent.LinkedBlockingQueue<PendingReceipt> pendingReceipts = new java.util.concurrent.LinkedBlockingQueue<>();
	private final java.util.concurrent.atomic.AtomicBoolean sendersStarted = new java.util.concurrent.atomic.AtomicBoolean();
	private final AtomicLong receiptErrorsLogged = new AtomicLong();

	private void startReceiptSenders() {
		if (!sendersStarted.compareAndSet(false, true)) {
			return;
		}
		for (int i = 0; i < 64; i++) {
			receipts.execute(() -> {
				try {
					while (!Thread.currentThread().isInterrupted()) {
						PendingReceipt r = pendingReceipts.take();
						deliverReceipt(r.session(), r.messageId());
					}
				}
				catch (InterruptedException e) {
					Thread.currentThread().interrupt();
				}
			});
		}
	}

	private void deliverReceipt(SMPPServerSession session, String messageId) throws InterruptedException {
		byte[] text = ("id:" + messageId + " sub:001 dlvrd:001 submit date:2611231200 done date:2611231200"
				+ " stat:DELIVRD err:000 text:").getBytes(StandardCharsets.ISO_8859_1);
		for (int tries = 1;; tries++) {
			try {
				session.deliverShortMessage("", TypeOfNumber.INTERNATIONAL, NumberingPlanIndicator.ISDN, "8613900000000",
						TypeOfNumber.UNKNOWN, NumberingPlanIndicator.ISDN, "10690000", new ESMClass(0x04), (byte) 0, (byte) 0,
						new RegisteredDelivery(0), new RawDataCoding((byte) 0), text,
						new OptionalParameter.Receipted_message_id(messageId));
				receiptsSent.incrementAndGet();
				return;
			}
			catch (Exception e) {
				if (receiptErrorsLogged.incrementAndGet() <= 5) {
					Bench.progress("smsc sink: receipt %s not taken (try %d): %s", messageId, tries, e);
				}
				if (tries >= 5 || !session.getSessionState().isBound()) {
					receiptsFailed.incrementAndGet();
					return;
				}
				Thread.sleep(200L * tries);
			}
		}
	}

	private final class Receiver implements ServerMessageReceiverListener {

		@Override
		public SubmitSmResult onAcceptSubmitSm(SubmitSm submitSm, SMPPServerSession source) throws ProcessRequestException {
			count(submitSm);
			try {
				return new SubmitSmResult(new MessageId(Long.toHexString(ids.incrementAndGet())), new OptionalParameter[0]);
			}
			catch (org.jsmpp.PDUStringException e) {
				throw new ProcessRequestException(e.getMessage(), SMPPConstant.STAT_ESME_RSYSERR);
			}
		}

		@Override
		public SubmitMultiResult onAcceptSubmitMulti(SubmitMulti submitMulti, SMPPServerSession source)
				throws ProcessRequestException {
			throw unsupported();
		}

		@Override
		public QuerySmResult onAcceptQuerySm(QuerySm querySm, SMPPServerSession source) throws ProcessRequestException {
			throw unsupported();
		}

		@Override
		public void onAcceptReplaceSm(ReplaceSm replaceSm, SMPPServerSession source) throws ProcessRequestException {
			throw unsupported();
		}

		@Override
		public void onAcceptCancelSm(CancelSm cancelSm, SMPPServerSession source) throws ProcessRequestException {
			throw unsupported();
		}

		@Override
		public BroadcastSmResult onAcceptBroadcastSm(BroadcastSm broadcastSm, SMPPServerSession source)
				throws ProcessRequestException {
			throw unsupported();
		}

		@Override
		public void onAcceptCancelBroadcastSm(CancelBroadcastSm cancelBroadcastSm, SMPPServerSession source)
				throws ProcessRequestException {
			throw unsupported();
		}

		@Override
		public QueryBroadcastSmResult onAcceptQueryBroadcastSm(QueryBroadcastSm queryBroadcastSm,
				SMPPServerSession source) throws ProcessRequestException {
			throw unsupported();
		}

		@Override
		public DataSmResult onAcceptDataSm(DataSm dataSm, Session source) throws ProcessRequestException {
			throw unsupported();
		}

		private static ProcessRequestException unsupported() {
			return new ProcessRequestException("not supported by the bench SMSC", SMPPConstant.STAT_ESME_RINVCMDID);
		}
	}

	@Override
	public void close() throws Exception {
		acceptor.interrupt();
		listener.close();
		for (SMPPServerSession s : sessions) {
			s.close();
		}
		receipts.shutdownNow();
		acceptor.join(5000);
	}
}
