package io.storecast.gateway.internal;

import java.nio.charset.StandardCharsets;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;

/**
 * Aggregates HTTP requests up to a limit and answers a larger one with a 413 problem (not Netty's
 * bare 413), then closes: what is left of the body is not read.
 */
final class BoundedHttpAggregator extends HttpObjectAggregator {

	private final int maxBytes;

	BoundedHttpAggregator(int maxBytes) {
		super(maxBytes);
		this.maxBytes = maxBytes;
	}

	@Override
	protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
		ReferenceCountUtil.release(oversized);
		String body = "{\"type\":\"urn:storecast:problem:body-too-large\",\"title\":\"Content Too Large\",\"status\":413,"
				+ "\"detail\":\"The request body is larger than the limit of " + maxBytes + " bytes\","
				+ "\"code\":\"body-too-large\"}";
		FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
				HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
		response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/problem+json");
		response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
		response.headers().set(HttpHeaderNames.CONNECTION, "close");
		ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
	}
}
