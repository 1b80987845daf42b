package io.storecast.gateway.internal;

import org.springframework.http.HttpStatus;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.ReferenceCountUtil;
import io.storecast.platform.ApiException;
import io.storecast.platform.ProblemResponses;
import tools.jackson.databind.json.JsonMapper;

/**
 * Aggregates HTTP requests up to a limit and answers a larger one with a 413 problem (not Netty's
 * bare 413), then closes: what is left of the body is not read.
 */
final class BoundedHttpAggregator extends HttpObjectAggregator {

	private final int maxBytes;
	private final JsonMapper json;

	BoundedHttpAggregator(int maxBytes, JsonMapper json) {
		super(maxBytes);
		this.maxBytes = maxBytes;
		this.json = json;
	}

	@Override
	protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
		String path = oversized instanceof HttpRequest request ? new QueryStringDecoder(request.uri()).path() : "/";
		ReferenceCountUtil.release(oversized);
		ApiException tooLarge = new ApiException(HttpStatus.CONTENT_TOO_LARGE, "body-too-large",
				"The request body is larger than the limit of " + maxBytes + " bytes");
		FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
				HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
				Unpooled.wrappedBuffer(json.writeValueAsBytes(ProblemResponses.problem(tooLarge, path))));
		response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/problem+json");
		response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
		response.headers().set(HttpHeaderNames.CONNECTION, "close");
		ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
	}
}
