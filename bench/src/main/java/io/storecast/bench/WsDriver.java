package io.storecast.bench;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.ScheduledFuture;

/**
 * The WebSocket load driver: thousands of client connections on a few Netty NIO event-loop threads
 * in this one process. A connection counts as open once the server's first text frame (Storecast's
 * {@code hello}) has arrived, so "established" means authenticated and registered, not merely
 * upgraded. Every connect and handshake is bounded in time; {@link #close} closes every channel
 * this driver ever opened and stops its threads.
 * <p>
 * Source addresses: by default the kernel picks the source port of each connection (about 28,000
 * per destination on a stock Linux). With {@code -Dbench.ws.sourceAddresses=k} (k &gt; 1) the
 * channels are bound round-robin to 127.0.0.2 … 127.0.0.(k+1) instead, for more connections than
 * one source address has ports.
 */
final class WsDriver implements AutoCloseable {

	/** What a connection reports to its owner; called on the connection's event-loop thread. */
	interface Listener {

		/** The first text frame arrived (Storecast's hello); the connection is usable. */
		default void onOpen(WsConnection connection, String firstFrame) {
		}

		void onText(WsConnection connection, String text);

		/** The channel closed, for whatever reason (code -1 when no close frame came first). */
		default void onClose(WsConnection connection, int closeCode) {
		}
	}

	/** One client connection. {@link #send} may be called from any thread. */
	static final class WsConnection {

		private final int index;
		private final Channel channel;
		private final Listener listener;
		private volatile boolean open;
		private volatile int closeCode = -1;
		private ScheduledFuture<?> pinger;

		WsConnection(int index, Channel channel, Listener listener) {
			this.index = index;
			this.channel = channel;
			this.listener = listener;
		}

		int index() {
			return index;
		}

		Channel channel() {
			return channel;
		}

		Listener listener() {
			return listener;
		}

		boolean isOpen() {
			return open && channel.isActive();
		}

		int closeCode() {
			return closeCode;
		}

		void send(String text) {
			channel.writeAndFlush(new TextWebSocketFrame(text), channel.voidPromise());
		}

		/** Abrupt close from the client side (TCP FIN, no WebSocket close frame), like a dropped network. */
		ChannelFuture drop() {
			return channel.close();
		}
	}

	/** Outcome of connecting a batch. */
	record Batch(List<WsConnection> open, int failed, Map<String, Integer> failures, Duration took) {
	}

	static final int MAX_FRAME = 8 * 1024 * 1024;

	private final EventLoopGroup group;
	private final Bootstrap bootstrap;
	private final int sourceAddresses;
	private final AtomicInteger nextSource = new AtomicInteger();
	private final Set<Channel> channels = ConcurrentHashMap.newKeySet();
	private final Map<String, LongAdder> failureKinds = new ConcurrentHashMap<>();
	private final LongAdder framesIn = new LongAdder();
	private final Duration handshakeTimeout;

	WsDriver() {
		this(Integer.getInteger("bench.ws.threads", Runtime.getRuntime().availableProcessors()),
				Integer.getInteger("bench.ws.sourceAddresses", 1), Duration.ofSeconds(30));
	}

	WsDriver(int threads, int sourceAddresses, Duration handshakeTimeout) {
		this.sourceAddresses = Math.max(1, sourceAddresses);
		this.handshakeTimeout = handshakeTimeout;
		this.group = new MultiThreadIoEventLoopGroup(Math.max(1, threads), new DefaultThreadFactory("ws-driver", true),
				NioIoHandler.newFactory());
		this.bootstrap = new Bootstrap().group(group)
			.channel(NioSocketChannel.class)
			.option(ChannelOption.TCP_NODELAY, true)
			.option(ChannelOption.SO_REUSEADDR, true)
			.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) handshakeTimeout.toMillis());
	}

	EventLoopGroup group() {
		return group;
	}

	/** Frames received over all connections so far. */
	long framesIn() {
		return framesIn.sum();
	}

	/**
	 * Opens one connection; the future completes when the first text frame arrived, and fails when
	 * the connect, the handshake (an HTTP refusal, for instance) or the wait for that frame fails or
	 * times out. {@code pingEvery} (nullable) schedules {@code pingFrame} on the connection's own
	 * event loop, first at a random point within the interval so pings are spread out.
	 */
	CompletableFuture<WsConnection> connect(int index, URI uri, Listener listener, Duration pingEvery, String pingFrame) {
		CompletableFuture<WsConnection> opened = new CompletableFuture<>();
		WebSocketClientProtocolConfig config = WebSocketClientProtocolConfig.newBuilder()
			.webSocketUri(uri)
			.handleCloseFrames(false)
			.dropPongFrames(true)
			.generateOriginHeader(false)
			.withUTF8Validator(false)
			.maxFramePayloadLength(MAX_FRAME)
			.handshakeTimeoutMillis(handshakeTimeout.toMillis())
			.build();
		Bootstrap b = bootstrap.clone().handler(new ChannelInitializer<SocketChannel>() {
			@Override
			protected void initChannel(SocketChannel ch) {
				ch.pipeline()
					.addLast("http", new HttpClientCodec(4096, 8192, 8192))
					.addLast("aggregate", new HttpObjectAggregator(65536))
					.addLast("websocket", new WebSocketClientProtocolHandler(config))
					.addLast("fragments", new WebSocketFrameAggregator(MAX_FRAME))
					.addLast("client", new ClientHandler(index, listener, opened, pingEvery, pingFrame));
			}
		});
		InetSocketAddress remote = new InetSocketAddress(uri.getHost(), uri.getPort());
		ChannelFuture connect = sourceAddresses > 1 ? b.connect(remote, sourceAddress()) : b.connect(remote);
		Channel channel = connect.channel();
		channels.add(channel);
		channel.closeFuture().addListener(f -> {
			channels.remove(channel);
			opened.completeExceptionally(new IllegalStateException("closed before the first frame"));
		});
		connect.addListener(f -> {
			if (!f.isSuccess()) {
				opened.completeExceptionally(f.cause());
			}
		});
		// the first frame must come in time even if the server accepts and then says nothing
		channel.eventLoop().schedule(() -> {
			if (!opened.isDone()) {
				opened.completeExceptionally(new java.util.concurrent.TimeoutException("no first frame within "
						+ handshakeTimeout.toSeconds() + " s"));
				channel.close();
			}
		}, handshakeTimeout.toMillis(), TimeUnit.MILLISECONDS);
		opened.whenComplete((c, e) -> {
			if (e != null) {
				failureKinds.computeIfAbsent(kind(e), k -> new LongAdder()).increment();
				channel.close();
			}
		});
		return opened;
	}

	/**
	 * Opens {@code count} connections with at most {@code inFlight} connects pending at a time,
	 * waiting at most {@code timeout} overall. {@code uriOf} and {@code listenerOf} give each
	 * connection (by index) its URI and listener.
	 */
	Batch connectAll(int count, java.util.function.IntFunction<URI> uriOf, java.util.function.IntFunction<Listener> listenerOf,
			int inFlight, Duration timeout, Duration pingEvery, String pingFrame) throws InterruptedException {
		long started = System.nanoTime();
		long deadline = started + timeout.toNanos();
		Semaphore permits = new Semaphore(inFlight);
		WsConnection[] opened = new WsConnection[count];
		AtomicInteger failed = new AtomicInteger();
		Map<String, Integer> kinds = new ConcurrentHashMap<>();
		AtomicInteger done = new AtomicInteger();
		int attempted = 0;
		long lastReport = System.nanoTime();
		for (int i = 0; i < count; i++) {
			boolean got = false;
			while (!got && System.nanoTime() - deadline < 0) {
				got = permits.tryAcquire(200, TimeUnit.MILLISECONDS);
			}
			if (!got) {
				failed.addAndGet(count - i);
				kinds.merge("not attempted (batch timeout)", count - i, Integer::sum);
				break;
			}
			attempted++;
			int index = i;
			connect(index, uriOf.apply(index), listenerOf.apply(index), pingEvery, pingFrame).whenComplete((c, e) -> {
				if (e == null) {
					opened[index] = c;
				}
				else {
					failed.incrementAndGet();
					kinds.merge(kind(e), 1, Integer::sum);
				}
				done.incrementAndGet();
				permits.release();
			});
			if (System.nanoTime() - lastReport > 5_000_000_000L) {
				lastReport = System.nanoTime();
				Bench.progress("  connecting: %d of %d done (%d failed)", done.get(), count, failed.get());
			}
		}
		// wait for the stragglers (each is bounded by the handshake timeout)
		long stragglers = System.nanoTime() + handshakeTimeout.toNanos() + 5_000_000_000L;
		while (done.get() < attempted && System.nanoTime() - stragglers < 0) {
			Thread.sleep(10);
		}
		List<WsConnection> open = new java.util.ArrayList<>(count);
		for (WsConnection c : opened) {
			if (c != null) {
				open.add(c);
			}
		}
		Duration took = Duration.ofNanos(System.nanoTime() - started);
		if (failed.get() > 0) {
			Bench.progress("  %d of %d connections failed: %s", failed.get(), count, new TreeMap<>(kinds));
		}
		return new Batch(open, failed.get(), new TreeMap<>(kinds), took);
	}

	/** Failure kinds over the driver's life, for diagnostics. */
	Map<String, Long> failureKinds() {
		Map<String, Long> m = new TreeMap<>();
		failureKinds.forEach((k, v) -> m.put(k, v.sum()));
		return m;
	}

	/** Channels currently open (connected or connecting). */
	int openChannels() {
		return channels.size();
	}

	/** Drops the given connections at once and waits (bounded) until they are closed. */
	static void drop(java.util.Collection<WsConnection> connections, Duration timeout) {
		List<ChannelFuture> closing = connections.stream().map(WsConnection::drop).toList();
		long deadline = System.nanoTime() + timeout.toNanos();
		for (ChannelFuture f : closing) {
			long left = deadline - System.nanoTime();
			if (left <= 0 || !f.awaitUninterruptibly(left, TimeUnit.NANOSECONDS)) {
				break;
			}
		}
	}

	/** Drops every channel of the driver at once and waits (bounded) until they are closed. */
	void dropAll(Duration timeout) {
		List<ChannelFuture> closing = channels.stream().map(Channel::close).toList();
		long deadline = System.nanoTime() + timeout.toNanos();
		for (ChannelFuture f : closing) {
			long left = deadline - System.nanoTime();
			if (left <= 0 || !f.awaitUninterruptibly(left, TimeUnit.NANOSECONDS)) {
				break;
			}
		}
	}

	@Override
	public void close() {
		dropAll(Duration.ofSeconds(20));
		group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
	}

	private InetSocketAddress sourceAddress() {
		int n = Math.floorMod(nextSource.getAndIncrement(), sourceAddresses);
		try {
			return new InetSocketAddress(InetAddress.getByAddress(new byte[] { 127, 0, 0, (byte) (2 + n) }), 0);
		}
		catch (UnknownHostException e) {
			throw new IllegalStateException(e);
		}
	}

	static String kind(Throwable e) {
		Throwable t = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
		String message = t.getMessage() == null ? "" : t.getMessage();
		if (message.length() > 80) {
			message = message.substring(0, 80);
		}
		return t.getClass().getSimpleName() + (message.isEmpty() ? "" : ": " + message);
	}

	private final class ClientHandler extends SimpleChannelInboundHandler<WebSocketFrame> {

		private final int index;
		private final Listener listener;
		private final CompletableFuture<WsConnection> opened;
		private final Duration pingEvery;
		private final String pingFrame;
		private WsConnection connection;

		ClientHandler(int index, Listener listener, CompletableFuture<WsConnection> opened, Duration pingEvery,
				String pingFrame) {
			this.index = index;
			this.listener = listener;
			this.opened = opened;
			this.pingEvery = pingEvery;
			this.pingFrame = pingFrame;
		}

		@Override
		protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
			if (frame instanceof TextWebSocketFrame text) {
				framesIn.increment();
				String s = text.text();
				if (connection == null) {
					connection = new WsConnection(index, ctx.channel(), listener);
					connection.open = true;
					if (pingEvery != null && !pingEvery.isZero()) {
						long every = pingEvery.toMillis();
						long first = java.util.concurrent.ThreadLocalRandom.current().nextLong(every / 2, every);
						WsConnection c = connection;
						connection.pinger = ctx.channel()
							.eventLoop()
							.scheduleAtFixedRate(() -> c.send(pingFrame), first, every, TimeUnit.MILLISECONDS);
					}
					listener.onOpen(connection, s);
					opened.complete(connection);
				}
				else {
					listener.onText(connection, s);
				}
			}
			else if (frame instanceof CloseWebSocketFrame close) {
				if (connection != null) {
					connection.closeCode = close.statusCode();
				}
				ctx.close();
			}
		}

		@Override
		public void channelInactive(ChannelHandlerContext ctx) throws Exception {
			if (connection != null) {
				connection.open = false;
				if (connection.pinger != null) {
					connection.pinger.cancel(false);
				}
				listener.onClose(connection, connection.closeCode);
			}
			super.channelInactive(ctx);
		}

		@Override
		public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
			opened.completeExceptionally(cause);
			ctx.close();
		}
	}
}
