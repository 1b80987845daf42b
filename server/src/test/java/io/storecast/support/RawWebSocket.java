package io.storecast.support;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * A bare WebSocket client over a socket, for what well-behaved clients cannot send: invalid UTF-8,
 * huge frames, floods. Blocking; one thread.
 */
public final class RawWebSocket implements AutoCloseable {

	private final Socket socket;
	private final DataInputStream in;
	private final OutputStream out;
	private final SecureRandom random = new SecureRandom();
	public final int handshakeStatus;

	/** A frame read back: its opcode and payload. */
	public record Frame(int opcode, byte[] payload) {

		public String text() {
			return new String(payload, StandardCharsets.UTF_8);
		}

		/** For a close frame: its status code. */
		public int closeCode() {
			return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : -1;
		}
	}

	public RawWebSocket(int port, String path, String token) throws IOException {
		this(port, path, token, 0);
	}

	/** With a receive buffer of this size (0: the system's), to play a client that reads slowly. */
	public RawWebSocket(int port, String path, String token, int receiveBuffer) throws IOException {
		socket = new Socket();
		if (receiveBuffer > 0) {
			socket.setReceiveBufferSize(receiveBuffer);
		}
		socket.connect(new java.net.InetSocketAddress("127.0.0.1", port));
		socket.setSoTimeout(15_000);
		in = new DataInputStream(socket.getInputStream());
		out = socket.getOutputStream();
		String key = Base64.getEncoder().encodeToString(random.generateSeed(16));
		String query = token == null ? "" : "?token=" + URLEncoder.encode(token, StandardCharsets.UTF_8);
		out.write(("GET " + path + query + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\n"
				+ "Connection: Upgrade\r\nSec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n\r\n")
			.getBytes(StandardCharsets.US_ASCII));
		out.flush();
		String status = line();
		handshakeStatus = Integer.parseInt(status.split(" ")[1]);
		int contentLength = 0;
		String header;
		while (!(header = line()).isEmpty()) {
			if (header.toLowerCase().startsWith("content-length:")) {
				contentLength = Integer.parseInt(header.substring(15).trim());
			}
		}
		if (handshakeStatus != 101 && contentLength > 0) {
			in.readNBytes(contentLength);
		}
	}

	private String line() throws IOException {
		ByteArrayOutputStream b = new ByteArrayOutputStream();
		int c;
		while ((c = in.read()) != -1 && c != '\n') {
			if (c != '\r') {
				b.write(c);
			}
		}
		return b.toString(StandardCharsets.US_ASCII);
	}

	public void sendText(String text) throws IOException {
		send(1, text.getBytes(StandardCharsets.UTF_8));
	}

	/** Sends a frame with this opcode (1 text, 2 binary) and payload as it is, masked as a client must. */
	public void send(int opcode, byte[] payload) throws IOException {
		ByteArrayOutputStream frame = new ByteArrayOutputStream();
		frame.write(0x80 | opcode);
		int len = payload.length;
		if (len < 126) {
			frame.write(0x80 | len);
		}
		else if (len < 65536) {
			frame.write(0x80 | 126);
			frame.write(len >>> 8);
			frame.write(len);
		}
		else {
			frame.write(0x80 | 127);
			for (int i = 7; i >= 0; i--) {
				frame.write((int) ((long) len >>> (8 * i)));
			}
		}
		byte[] mask = new byte[4];
		random.nextBytes(mask);
		frame.write(mask);
		for (int i = 0; i < len; i++) {
			frame.write(payload[i] ^ mask[i % 4]);
		}
		out.write(frame.toByteArray());
		out.flush();
	}

	/** Sends only the header of a frame that declares {@code length} bytes, as a client about to send a huge one would. */
	public void declareFrame(int opcode, long length) throws IOException {
		ByteArrayOutputStream frame = new ByteArrayOutputStream();
		frame.write(0x80 | opcode);
		frame.write(0x80 | 127);
		for (int i = 7; i >= 0; i--) {
			frame.write((int) (length >>> (8 * i)));
		}
		byte[] mask = new byte[4];
		random.nextBytes(mask);
		frame.write(mask);
		out.write(frame.toByteArray());
		out.flush();
	}

	/** Reads the next frame (server frames are not masked). */
	public Frame read() throws IOException {
		int b0 = in.readUnsignedByte();
		int b1 = in.readUnsignedByte();
		long len = b1 & 0x7f;
		if (len == 126) {
			len = in.readUnsignedShort();
		}
		else if (len == 127) {
			len = in.readLong();
		}
		byte[] payload = in.readNBytes((int) len);
		return new Frame(b0 & 0x0f, payload);
	}

	/** Reads frames until one of this type (a JSON text frame) or a close frame arrives. */
	public Frame readUntil(String type) throws IOException {
		while (true) {
			Frame f = read();
			if (f.opcode() == 8 || (f.opcode() == 1 && f.text().contains("\"type\":\"" + type + "\""))) {
				return f;
			}
		}
	}

	@Override
	public void close() throws IOException {
		socket.close();
	}
}
