package io.storecast.gateway.internal;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.timeout.IdleStateEvent;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Admits each data frame of an open connection: rate limit, size, UTF-8 and JSON checks here on the
 * event loop, then the request joins the connection's queue for the dispatcher. A bad frame gets
 * an error frame and the connection lives on; only abuse closes it.
 */
@io.netty.channel.ChannelHandler.Sharable
final class FrameHandler extends SimpleChannelInboundHandler<WebSocketFrame> {

	private static final Logger log = LoggerFactory.getLogger(FrameHandler.class);

	private final Connections connections;
	private final Dispatcher dispatcher;
	private final GatewaySettings settings;
	private final JsonMapper json;

	FrameHandler(Connections connections, Dispatcher dispatcher, GatewaySettings settings, JsonMapper json) {
		this.connections = connections;
		this.dispatcher = dispatcher;
		this.settings = settings;
		this.json = json;
	}

	@Override
	public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
		if (event instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
			Connection c = ctx.channel().attr(Connection.KEY).get();
			connections.add(c);
			ObjectNode hello = json.createObjectNode()
				.put("type", "hello")
				.put("participant", c.participant().toString())
				.put("serverTime", java.time.Instant.now().toString())
				.put("pingIntervalSeconds", Math.max(1, settings.idleTimeout().toSeconds() / 2))
				.put("maxFrameBytes", settings.maxFrameSize().toBytes())
				.put("framesPerSecond", settings.framesPerSecond())
				.put("frameBurst", settings.frameBurst());
			c.send(json.writeValueAsString(hello));
		}
		else if (event instanceof IdleStateEvent) {
			Connection c = ctx.channel().attr(Connection.KEY).get();
			if (c != null) {
				c.close(WebSocketCloseStatus.ENDPOINT_UNAVAILABLE.code(), "idle timeout: send a ping at least every "
						+ Math.max(1, settings.idleTimeout().toSeconds() / 2) + " s");
			}
			else {
				ctx.close();
			}
		}
		else {
			super.userEventTriggered(ctx, event);
		}
	}

	@Override
	protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
		Connection c = ctx.channel().attr(Connection.KEY).get();
		if (!c.admit()) {
			if (c.refusedTooOften(settings.abuseThreshold())) {
				c.close(Connection.CLOSE_ABUSE, "rate limit abuse: too many frames refused");
			}
			else {
				c.send(dispatcher.error(requestId(frame), "rate-limited",
						"Too many frames: at most " + settings.framesPerSecond() + " per second", null));
			}
			return;
		}
		if (!(frame instanceof TextWebSocketFrame)) {
			c.send(dispatcher.error(null, "unsupported-frame", "Only text frames carrying JSON are understood", null));
			return;
		}
		if (frame.content().readableBytes() > settings.maxFrameSize().toBytes()) {
			c.send(dispatcher.error(null, "frame-too-large",
					"A frame may carry at most " + settings.maxFrameSize().toBytes() + " bytes", null));
			return;
		}
		String text;
		try {
			ByteBuffer bytes = frame.content().nioBuffer();
			text = StandardCharsets.UTF_8.newDecoder()
				.onMalformedInput(CodingErrorAction.REPORT)
				.onUnmappableCharacter(CodingErrorAction.REPORT)
				.decode(bytes)
				.toString();
		}
		catch (CharacterCodingException e) {
			c.send(dispatcher.error(null, "invalid-utf8", "The frame is not valid UTF-8", null));
			return;
		}
		JsonNode node;
		try {
			node = json.readTree(text);
		}
		catch (JacksonException e) {
			c.send(dispatcher.error(null, "malformed-frame", "The frame is not valid JSON: " + e.getOriginalMessage(), null));
			return;
		}
		if (node == null || !node.isObject()) {
			c.send(dispatcher.error(null, "malformed-frame", "A frame is a JSON object with a type", null));
			return;
		}
		ObjectNode request = (ObjectNode) node;
		if (!c.submit(() -> dispatcher.handle(c, request))) {
			String id = request.path("id").isString() ? request.path("id").asString() : null;
			c.send(dispatcher.error(id, "overloaded", "Too many requests waiting on this connection; slow down", null));
		}
	}

	/** The id of a refused request, so the client can match the refusal and retry it. */
	private String requestId(WebSocketFrame frame) {
		if (!(frame instanceof TextWebSocketFrame) || frame.content().readableBytes() > settings.maxFrameSize().toBytes()) {
			return null;
		}
		try {
			JsonNode id = json.readTree(frame.content().toString(StandardCharsets.UTF_8)).path("id");
			return id.isString() && id.asString().length() <= Dispatcher.MAX_FRAME_ID ? id.asString() : null;
		}
		catch (JacksonException e) {
			return null;
		}
	}

	@Override
	public void channelInactive(ChannelHandlerContext ctx) throws Exception {
		Connection c = ctx.channel().attr(Connection.KEY).get();
		if (c != null) {
			connections.remove(c);
		}
		super.channelInactive(ctx);
	}

	@Override
	public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
		log.debug("Closing a WebSocket after an error: {}", cause.toString());
		ctx.close();
	}
}
