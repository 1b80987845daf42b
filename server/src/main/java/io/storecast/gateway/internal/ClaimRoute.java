package io.storecast.gateway.internal;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.storecast.coupons.CouponTemplateId;
import io.storecast.platform.ApiException;
import io.storecast.platform.ApiException.FieldProblem;
import io.storecast.platform.ProblemResponses;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The gateway's one plain-HTTP route: {@code POST /api/v1/coupons/templates/{id}/claims}, the
 * REST API's claim with the same headers, body, answers and problem details, served by Netty on
 * the gateway's port for claim storms (a live room's coupon moment, a 秒杀) — without the servlet
 * stack, and with the claims arriving together verified and issued in batches ({@link ClaimBatcher}).
 * Connections are kept alive; one request per connection is in flight at a time (reads pause until
 * it is answered), so answers keep the order of the requests.
 */
final class ClaimRoute {

	static final String PREFIX = "/api/v1/";
	private static final String TEMPLATES = "/api/v1/coupons/templates/";
	private static final String CLAIMS = "/claims";

	private final ClaimBatcher batcher;
	private final JsonMapper json;

	ClaimRoute(ClaimBatcher batcher, JsonMapper json) {
		this.batcher = batcher;
		this.json = json;
	}

	/** Paths under {@code /api/v1/} are answered here (the claim route, or a 404 naming the REST port). */
	static boolean handles(String path) {
		return path.startsWith(PREFIX);
	}

	void handle(ChannelHandlerContext ctx, FullHttpRequest request, String path) {
		boolean keepAlive = HttpUtil.isKeepAlive(request);
		try {
			if (!path.startsWith(TEMPLATES) || !path.endsWith(CLAIMS)
					|| path.length() <= TEMPLATES.length() + CLAIMS.length()) {
				respond(ctx, problem(new ApiException(HttpStatus.NOT_FOUND, "not-found", "The gateway's port serves "
						+ "POST /api/v1/coupons/templates/{id}/claims and the WebSocket; the REST API is on the HTTP port"),
						path), keepAlive);
				return;
			}
			if (!HttpMethod.POST.equals(request.method())) {
				FullHttpResponse response = problem(new ApiException(HttpStatus.METHOD_NOT_ALLOWED, "method-not-allowed",
						"Claim with POST"), path);
				response.headers().set(HttpHeaderNames.ALLOW, "POST");
				respond(ctx, response, keepAlive);
				return;
			}
			String token = bearer(request);
			if (token == null) {
				respond(ctx, problem(ApiException.unauthorized("unauthenticated",
						"Send the access token as Authorization: Bearer <token>"), path), keepAlive);
				return;
			}
			ApiException invalid = null;
			CouponTemplateId template = null;
			String source = null;
			String sourceRef = null;
			String id = path.substring(TEMPLATES.length(), path.length() - CLAIMS.length());
			try {
				template = new CouponTemplateId(UUID.fromString(id));
			}
			catch (IllegalArgumentException e) {
				invalid = ApiException.badRequest("invalid-value", "id", "id has an invalid value '" + id + "'");
			}
			if (invalid == null && request.content().isReadable()) {
				try {
					Body fields = body(request);
					source = fields.source();
					sourceRef = fields.sourceRef();
				}
				catch (ApiException e) {
					invalid = e;
				}
			}
			String key = request.headers().get("Idempotency-Key");
			// no more reads until this claim is answered: answers keep the requests' order
			ctx.channel().config().setAutoRead(false);
			ClaimBatcher.Pending pending = new ClaimBatcher.Pending(this, ctx, path, keepAlive, token, invalid, template,
					key, source, sourceRef);
			if (!batcher.offer(pending)) {
				ctx.channel().config().setAutoRead(true);
				FullHttpResponse busy = problem(new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "busy",
						"Too many claims are waiting; try again in a second"), path);
				busy.headers().set(HttpHeaderNames.RETRY_AFTER, "1");
				respond(ctx, busy, keepAlive);
			}
		}
		finally {
			request.release();
		}
	}

	/** The body's {@code source} and {@code sourceRef} (either may be absent); anything else is refused as REST does. */
	private record Body(@Nullable String source, @Nullable String sourceRef) {
	}

	private Body body(FullHttpRequest request) {
		JsonNode node;
		try {
			node = json.readTree(request.content().toString(StandardCharsets.UTF_8));
		}
		catch (JacksonException e) {
			throw new ApiException(HttpStatus.BAD_REQUEST, "malformed-body",
					"The body is not valid JSON: " + e.getOriginalMessage(), List.of(), null);
		}
		if (node == null || node.isNull() || node.isMissingNode()) {
			return new Body(null, null);
		}
		if (!node.isObject()) {
			throw new ApiException(HttpStatus.BAD_REQUEST, "malformed-body",
					"The body must be a JSON object: {\"source\":\"live\",\"sourceRef\":\"...\"}", List.of(), null);
		}
		String source = null;
		String sourceRef = null;
		for (Map.Entry<String, JsonNode> field : node.properties()) {
			String value = text(field.getKey(), field.getValue());
			switch (field.getKey()) {
				case "source" -> source = value;
				case "sourceRef" -> sourceRef = value;
				default -> throw new ApiException(HttpStatus.BAD_REQUEST, "unknown-field",
						"Unknown field '" + field.getKey() + "'",
						List.of(new FieldProblem(field.getKey(), "is not a field of this request")), null);
			}
		}
		return new Body(source, sourceRef);
	}

	private static @Nullable String text(String field, JsonNode value) {
		if (value.isNull()) {
			return null;
		}
		if (!value.isString()) {
			throw ApiException.badRequest("invalid-value", field, "has the wrong type, expected String");
		}
		// their length and characters are the coupons module's to check, as for every claim
		return value.asString();
	}

	private static @Nullable String bearer(FullHttpRequest request) {
		String header = request.headers().get(HttpHeaderNames.AUTHORIZATION);
		if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) && !header.substring(7).isBlank()) {
			return header.substring(7).trim();
		}
		return null;
	}

	FullHttpResponse problem(ApiException e, String path) {
		byte[] body = json.writeValueAsBytes(ProblemResponses.problem(e, path));
		FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
				HttpResponseStatus.valueOf(e.status().value()), Unpooled.wrappedBuffer(body));
		response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/problem+json");
		return response;
	}

	FullHttpResponse json(HttpResponseStatus status, Object value) {
		FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
				Unpooled.wrappedBuffer(json.writeValueAsBytes(value)));
		response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
		return response;
	}

	/** Writes the answer; the connection stays open (and reading) when the client keeps it alive. */
	static void respond(ChannelHandlerContext ctx, FullHttpResponse response, boolean keepAlive) {
		response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
		if (keepAlive) {
			response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
			ctx.writeAndFlush(response).addListener(f -> ctx.channel().config().setAutoRead(true));
		}
		else {
			response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
			ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
		}
	}
}
