package io.storecast.delivery.internal;

import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;


import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

import io.storecast.audience.Channel;
import io.storecast.delivery.internal.channel.AttemptResult;
import io.storecast.delivery.internal.channel.ChannelAdapter;
import io.storecast.delivery.internal.channel.Outgoing;
import io.storecast.platform.ApiException;
import io.storecast.platform.WebhookSignature;
import tools.jackson.databind.json.JsonMapper;

/**
 * WEBHOOK: POSTs the message as JSON to the merchant's endpoint (their mini-program or official
 * account push service), signed as the orders module's inbound webhook is: {@code X-Storecast-Timestamp: <unix
 * seconds>} and {@code X-Storecast-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>}, with {@code Idempotency-Key} the same on every try of
 * one delivery. 2xx is sent; 408, 425, 429 (with its Retry-After) and 5xx, timeouts and refused
 * connections are tried again; any other answer is final. See docs/delivery.md.
 */
@Component
class WebhookChannel implements ChannelAdapter {

	static final int MAX_BODY_BYTES = 64 * 1024;

	private final WebhookEndpoints endpoints;
	private final JsonMapper json;
	private final Clock clock;
	private final HttpClient http = HttpClient.newBuilder()
		.connectTimeout(Duration.ofSeconds(5))
		.followRedirects(HttpClient.Redirect.NEVER)
		.executor(Executors.newVirtualThreadPerTaskExecutor())
		.build();

	WebhookChannel(WebhookEndpoints endpoints, JsonMapper json, Clock clock) {
		this.endpoints = endpoints;
		this.json = json;
		this.clock = clock;
	}

	@Override
	public Channel channel() {
		return Channel.WEBHOOK;
	}

	@Override
	public void check(Outgoing message) {
		if (endpoints.current().isEmpty()) {
			throw ApiException.badRequest("webhook-not-configured", "route",
					"No webhook endpoint is set: PUT /api/v1/deliveries/webhook-endpoint first");
		}
		if (body(message).length > MAX_BODY_BYTES) {
			throw ApiException.badRequest("payload-too-large", "content",
					"A webhook message is at most " + MAX_BODY_BYTES / 1024 + " KB of JSON");
		}
	}

	@Override
	public int maxInFlight() {
		return 64;
	}

	byte[] body(Outgoing m) {
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("deliveryId", m.deliveryId());
		body.put("attempt", m.attemptNumber());
		body.put("customerId", m.customerId().toString());
		body.put("storeId", m.store().toString());
		body.put("storeName", m.storeName());
		body.put("purpose", m.purpose().name());
		body.put("text", m.text());
		if (m.card() != null) {
			body.put("card", m.card());
		}
		body.put("data", m.data());
		return json.writeValueAsBytes(body);
	}

	@Override
	public CompletionStage<AttemptResult> send(Outgoing message) {
		Optional<WebhookEndpoints.Endpoint> endpoint = endpoints.current();
		if (endpoint.isEmpty()) {
			return CompletableFuture.completedFuture(new AttemptResult.Permanent("webhook-not-configured",
					"The webhook endpoint was removed", false, null));
		}
		WebhookEndpoints.Endpoint e = endpoint.get();
		byte[] body = body(message);
		long now = clock.instant().getEpochSecond();
		HttpRequest request = HttpRequest.newBuilder(URI.create(e.url()))
			.timeout(Duration.ofMillis(e.timeoutMillis()))
			.header("Content-Type", "application/json")
			.header("User-Agent", "Storecast-Webhook/1")
			.header("Idempotency-Key", message.idempotencyKey())
			.header(WebhookSignature.TIMESTAMP_HEADER, Long.toString(now))
			.header(WebhookSignature.SIGNATURE_HEADER, WebhookSignature.sign(e.secret(), now, body))
			.POST(HttpRequest.BodyPublishers.ofByteArray(body))
			.build();
		return http.sendAsync(request, HttpResponse.BodyHandlers.discarding())
			.handle((response, failure) -> failure == null ? result(response) : failed(failure));
	}

	static AttemptResult result(HttpResponse<?> response) {
		int code = response.statusCode();
		if (code >= 200 && code < 300) {
			return new AttemptResult.Accepted(null, 1, false, code);
		}
		if (code == 408 || code == 425 || code == 429 || code >= 500) {
			return new AttemptResult.Transient("http-" + code, "The endpoint answered " + code,
					retryAfter(response.headers().firstValue("Retry-After").orElse(null)), code);
		}
		return new AttemptResult.Permanent("rejected", "The endpoint answered " + code, false, code);
	}

	static @Nullable Duration retryAfter(@Nullable String header) {
		if (header == null) {
			return null;
		}
		try {
			long seconds = Long.parseLong(header.trim());
			return seconds < 0 ? null : Duration.ofSeconds(Math.min(seconds, 3600));
		}
		catch (NumberFormatException dateOrGarbage) {
			return null;
		}
	}

	static AttemptResult failed(Throwable failure) {
		Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause()
				: failure;
		if (cause instanceof HttpTimeoutException) {
			return new AttemptResult.Transient("timeout", "The endpoint did not answer in time", null, null);
		}
		if (cause instanceof ConnectException) {
			return new AttemptResult.Transient("connect-failed", "Could not connect to the endpoint", null, null);
		}
		return new AttemptResult.Transient("io-error", String.valueOf(cause), null, null);
	}
}
