package io.storecast.gateway.internal;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Executor;

import org.jspecify.annotations.Nullable;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.flow.FlowControlHandler;
import io.storecast.identity.Actor;
import io.storecast.identity.TokenVerifier;
import io.storecast.messaging.Participant;
import io.storecast.platform.ApiException;

/**
 * Authenticates the upgrade request before the WebSocket handshake: the access token comes as
 * {@code ?token=} (browsers cannot set headers on a WebSocket) or {@code Authorization: Bearer}.
 * A refused handshake gets a plain HTTP problem answer and the connection closes. Requests under
 * {@code /api/v1/} go to the {@link ClaimRoute} instead, and the connection stays plain HTTP.
 */
final class HandshakeHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

	private final TokenVerifier verifier;
	private final GatewaySettings settings;
	private final Executor workers;
	private final ClaimRoute claims;

	HandshakeHandler(TokenVerifier verifier, GatewaySettings settings, Executor workers, ClaimRoute claims) {
		super(false);
		this.verifier = verifier;
		this.settings = settings;
		this.workers = workers;
		this.claims = claims;
	}

	@Override
	protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
		QueryStringDecoder uri = new QueryStringDecoder(request.uri());
		if (ClaimRoute.handles(uri.path())) {
			claims.handle(ctx, request, uri.path());
			return;
		}
		if (!uri.path().equals(settings.path())) {
			refuse(ctx, request, HttpResponseStatus.NOT_FOUND, "not-found", "The WebSocket is at " + settings.path());
			return;
		}
		if (!HttpMethod.GET.equals(request.method())) {
			refuse(ctx, request, HttpResponseStatus.METHOD_NOT_ALLOWED, "method-not-allowed", "Use GET to open a WebSocket");
			return;
		}
		String token = token(request, uri);
		if (token == null) {
			refuse(ctx, request, HttpResponseStatus.UNAUTHORIZED, "unauthenticated",
					"Send the access token as ?token=<token> or Authorization: Bearer <token>");
			return;
		}
		// the verification reads the session from the database: off the event loop, and no reads meanwhile
		ctx.channel().config().setAutoRead(false);
		workers.execute(() -> {
			Actor actor;
			try {
				actor = verifier.verify(token);
			}
			catch (ApiException e) {
				ctx.executor().execute(() -> refuse(ctx, request, HttpResponseStatus.valueOf(e.status().value()), e.code(),
						e.getMessage()));
				return;
			}
			catch (RuntimeException e) {
				ctx.executor().execute(() -> refuse(ctx, request, HttpResponseStatus.SERVICE_UNAVAILABLE, "unavailable",
						"Could not check the token; try again"));
				return;
			}
			ctx.executor().execute(() -> accept(ctx, request, actor));
		});
	}

	private void accept(ChannelHandlerContext ctx, FullHttpRequest request, Actor actor) {
		Participant participant = Participant.of(actor);
		if (participant == null) {
			refuse(ctx, request, HttpResponseStatus.FORBIDDEN, "forbidden",
					"Only staff and customers hold real-time connections");
			return;
		}
		java.util.UUID session = switch (actor) {
			case Actor.Staff s -> s.sessionId();
			case Actor.Customer c -> c.sessionId();
			default -> null;
		};
		if (actor instanceof Actor.Staff staff && staff.passwordChangeRequired()) {
			refuse(ctx, request, HttpResponseStatus.FORBIDDEN, "password-change-required", "Change your password first");
			return;
		}
		ctx.channel().attr(Connection.KEY).set(new Connection(ctx.channel(), actor, participant, session, settings, workers));
		ctx.pipeline().remove(this);
		ctx.pipeline().remove(FlowControlHandler.class);
		ctx.fireChannelRead(request);
		ctx.channel().config().setAutoRead(true);
	}

	private static @Nullable String token(FullHttpRequest request, QueryStringDecoder uri) {
		List<String> query = uri.parameters().get("token");
		if (query != null && !query.isEmpty() && !query.getFirst().isBlank()) {
			return query.getFirst().trim();
		}
		String header = request.headers().get(HttpHeaderNames.AUTHORIZATION);
		if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
			return header.substring(7).trim();
		}
		return null;
	}

	private static void refuse(ChannelHandlerContext ctx, FullHttpRequest request, HttpResponseStatus status, String code,
			String detail) {
		String body = "{\"type\":\"urn:storecast:problem:" + code + "\",\"status\":" + status.code() + ",\"code\":\""
				+ code + "\",\"detail\":\"" + detail.replace("\\", "\\\\").replace("\"", "\\\"") + "\"}";
		FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
				Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
		response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/problem+json");
		response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
		request.release();
		ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
	}
}
