package io.storecast.delivery.internal.sms;

import java.io.DataInputStream;
import java.io.IOException;
import java.util.Set;

import org.jsmpp.DefaultPDUReader;
import org.jsmpp.PDUReader;
import org.jsmpp.SMPPConstant;
import org.jsmpp.bean.Command;

/**
 * Reads PDUs from the SMSC and refuses garbage by failing the read, which makes jSMPP close the
 * session (and the channel bind again). jSMPP's own reader would allocate whatever command_length
 * says (a garbled 0x7FFFFFFF ends the reader thread with an OutOfMemoryError while the session stays
 * "bound"), answer a too-short length by unbinding from its own reader thread (which then waits for
 * an unbind_resp only it could read), and nack unknown commands while the stream may be out of step.
 */
final class GuardedPduReader implements PDUReader {

	/** A deliver_sm with a 64 KB message_payload and every other field at its longest fits. */
	static final int MAX_COMMAND_LENGTH = 70_000;

	/** What an SMSC may send to a transceiver. */
	private static final Set<Integer> EXPECTED = Set.of(SMPPConstant.CID_BIND_TRANSCEIVER_RESP,
			SMPPConstant.CID_BIND_TRANSMITTER_RESP, SMPPConstant.CID_BIND_RECEIVER_RESP, SMPPConstant.CID_GENERIC_NACK,
			SMPPConstant.CID_ENQUIRE_LINK, SMPPConstant.CID_ENQUIRE_LINK_RESP, SMPPConstant.CID_SUBMIT_SM_RESP,
			SMPPConstant.CID_DELIVER_SM, SMPPConstant.CID_DATA_SM, SMPPConstant.CID_DATA_SM_RESP, SMPPConstant.CID_UNBIND,
			SMPPConstant.CID_UNBIND_RESP, SMPPConstant.CID_ALERT_NOTIFICATION);

	private final DefaultPDUReader delegate = new DefaultPDUReader();

	@Override
	public Command readPDUHeader(DataInputStream in) throws IOException {
		int length = in.readInt();
		if (length < 16 || length > MAX_COMMAND_LENGTH) {
			throw new IOException("garbage from the SMSC: command_length " + length);
		}
		Command header = new Command();
		header.setCommandLength(length);
		header.setCommandId(in.readInt());
		header.setCommandStatus(in.readInt());
		header.setSequenceNumber(in.readInt());
		if (!EXPECTED.contains(header.getCommandId())) {
			throw new IOException("unexpected PDU from the SMSC: command_id 0x" + Integer.toHexString(header.getCommandId()));
		}
		return header;
	}

	@Override
	public byte[] readPDU(DataInputStream in, Command pduHeader) throws IOException {
		return delegate.readPDU(in, pduHeader);
	}

	@Override
	public byte[] readPDU(DataInputStream in, int commandLength, int commandId, int commandStatus, int sequenceNumber)
			throws IOException {
		return delegate.readPDU(in, commandLength, commandId, commandStatus, sequenceNumber);
	}
}
