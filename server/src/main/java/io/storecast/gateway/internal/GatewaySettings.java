package io.storecast.gateway.internal;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * The WebSocket gateway.
 *
 * @param enabled start the gateway
 * @param address address it listens on
 * @param port its port; 0 picks a free one
 * @param path the WebSocket path
 * @param maxFrameSize the largest text frame the protocol accepts (larger ones get an error frame)
 * @param hardFrameLimit frames above this are abuse: the connection is closed (1009)
 * @param idleTimeout a connection that sends nothing (not even a ping) for this long is closed
 * @param framesPerSecond sustained frames per second a connection may send
 * @param frameBurst frames a connection may send at once
 * @param abuseThreshold rate-limited frames within a minute after which the connection is closed
 * @param outboundHighWaterMark bytes queued for a slow client before it is cut off (it resyncs)
 * @param maxPendingRequests requests of one connection waiting to be processed before new ones are refused
 * @param ioThreads event-loop threads; 0 for one per core
 * @param closeGrace how long a connection being closed (slow consumer, session ended, abuse) may take to
 *        read its close frame before it is cut
 * @param claimWorkers threads issuing the claims of {@code POST /api/v1/coupons/templates/{id}/claims} on the
 *        gateway's port, each a batch at a time
 * @param claimBatch the most claims one batch takes (one session query and one transaction per template)
 * @param claimQueue claims waiting for a worker before new ones are answered 503 {@code busy}
 * @param claimGather how long a worker goes on gathering claims into its batch when another worker is
 *        busy with one (never when the others are idle: a lone claim is issued at once); 0 to take only
 *        what waits
 */
@ConfigurationProperties("storecast.gateway")
record GatewaySettings(@DefaultValue("true") boolean enabled, @DefaultValue("127.0.0.1") String address,
		@DefaultValue("8081") int port, @DefaultValue("/ws") String path, @DefaultValue("64KB") DataSize maxFrameSize,
		@DefaultValue("1MB") DataSize hardFrameLimit, @DefaultValue("60s") Duration idleTimeout,
		@DefaultValue("20") int framesPerSecond, @DefaultValue("40") int frameBurst,
		@DefaultValue("200") int abuseThreshold, @DefaultValue("1MB") DataSize outboundHighWaterMark,
		@DefaultValue("64") int maxPendingRequests, @DefaultValue("0") int ioThreads,
		@DefaultValue("5s") Duration closeGrace, @DefaultValue("2") int claimWorkers,
		@DefaultValue("256") int claimBatch, @DefaultValue("8192") int claimQueue,
		@DefaultValue("3ms") Duration claimGather) {
}
