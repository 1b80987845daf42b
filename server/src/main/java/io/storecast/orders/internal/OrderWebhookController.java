package io.storecast.orders.internal;

import org.jspecify.annotations.Nullable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

import io.storecast.platform.WebhookSignature;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.security.SecurityRequirements;
import io.swagger.v3.oas.annotations.tags.Tag;

/**
 * The merchant's systems push orders here. No token: the request is authenticated by its
 * signature alone (the path is public in the security configuration).
 */
@Tag(name = "Orders")
@RestController
class OrderWebhookController {

	private final OrderWebhook webhook;

	OrderWebhookController(OrderWebhook webhook) {
		this.webhook = webhook;
	}

	@Operation(summary = "Inbound order webhook, signed with HMAC-SHA256 (see docs/orders.md)",
			description = """
					Body: {"eventId", "type": "order.upsert" | "order.status", "occurredAt", "data"}. Headers: \
					X-Storecast-Timestamp (Unix seconds, within 5 minutes of the server's clock), \
					X-Storecast-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + raw body)>, \
					optionally X-Storecast-Event-Id. A replayed eventId answers 200 with duplicate=true and changes \
					nothing. 401 for a missing, stale or wrong signature; 503 webhook-not-configured when the server \
					has no secret.""")
	@SecurityRequirements
	@PostMapping("/api/v1/webhooks/inbound/orders")
	OrderWebhook.Answer receive(
			@RequestHeader(name = WebhookSignature.TIMESTAMP_HEADER, required = false) @Nullable String timestamp,
			@RequestHeader(name = WebhookSignature.SIGNATURE_HEADER, required = false) @Nullable String signature,
			@RequestHeader(name = WebhookSignature.EVENT_ID_HEADER, required = false) @Nullable String eventId,
			@RequestBody(required = false) byte @Nullable [] body) {
		// the raw bytes, exactly as signed: JSON is read only once the signature holds
		return webhook.receive(timestamp, signature, eventId, body);
	}
}
