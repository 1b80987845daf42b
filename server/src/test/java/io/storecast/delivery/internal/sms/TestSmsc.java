package io.storecast.delivery.internal.sms;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.jspecify.annotations.Nullable;
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
import org.jsmpp.extra.NegativeResponseException;
import org.jsmpp.extra.ProcessRequestException;
import org.jsmpp.session.BindRequest;
import org.jsmpp.session.BroadcastSmResult;
import org.jsmpp.session.DataSmResult;
import org.jsmpp.session.QueryBroadcastSmResult;
import org.jsmpp.session.QuerySmResult;
import org.jsmpp.session.SMPPServerSession;
import org.jsmpp.session.SMPPServerSessionListener;
import org.jsmpp.session.ServerMessageReceiverListener;
import org.jsmpp.session.Session;
import org.jsmpp.session.SubmitMultiResult;
import org.jsmpp.session.SubmitSmResult;
import org.jsmpp.session.connection.Connection;
import org.jsmpp.session.connection.ServerConnection;
import org.jsmpp.session.connection.ServerConnectionFactory;
import org.jsmpp.session.connection.socket.SocketConnection;
import org.jsmpp.util.MessageId;

/**
 * An SMSC in the test's own process, on jSMPP's server side, listening on 127.0.0.1 on a free port.
 * Scriptable: refuse binds, refuse the next submits with a status, hold responses, send a receipt
 * before the submit_sm_resp, send receipts and MO, drop the connection, write garbage. Records
 * every submit and every deliver_sm answer. Closing it stops everything it started.
 */
final class TestSmsc implements AutoCloseable {

	/** One submit_sm as the SMSC got it. */
	record Submit(String messageId, String source, byte destTon, byte destNpi, String destination, byte esmClass,
			byte dataCoding, byte registeredDelivery, byte[] shortMessage) {

		byte[] payload() {
			if ((esmClass & 0x40) == 0) {
				return shortMessage;
			}
			int udh = 1 + (shortMessage[0] & 0xFF);
			return java.util.Arrays.copyOfRange(shortMessage, udh, shortMessage.length);
		}
	}

	final List<Submit> submits = new CopyOnWriteArrayList<>();
	/** The command_status the ESME answered each deliver_sm with, in order. */
	final List<Integer> deliverAnswers = new CopyOnWriteArrayList<>();
	final AtomicInteger bindAttempts = new AtomicInteger();
	final AtomicInteger binds = new AtomicInteger();

	private final LoopbackConnections connections = new LoopbackConnections();
	private final SMPPServerSessionListener listener;
	private final Thread acceptor;
	private final List<SMPPServerSession> sessions = new CopyOnWriteArrayList<>();
	private final AtomicInteger ids = new AtomicInteger();
	private final AtomicInteger refuseNext = new AtomicInteger();
	private final AtomicReference<CountDownLatch> gate = new AtomicReference<>(new CountDownLatch(0));
	private volatile int refuseStatus = SMPPConstant.STAT_ESME_RTHROTTLED;
	private volatile String password;
	private volatile boolean receiptBeforeResponse;

	TestSmsc(String password) throws IOException {
		this.password = password;
		listener = new SMPPServerSessionListener(0, 0, connections);
		listener.setPduProcessorDegree(64);
		listener.setQueueCapacity(1000);
		listener.setMessageReceiverListener(new Receiver());
		acceptor = Thread.ofPlatform().name("test-smsc-accept").daemon().start(this::acceptLoop);
	}

	int port() {
		return connections.serverSocket.getLocalPort();
	}

	// --- script ------------------------------------------------------------------------------------

	void password(String value) {
		password = value;
	}

	/** The next {@code n} submits are refused with {@code status}. */
	void refuseNext(int n, int status) {
		refuseStatus = status;
		refuseNext.set(n);
	}

	/** submit_sm_resp waits until {@link #releaseResponses()}. */
	void holdResponses() {
		gate.set(new CountDownLatch(1));
	}

	void releaseResponses() {
		gate.get().countDown();
	}

	/** Each submit's DELIVRD receipt goes out before its submit_sm_resp. */
	void receiptBeforeResponse(boolean on) {
		receiptBeforeResponse = on;
	}

	/** Sends a delivery receipt in the standard text form and returns the ESME's answer status. */
	int sendReceipt(String messageId, String stat, String err) throws Exception {
		return deliver(current(), receiptText(messageId, stat, err), (byte) 0x04, (byte) 0x00, "8613812345678", "10690000");
	}

	/** Sends a receipt with an empty text and the receipted_message_id / message_state TLVs only. */
	int sendReceiptTlvs(String messageId, int messageState) throws Exception {
		return deliver(current(), new byte[0], (byte) 0x04, (byte) 0x00, "8613812345678", "10690000",
				new OptionalParameter.Receipted_message_id(messageId),
				new OptionalParameter.Byte(OptionalParameter.Tag.MESSAGE_STATE, (byte) messageState));
	}

	/** Sends a deliver_sm carrying an MO text; returns the ESME's answer status. */
	int sendMo(String from, String to, byte dataCoding, byte esmClass, byte[] shortMessage) throws Exception {
		return deliver(current(), shortMessage, esmClass, dataCoding, from, to);
	}

	/** Closes every connection (as a network failure would). */
	void dropConnections() {
		connections.closeAll();
	}

	/** Writes raw bytes into the newest connection. */
	void writeGarbage(byte[] bytes) throws IOException {
		Socket s = connections.sockets.getLast();
		OutputStream out = s.getOutputStream();
		out.write(bytes);
		out.flush();
	}

	// --- the SMSC --------------------------------------------------------------------------------

	static byte[] receiptText(String messageId, String stat, String err) {
		return ("id:" + messageId + " sub:001 dlvrd:" + (stat.equals("DELIVRD") ? "001" : "000")
				+ " submit date:2611231200 done date:2611231201 stat:" + stat + " err:" + err + " text:")
			.getBytes(StandardCharsets.ISO_8859_1);
	}

	private SMPPServerSession current() {
		for (SMPPServerSession s : sessions.reversed()) {
			if (s.getSessionState().isBound()) {
				return s;
			}
		}
		throw new IllegalStateException("no bound session");
	}

	private int deliver(SMPPServerSession session, byte[] shortMessage, byte esmClass, byte dataCoding, String from,
			String to, OptionalParameter... tlvs) throws Exception {
		try {
			session.deliverShortMessage("", TypeOfNumber.INTERNATIONAL, NumberingPlanIndicator.ISDN, from,
					TypeOfNumber.UNKNOWN, NumberingPlanIndicator.ISDN, to, new ESMClass(esmClass), (byte) 0, (byte) 0,
					new RegisteredDelivery(0), new RawDataCoding(dataCoding), shortMessage, tlvs);
			deliverAnswers.add(0);
			return 0;
		}
		catch (NegativeResponseException e) {
			deliverAnswers.add(e.getCommandStatus());
			return e.getCommandStatus();
		}
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
			Thread.ofVirtual().name("test-smsc-bind").start(() -> {
				try {
					BindRequest bind = session.waitForBind(5000);
					bindAttempts.incrementAndGet();
					if (bind.getPassword().equals(password)) {
						bind.accept("test-smsc");
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

	private final class Receiver implements ServerMessageReceiverListener {

		@Override
		public SubmitSmResult onAcceptSubmitSm(SubmitSm submitSm, SMPPServerSession source) throws ProcessRequestException {
			if (refuseNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
				submits.add(record("refused", submitSm));
				throw new ProcessRequestException("refused by script", refuseStatus);
			}
			String id = "m" + ids.incrementAndGet();
			submits.add(record(id, submitSm));
			try {
				gate.get().await(60, TimeUnit.SECONDS);
				if (receiptBeforeResponse) {
					deliver(source, receiptText(id, "DELIVRD", "000"), (byte) 0x04, (byte) 0, submitSm.getDestAddress(),
							submitSm.getSourceAddr());
				}
				return new SubmitSmResult(new MessageId(id), new OptionalParameter[0]);
			}
			catch (Exception e) {
				throw new ProcessRequestException(e.toString(), SMPPConstant.STAT_ESME_RSYSERR);
			}
		}

		private Submit record(String id, SubmitSm s) {
			return new Submit(id, s.getSourceAddr(), s.getDestAddrTon(), s.getDestAddrNpi(), s.getDestAddress(),
					s.getEsmClass(), s.getDataCoding(), s.getRegisteredDelivery(), s.getShortMessage());
		}

		@Override
		public SubmitMultiResult onAcceptSubmitMulti(SubmitMulti submitMulti, SMPPServerSession source)
				throws ProcessRequestException {
			throw new ProcessRequestException("not supported", SMPPConstant.STAT_ESME_RINVCMDID);
		}

		@Override
		public QuerySmResult onAcceptQuerySm(QuerySm querySm, SMPPServerSession source) throws ProcessRequestException {
			throw new ProcessRequestException("not supported", SMPPConstant.STAT_ESME_RINVCMDID);
		}

		@Override
		public void onAcceptReplaceSm(ReplaceSm replaceSm, SMPPServerSession source) throws ProcessRequestException {
			throw new ProcessRequestException("not supported", SMPPConstant.STAT_ESME_RINVCMDID);
		}

		@Override
		public void onAcceptCancelSm(CancelSm cancelSm, SMPPServerSession source) throws ProcessRequestException {
			throw new ProcessRequestException("not supported", SMPPConstant.STAT_ESME_RINVCMDID);
		}

		@Override
		public BroadcastSmResult onAcceptBroadcastSm(BroadcastSm broadcastSm, SMPPServerSession source)
				throws ProcessRequestException {
			throw new ProcessRequestException("not supported", SMPPConstant.STAT_ESME_RINVCMDID);
		}

		@Override
		public void onAcceptCancelBroadcastSm(CancelBroadcastSm cancelBroadcastSm, SMPPServerSession source)
				throws ProcessRequestException {
			throw new ProcessRequestException("not supported", SMPPConstant.STAT_ESME_RINVCMDID);
		}

		@Override
		public QueryBroadcastSmResult onAcceptQueryBroadcastSm(QueryBroadcastSm queryBroadcastSm,
				SMPPServerSession source) throws ProcessRequestException {
			throw new ProcessRequestException("not supported", SMPPConstant.STAT_ESME_RINVCMDID);
		}

		@Override
		public DataSmResult onAcceptDataSm(DataSm dataSm, Session source) throws ProcessRequestException {
			throw new ProcessRequestException("not supported", SMPPConstant.STAT_ESME_RINVCMDID);
		}
	}

	/** Listens on 127.0.0.1 only (jSMPP's own factory binds every interface) and keeps the sockets. */
	private static final class LoopbackConnections implements ServerConnectionFactory {
		final List<Socket> sockets = new CopyOnWriteArrayList<>();
		@Nullable ServerSocket serverSocket;

		@Override
		public ServerConnection listen(int port) throws IOException {
			return listen(port, 0, 50);
		}

		@Override
		public ServerConnection listen(int port, int timeout) throws IOException {
			return listen(port, timeout, 50);
		}

		@Override
		public ServerConnection listen(int port, int timeout, int backlog) throws IOException {
			ServerSocket ss = new ServerSocket();
			ss.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), backlog);
			ss.setSoTimeout(timeout);
			serverSocket = ss;
			return new ServerConnection() {
				@Override
				public Connection accept() throws IOException {
					Socket s = ss.accept();
					sockets.add(s);
					return new SocketConnection(s);
				}

				@Override
				public void setSoTimeout(int t) throws IOException {
					ss.setSoTimeout(t);
				}

				@Override
				public int getSoTimeout() throws IOException {
					return ss.getSoTimeout();
				}

				@Override
				public void close() throws IOException {
					ss.close();
				}
			};
		}

		void closeAll() {
			for (Socket s : new ArrayList<>(sockets)) {
				try {
					s.close();
				}
				catch (IOException e) {
					// closing anyway
				}
			}
		}
	}

	@Override
	public void close() throws Exception {
		releaseResponses();
		acceptor.interrupt();
		listener.close();
		for (SMPPServerSession s : sessions) {
			s.close();
		}
		connections.closeAll();
		acceptor.join(5000);
	}
}
