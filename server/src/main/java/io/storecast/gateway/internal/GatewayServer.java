package io.storecast.gateway.internal;

import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.flow.FlowControlHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.micrometer.core.instrument.MeterRegistry;
import io.storecast.coupons.Coupons;
import io.storecast.gateway.Gateway;
import io.storecast.identity.TokenVerifier;
import tools.jackson.databind.json.JsonMapper;

/**
 * The Netty WebSocket server: named event-loop threads (epoll on Linux), one pipeline per
 * connection, started after the application context and stopped before the database.
 */
@Component
class GatewayServer implements SmartLifecycle, Gateway {

	private static final Logger log = LoggerFactory.getLogger(GatewayServer.class);

	private final GatewaySettings settings;
	private final TokenVerifier verifier;
	private final Connections connections;
	private final Dispatcher dispatcher;
	private final JsonMapper json;
	private final Coupons coupons;
	private final MeterRegistry meters;
	private ClaimBatcher claims;
	private final ChannelGroup channels = new DefaultChannelGroup("storecast-ws", GlobalEventExecutor.INSTANCE);
	private ExecutorService workers;
	private EventLoopGroup boss;
	private EventLoopGroup io;
	private Channel server;
	private volatile int port;

	GatewayServer(GatewaySettings settings, TokenVerifier verifier, Connections connections, Dispatcher dispatcher,
			JsonMapper json, Coupons coupons, MeterRegistry meters) {
		this.coupons = coupons;
		this.meters = meters;
		this.settings = settings;
		this.verifier = verifier;
		this.connections = connections;
		this.dispatcher = dispatcher;
		this.json = json;
	}

	@Override
	public void start() {
		if (!settings.enabled()) {
			return;
		}
		boolean epoll = Epoll.isAvailable();
		IoHandlerFactory factory = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
		Class<? extends ServerChannel> channelType = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
		boss = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("ws-accept"), factory);
		io = new MultiThreadIoEventLoopGroup(settings.ioThreads(), new DefaultThreadFactory("ws-io"), factory);
		workers = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("ws-request-", 0).factory());
		int hardLimit = (int) settings.hardFrameLimit().toBytes();
		long high = settings.outboundHighWaterMark().toBytes();
		FrameHandler frames = new FrameHandler(connections, dispatcher, settings, json);
		claims = new ClaimBatcher(verifier, coupons, settings.claimWorkers(), settings.claimBatch(), settings.claimQueue(),
				settings.claimGather(), meters);
		claims.start();
		ClaimRoute claimRoute = new ClaimRoute(claims, json);
		WebSocketServerProtocolConfig protocol = WebSocketServerProtocolConfig.newBuilder()
			.websocketPath(settings.path())
			.checkStartsWith(true)
			.handleCloseFrames(true)
			.dropPongFrames(true)
			.handshakeTimeoutMillis(10_000)
			.decoderConfig(WebSocketDecoderConfig.newBuilder()
				.maxFramePayloadLength(hardLimit)
				.allowExtensions(false)
				// we check UTF-8 ourselves, to answer with an error frame instead of closing
				.withUTF8Validator(false)
				.build())
			.build();
		ServerBootstrap bootstrap = new ServerBootstrap().group(boss, io)
			.channel(channelType)
			.option(ChannelOption.SO_BACKLOG, 4096)
			.option(ChannelOption.SO_REUSEADDR, true)
			.childOption(ChannelOption.TCP_NODELAY, true)
			.childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark((int) (high / 2), (int) high))
			.childHandler(new ChannelInitializer<SocketChannel>() {
				@Override
				protected void initChannel(SocketChannel ch) {
					channels.add(ch);
					ChannelPipeline p = ch.pipeline();
					p.addLast("http", new HttpServerCodec(4096, 8192, 8192));
					p.addLast("aggregate", new BoundedHttpAggregator(8192, json));
					// pipelined HTTP requests wait here while one is answered (reads are paused meanwhile)
					p.addLast("flow", new FlowControlHandler());
					// before the protocol handler, which answers WebSocket pings itself: they must count as activity
					p.addLast("idle", new IdleStateHandler(settings.idleTimeout().toMillis(), 0, 0, TimeUnit.MILLISECONDS));
					p.addLast("auth", new HandshakeHandler(verifier, settings, workers, claimRoute));
					p.addLast("websocket", new WebSocketServerProtocolHandler(protocol));
					p.addLast("fragments", new WebSocketFrameAggregator(hardLimit));
					p.addLast("frames", frames);
				}
			});
		try {
			server = bootstrap.bind(new InetSocketAddress(settings.address(), settings.port())).sync().channel();
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while starting the gateway", e);
		}
		port = ((InetSocketAddress) server.localAddress()).getPort();
		log.info("WebSocket gateway listening on ws://{}:{}{} ({})", settings.address(), port, settings.path(),
				epoll ? "epoll" : "nio");
	}

	@Override
	public void stop() {
		if (server == null) {
			return;
		}
		server.close().syncUninterruptibly();
		claims.stop();
		// tell every client to come back (to another node, or after the restart) and resync
		channels.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.SERVICE_RESTART)).awaitUninterruptibly(2,
				TimeUnit.SECONDS);
		channels.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
		io.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
		boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
		workers.shutdown();
		server = null;
		log.info("WebSocket gateway stopped");
	}

	@Override
	public boolean isRunning() {
		return server != null;
	}

	/** Stops before the web server and the database go (higher phases stop first). */
	@Override
	public int getPhase() {
		return Integer.MAX_VALUE - 1000;
	}

	@Override
	public int port() {
		return port;
	}

	@Override
	public String path() {
		return settings.path();
	}

	@Override
	public int connections() {
		return connections.count();
	}
}
