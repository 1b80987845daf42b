package io.storecast.bench;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
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

	/** Sends requests 0…n-1 of the plan over {@code connections} connections; false if it timed out. */
	boolean run(int n, IntFunction<Request> plan, int connections, Answers answers, Duration timeout)
			throws InterruptedException {
		AtomicInteger next = new AtomicInteger();
		CountDownLatch done = new CountDownLatch(n);
		String host = base.getHost() + ":" + base.getPort();
		Bootstrap bootstrap = new Bootstrap().group(group)
			.channel(NioSocketChannel.class)
			.option(ChannelOption.TCP_NODELAY, true)
			.handler(new ChannelInitializer<SocketChannel>() {
				@Override
				protected void initChannel(SocketChannel ch) {
					ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(1 << 20),
							new Loop(plan, next, n, done, answers, host));
				}
			});
		for (int i = 0; i < Math.min(connections, n); i++) {
			bootstrap.connect(base.getHost(), base.getPort()).sync();
		}
		return done.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
	}

	@Override
	public void close() {
		group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
	}

	private static final class Loop extends SimpleChannelInboundHandler<FullHttpResponse> {

		private final IntFunction<Request> plan;
		private final AtomicInteger next;
		private final int n;
		private final CountDownLatch done;
		private final Answers answers;
		private final String host;
		private int index = -1;
		private long sentAt;

		Loop(IntFunction<Request> plan, AtomicInteger next, int n, CountDownLatch done, Answers answers, String host) {
			this.plan = plan;
			this.next = next;
			this.n = n;
			this.done = done;
			this.answers = answers;
			this.host = host;
		}

		@Override
		public void channelActive(ChannelHandlerContext ctx) {
			sendNext(ctx.channel());
		}

		@Override
		protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
			long nanos = System.nanoTime() - sentAt;
			int answered = index;
			index = -1;
			answers.answered(answered, response.status().code(), response.content().toString(StandardCharsets.UTF_8), nanos);
			done.countDown();
			sendNext(ctx.channel());
		}

		@Override
		public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
			fail(cause.toString());
			ctx.close();
		}

		@Override
		public void channelInactive(ChannelHandlerContext ctx) {
			fail("connection closed");
		}

		/** The request in flight failed: it counts as answered (with status -1), and is not retried. */
		private void fail(String why) {
			if (index >= 0) {
				answers.answered(index, -1, why, System.nanoTime() - sentAt);
				done.countDown();
				index = -1;
			}
		}

		private void sendNext(Channel channel) {
			int i = next.getAndIncrement();
			if (i >= n) {
				channel.close();
				return;
			}
			index = i;
			Request r = plan.apply(i);
			ByteBuf body = Unpooled.wrappedBuffer(r.body());
			FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, r.path(), body);
			request.headers()
				.set(HttpHeaderNames.HOST, host)
				.set(HttpHeaderNames.AUTHORIZATION, "Bearer " + r.token())
				.set("Idempotency-Key", r.idempotencyKey())
				.set(HttpHeaderNames.CONTENT_TYPE, "application/json")
				.setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
			sentAt = System.nanoTime();
			channel.writeAndFlush(request);
		}
	}
}
