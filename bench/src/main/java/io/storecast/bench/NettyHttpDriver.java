package io.storecast.bench;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * A closed-loop HTTP/1.1 driver on Netty: {@code connections} kept-alive connections, each sending
 * the next planned request as soon as its previous one is answered, until the plan is done. It
 * spends a fraction of the JDK HttpClient's CPU per request (no thread hand-offs, no per-request
 * futures), which matters when the driver shares the machine's cores with the server it measures.
 */
final class NettyHttpDriver implements AutoCloseable {

	/** One planned request: its path, headers and body. */
	record Request(String path, String token, String idempotencyKey, byte[] body) {
	}

	/** Called on an event-loop thread with each answer: its index in the plan, status, body, latency. */
	interface Answers {
		void answered(int index, int status, String body, long nanos);
	}

	private final EventLoopGroup group;
	private final URI base;

	NettyHttpDriver(URI base, int threads) {
		this.base = base;
		this.group = new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("http-driver", true),
				NioIoHandler.newFactory());
	}

	/** Connections with an HTTP/1.1 client pipeline ending in a new {@code handler} each. */
	private Bootstrap bootstrap(java.util.function.Supplier<OneAtATime> handler) {
		return new Bootstrap().group(group)
			.channel(NioSocketChannel.class)
			.option(ChannelOption.TCP_NODELAY, true)
			.handler(new ChannelInitializer<SocketChannel>() {
				@Override
				protected void initChannel(SocketChannel ch) {
					ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(1 << 20), handler.get());
				}
			});
	}

	/** Sends requests 0…n-1 of the plan over {@code connections} connections; false if it timed out. */
	boolean run(int n, IntFunction<Request> plan, int connections, Answers answers, Duration timeout)
			throws InterruptedException {
		AtomicInteger next = new AtomicInteger();
		CountDownLatch done = new CountDownLatch(n);
		String host = base.getHost() + ":" + base.getPort();
		Bootstrap bootstrap = bootstrap(() -> new Loop(plan, next, n, done, answers, host));
		for (int i = 0; i < Math.min(connections, n); i++) {
			bootstrap.connect(base.getHost(), base.getPort()).sync();
		}
		return done.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
	}

	/** The pacer's shortest sleep. */
	private static final long PACER_TICK_NANOS = 1_000_000;

	/**
	 * Open loop at {@code rate} requests/s, prepared: {@code preopened} connections are opened first
	 * (as the clients of a flash sale already hold theirs when it starts, and as wrk2 does), and
	 * {@link PacedRun#go} then sends request {@code i} at {@code i / rate} seconds from its start, on an
	 * idle kept-alive connection, or on a new one (up to {@code maxConnections}), or, when all are
	 * busy, as soon as one is free. Its latency is counted from when it was due, so a server that
	 * falls behind is charged for the wait (no coordinated omission).
	 */
	PacedRun paced(int n, IntFunction<Request> plan, double rate, int maxConnections, int preopened, Answers answers)
			throws InterruptedException {
		PacedRun run = new PacedRun(n, plan, rate, maxConnections, answers);
		run.open(Math.min(preopened, maxConnections));
		return run;
	}

	/** One open-loop run of {@link #paced}: its connections are open, its requests not yet sent. */
	final class PacedRun {

		private final int n;
		private final double rate;
		private final int maxConnections;
		private final Answers answers;
		private final CountDownLatch done;
		private final java.util.Queue<Channel> idle = new java.util.concurrent.ConcurrentLinkedQueue<>();
		private final java.util.Queue<long[]> backlog = new java.util.concurrent.ConcurrentLinkedQueue<>();
		private final AtomicInteger open = new AtomicInteger();
		private final Bootstrap bootstrap;

		private PacedRun(int n, IntFunction<Request> plan, double rate, int maxConnections, Answers answers) {
			this.n = n;
			this.rate = rate;
			this.maxConnections = maxConnections;
			this.answers = answers;
			this.done = new CountDownLatch(n);
			String host = base.getHost() + ":" + base.getPort();
			this.bootstrap = bootstrap(() -> new Paced(plan, done, answers, host, idle, backlog));
		}

		private void open(int connections) throws InterruptedException {
			List<io.netty.channel.ChannelFuture> opening = new java.util.ArrayList<>();
			for (int i = 0; i < connections; i++) {
				opening.add(bootstrap.connect(base.getHost(), base.getPort()));
			}
			for (io.netty.channel.ChannelFuture f : opening) {
				idle.add(f.sync().channel());
				open.incrementAndGet();
			}
		}

		/** Sends the plan at the rate; false if it did not finish within {@code timeout}. */
		boolean go(Duration timeout) throws InterruptedException {
			int preopened = open.get();
			Bench.progress("open loop: %d requests at %.0f/s, starting", n, rate);
			long start = System.nanoTime();
			for (int i = 0; i < n; i++) {
				long due = start + (long) (i * 1e9 / rate);
				long wait = due - System.nanoTime();
				if (wait > 0) {
					// sleeps a tick at least, then sends everything due by then together: a wake-up of this
					// thread and of the event loop per tick, not per request; each request is still timed
					// from when it was due, so the driver's lateness counts against the server, never for it
					java.util.concurrent.locks.LockSupport.parkNanos(Math.max(wait, PACER_TICK_NANOS));
				}
				long[] request = { i, due };
				Channel channel = idle.poll();
				if (channel != null) {
					channel.eventLoop().execute(() -> Paced.of(channel).send(channel, request));
				}
				else if (open.get() < maxConnections) {
					open.incrementAndGet();
					bootstrap.connect(base.getHost(), base.getPort()).addListener(f -> {
						if (f.isSuccess()) {
							Channel c = ((io.netty.channel.ChannelFuture) f).channel();
							Paced.of(c).send(c, request);
						}
						else {
							answers.answered((int) request[0], -1, String.valueOf(f.cause()),
									System.nanoTime() - request[1]);
							done.countDown();
						}
					});
				}
				else {
					backlog.add(request);
					// a connection freed meanwhile takes it (one that went idle just before the add is re-checked)
					Channel freed = idle.poll();
					if (freed != null) {
						freed.eventLoop().execute(() -> Paced.of(freed).next(freed));
					}
				}
			}
			boolean finished = done.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
			Bench.progress("open loop: %d connections opened before the start, %d during the run", preopened,
					open.get() - preopened);
			return finished;
		}
	}

	/**
	 * One connection's handler: one request in flight at a time; its answer (or failure, status -1)
	 * is reported once, timed from {@code since}, and then the connection decides what comes next.
	 */
	private abstract static class OneAtATime extends SimpleChannelInboundHandler<FullHttpResponse> {

		private final IntFunction<Request> plan;
		private final CountDownLatch done;
		private final Answers answers;
		private final String host;
		private int index = -1;
		private long since;

		OneAtATime(IntFunction<Request> plan, CountDownLatch done, Answers answers, String host) {
			this.plan = plan;
			this.done = done;
			this.answers = answers;
			this.host = host;
		}

		/** Sends request {@code i}, its latency counted from {@code since} (a nanoTime). */
		final void send(Channel channel, int i, long since) {
			this.index = i;
			this.since = since;
			channel.writeAndFlush(request(plan.apply(i), host));
		}

		/** The connection is free again. */
		abstract void next(Channel channel);

		@Override
		protected final void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
			report(response.status().code(), response.content().toString(StandardCharsets.UTF_8));
			next(ctx.channel());
		}

		@Override
		public final void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
			report(-1, cause.toString());
			ctx.close();
		}

		@Override
		public void channelInactive(ChannelHandlerContext ctx) {
			report(-1, "connection closed");
		}

		private void report(int status, String body) {
			if (index >= 0) {
				int answered = index;
				index = -1;
				answers.answered(answered, status, body, System.nanoTime() - since);
				done.countDown();
			}
		}
	}

	/** A connection of {@link #paced}: sends what it is given, then takes the backlog's next or goes idle. */
	private static final class Paced extends OneAtATime {

		private final java.util.Queue<Channel> idle;
		private final java.util.Queue<long[]> backlog;

		Paced(IntFunction<Request> plan, CountDownLatch done, Answers answers, String host,
				java.util.Queue<Channel> idle, java.util.Queue<long[]> backlog) {
			super(plan, done, answers, host);
			this.idle = idle;
			this.backlog = backlog;
		}

		static Paced of(Channel channel) {
			return channel.pipeline().get(Paced.class);
		}

		void send(Channel channel, long[] request) {
			send(channel, (int) request[0], request[1]);
		}

		/** The backlog's oldest request, or idle. */
		@Override
		void next(Channel channel) {
			long[] waiting = backlog.poll();
			if (waiting != null) {
				send(channel, waiting);
			}
			else {
				idle.add(channel);
				// a request the pacer queued just before this connection went idle
				if (!backlog.isEmpty() && idle.remove(channel)) {
					next(channel);
				}
			}
		}

		@Override
		public void channelInactive(ChannelHandlerContext ctx) {
			idle.remove(ctx.channel());
			super.channelInactive(ctx);
		}
	}

	static FullHttpRequest request(Request r, String host) {
		ByteBuf body = Unpooled.wrappedBuffer(r.body());
		FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, r.path(), body);
		request.headers()
			.set(HttpHeaderNames.HOST, host)
			.set(HttpHeaderNames.AUTHORIZATION, "Bearer " + r.token())
			.set("Idempotency-Key", r.idempotencyKey())
			.set(HttpHeaderNames.CONTENT_TYPE, "application/json")
			.setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
		return request;
	}

	@Override
	public void close() {
		group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
	}

	/** A connection of {@link #run}: sends the plan's next request whenever its last is answered. */
	private static final class Loop extends OneAtATime {

		private final AtomicInteger next;
		private final int n;

		Loop(IntFunction<Request> plan, AtomicInteger next, int n, CountDownLatch done, Answers answers, String host) {
			super(plan, done, answers, host);
			this.next = next;
			this.n = n;
		}

		@Override
		public void channelActive(ChannelHandlerContext ctx) {
			next(ctx.channel());
		}

		@Override
		void next(Channel channel) {
			int i = next.getAndIncrement();
			if (i >= n) {
				channel.close();
				return;
			}
			send(channel, i, System.nanoTime());
		}
	}
}
