package io.storecast.bench;

import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.DefaultThreadFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The baseline: a bare Netty WebSocket relay with Storecast's frame shapes and nothing else — no
 * authentication, no database, no thread hop, no rate limit. {@code ws://127.0.0.1:<port>/ws?rooms=a,b}
 * joins rooms (a room stands in for a conversation); the first frame is a {@code hello}; a
 * {@code send} into a room is acked to the sender with a per-room seq and pushed, serialised once,
 * to every other connection in the room; {@code ping} gets a {@code pong}. {@code GET /stats}
 * answers heap used and connection count; {@code POST …/claims} answers a fixed 201 (a driver ceiling
 * for coupon-claim-storm). Same pipeline shape as Storecast's gateway (HTTP codec,
 * aggregator, WebSocket protocol handler, idle timeout, write-buffer water mark), NIO transport.
 * <p>
 * Run as a child JVM: {@code java -cp storecast-bench.jar io.storecast.bench.BareWsServer <port>}. It
 * exits on SIGTERM and when its standard input closes, so it never outlives the bench.
 */
public final class BareWsServer {

	private static final JsonMapper JSON = JsonMapper.builder().build();
	private static final AttributeKey<List<String>> ROOMS = AttributeKey.valueOf("bare.rooms");

	private final Map<String, Set<Channel>> rooms = new ConcurrentHashMap<>();
	private final Map<String, AtomicLong> seqs = new ConcurrentHashMap<>();
	private final AtomicInteger connections = new AtomicInteger();
	private final AtomicInteger next = new AtomicInteger();
	private EventLoopGroup boss;
	private EventLoopGroup workers;
	private Channel server;

	public static void main(String[] args) throws Exception {
		int port = args.length > 0 ? Integer.parseInt(args[0]) : 0;
		BareWsServer bare = new BareWsServer();
		int bound = bare.start(port);
		Runtime.getRuntime().addShutdownHook(new Thread(bare::stop, "bare-ws-stop"));
		System.out.println("BareWsServer listening on 127.0.0.1:" + bound);
		System.out.flush();
		// exit when the parent goes away (its end of our stdin closes)
		while (System.in.read() >= 0) {
			// ignore input
		}
		System.exit(0);
	}

	int start(int port) throws InterruptedException {
		boss = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("bare-accept"), NioIoHandler.newFactory());
		// 0 threads: Netty's default (2 × cores), as Storecast's gateway with io-threads=0
		workers = new MultiThreadIoEventLoopGroup(0, new DefaultThreadFactory("bare-io"), NioIoHandler.newFactory());
		WebSocketServerProtocolConfig protocol = WebSocketServerProtocolConfig.newBuilder()
			.websocketPath("/ws")
			.checkStartsWith(true)
			.handleCloseFrames(true)
			.dropPongFrames(true)
			.handshakeTimeoutMillis(10_000)
			.build();
		ChannelHandler frames = new Relay();
		ChannelHandler stats = new Stats();
		ServerBootstrap bootstrap = new ServerBootstrap().group(boss, workers)
			.channel(NioServerSocketChannel.class)
			.option(ChannelOption.SO_BACKLOG, 4096)
			.option(ChannelOption.SO_REUSEADDR, true)
			.childOption(ChannelOption.TCP_NODELAY, true)
			.childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(512 * 1024, 1024 * 1024))
			.childHandler(new ChannelInitializer<SocketChannel>() {
				@Override
				protected void initChannel(SocketChannel ch) {
					ch.pipeline()
						.addLast("http", new HttpServerCodec(4096, 8192, 8192))
						.addLast("aggregate", new HttpObjectAggregator(8192))
						.addLast("stats", stats)
						.addLast("websocket", new WebSocketServerProtocolHandler(protocol))
						.addLast("idle", new IdleStateHandler(60, 0, 0, TimeUnit.SECONDS))
						.addLast("frames", frames);
				}
			});
		server = bootstrap.bind(new InetSocketAddress("127.0.0.1", port)).sync().channel();
		return ((InetSocketAddress) server.localAddress()).getPort();
	}

	void stop() {
		if (server != null) {
			server.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
			workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
			boss.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
			server = null;
		}
	}

	/** GET /stats: heap used (no GC here; ask for one with jcmd first) and open WebSocket connections. */
	@ChannelHandler.Sharable
	private final class Stats extends SimpleChannelInboundHandler<FullHttpRequest> {

		Stats() {
			super(false);
		}

		@Override
		protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
			if (request.method().name().equals("POST") && request.uri().endsWith("/claims")) {
				claimed(ctx, request);
				return;
			}
			if (!request.uri().startsWith("/stats")) {
				ctx.fireChannelRead(request);
				return;
			}
			request.release();
			long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
			byte[] body = ("{\"heapUsed\":" + heap + ",\"connections\":" + connections.get() + "}")
				.getBytes(StandardCharsets.UTF_8);
			DefaultFullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
					Unpooled.wrappedBuffer(body));
			response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
			response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
			ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
		}
	}

	/**
	 * {@code POST …/claims}: a fixed {@code 201} with a coupon-sized body on the kept-alive
	 * connection, so that a claim storm against this server measures what the load driver and the
	 * loopback can do on this machine at all (coupon-claim-storm's driver ceiling).
	 */
	private static void claimed(ChannelHandlerContext ctx, FullHttpRequest request) {
		request.release();
		DefaultFullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CREATED,
				Unpooled.wrappedBuffer(CLAIMED));
		response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
		response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, CLAIMED.length);
		ctx.writeAndFlush(response);
	}

	private static final byte[] CLAIMED = ("{\"id\":\"0195f3c2-7a1b-7c3d-8e4f-5a6b7c8d9e0f\",\"code\":\"7KQ2-M9XD-4HPA-2RTW\","
			+ "\"templateId\":\"0195f3c2-7a1b-7c3d-8e4f-000000000001\",\"customerId\":\"0195f3c2-7a1b-7c3d-8e4f-000000000002\","
			+ "\"status\":\"ISSUED\",\"channel\":\"CLAIM\",\"validFrom\":\"2026-11-23T00:00:00Z\","
			+ "\"validUntil\":\"2026-11-24T00:00:00Z\",\"issuedAt\":\"2026-11-23T00:00:00Z\"}").getBytes(StandardCharsets.UTF_8);

	@ChannelHandler.Sharable
	private final class Relay extends ChannelInboundHandlerAdapter {

		@Override
		public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
			if (event instanceof WebSocketServerProtocolHandler.HandshakeComplete handshake) {
				List<String> joined = new QueryStringDecoder(handshake.requestUri()).parameters()
					.getOrDefault("rooms", List.of())
					.stream()
					.flatMap(v -> java.util.Arrays.stream(v.split(",")))
					.filter(r -> !r.isBlank())
					.toList();
				ctx.channel().attr(ROOMS).set(joined);
				for (String room : joined) {
					rooms.computeIfAbsent(room, r -> ConcurrentHashMap.newKeySet()).add(ctx.channel());
				}
				connections.incrementAndGet();
				ctx.writeAndFlush(new TextWebSocketFrame("{\"type\":\"hello\",\"participant\":\"bare:" + next.incrementAndGet()
						+ "\",\"serverTime\":\"" + Instant.now() + "\",\"pingIntervalSeconds\":30}"));
			}
			else if (event instanceof IdleStateEvent) {
				ctx.close();
			}
			else {
				super.userEventTriggered(ctx, event);
			}
		}

		@Override
		public void channelRead(ChannelHandlerContext ctx, Object msg) {
			if (!(msg instanceof TextWebSocketFrame text)) {
				io.netty.util.ReferenceCountUtil.release(msg);
				return;
			}
			JsonNode request;
			try {
				request = JSON.readTree(text.text());
			}
			catch (RuntimeException e) {
				ctx.writeAndFlush(new TextWebSocketFrame("{\"type\":\"error\",\"code\":\"malformed-frame\"}"));
				return;
			}
			finally {
				text.release();
			}
			String type = request.path("type").asString("");
			String id = request.path("id").asString(null);
			switch (type) {
				case "ping" -> ctx.writeAndFlush(new TextWebSocketFrame(
						JSON.writeValueAsString(JSON.createObjectNode().put("type", "pong").put("id", id))));
				case "send" -> send(ctx, request, id);
				default -> {
					ObjectNode ack = JSON.createObjectNode().put("type", "ack").put("id", id);
					ctx.writeAndFlush(new TextWebSocketFrame(JSON.writeValueAsString(ack)));
				}
			}
		}

		private void send(ChannelHandlerContext ctx, JsonNode request, String id) {
			String room = request.path("conversationId").asString("");
			long seq = seqs.computeIfAbsent(room, r -> new AtomicLong()).incrementAndGet();
			String now = Instant.now().toString();
			String messageId = UUID.randomUUID().toString();
			ObjectNode message = JSON.createObjectNode()
				.put("conversationId", room)
				.put("seq", seq)
				.put("id", messageId)
				.put("sender", "bare:" + ctx.channel().id().asShortText())
				.put("clientMsgId", request.path("clientMsgId").asString(null))
				.put("kind", request.path("kind").asString("TEXT"));
			message.set("body", request.path("body"));
			message.put("requiresAck", false).put("createdAt", now).put("recalled", false);
			ObjectNode push = JSON.createObjectNode().put("type", "message");
			push.set("message", message);
			ByteBuf shared = Unpooled.wrappedBuffer(JSON.writeValueAsString(push).getBytes(StandardCharsets.UTF_8));
			try {
				Set<Channel> members = rooms.getOrDefault(room, Set.of());
				for (Channel c : members) {
					if (c != ctx.channel() && c.isActive()) {
						if (!c.isWritable()) {
							c.close(); // slow consumer, as Storecast does
							continue;
						}
						c.writeAndFlush(new TextWebSocketFrame(shared.retainedDuplicate()), c.voidPromise());
					}
				}
			}
			finally {
				shared.release();
			}
			ObjectNode ack = JSON.createObjectNode()
				.put("conversationId", room)
				.put("seq", seq)
				.put("messageId", messageId)
				.put("createdAt", now)
				.put("duplicate", false)
				.put("type", "ack")
				.put("id", id);
			ctx.writeAndFlush(new TextWebSocketFrame(JSON.writeValueAsString(ack)));
		}

		@Override
		public void channelInactive(ChannelHandlerContext ctx) throws Exception {
			List<String> joined = ctx.channel().attr(ROOMS).get();
			if (joined != null) {
				connections.decrementAndGet();
				for (String room : joined) {
					Set<Channel> members = rooms.get(room);
					if (members != null) {
						members.remove(ctx.channel());
					}
				}
			}
			super.channelInactive(ctx);
		}

		@Override
		public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
			ctx.close();
		}
	}
}
