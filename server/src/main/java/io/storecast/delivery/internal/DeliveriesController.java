package io.storecast.delivery.internal;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import io.storecast.audience.Channel;
import io.storecast.audience.Purpose;
import io.storecast.delivery.DeliveryId;
import io.storecast.delivery.DeliveryRequest;
import io.storecast.delivery.DeliveryView;
import io.storecast.identity.AccessPolicy;
import io.storecast.identity.Actor;
import io.storecast.identity.CustomerId;
import io.storecast.identity.OrgDirectory;
import io.storecast.identity.OrgNodeId;
import io.storecast.identity.Permission;
import io.storecast.platform.ApiException;
import io.storecast.platform.CursorPage;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

@Tag(name = "Delivery", description = "Messages to customers through in-app, SMS and webhook channels (docs/delivery.md)")
@RestController
@RequestMapping("/api/v1/deliveries")
class DeliveriesController {

	static final int MAX_BATCH = 1000;

	record StepBody(@Nullable Channel channel, @Nullable Long fallbackAfterSeconds) {
	}

	record ContentBody(@Nullable String text, @Nullable String smsText, @Nullable Map<String, Object> card,
			@Nullable Map<String, Object> data) {
	}

	/** {@code bulk}: one of many alike (a newsletter), sent after the channel's other due messages ({@link DeliveryRequest#bulk()}). */
	record RequestItem(@Nullable String source, @Nullable String key, @Nullable UUID customerId, @Nullable UUID storeId,
			@Nullable Purpose purpose, @Nullable List<StepBody> route, @Nullable ContentBody content,
			@Nullable Instant notBefore, @Nullable Boolean bulk) {
	}

	record BatchBody(@Nullable List<RequestItem> requests) {
	}

	record Ids(List<DeliveryId> ids) {
	}

	record EndpointBody(@Nullable String url, @Nullable Integer timeoutMillis, @Nullable Boolean rotateSecret) {
	}

	/** The endpoint; its secret shown in full only when it was just made. */
	record EndpointView(String url, int timeoutMillis, String secret, Instant updatedAt) {
	}

	private final DeliveryService delivery;
	private final Outbox outbox;
	private final WebhookEndpoints endpoints;
	private final AccessPolicy access;
	private final OrgDirectory org;
	private final Clock clock;

	DeliveriesController(DeliveryService delivery, Outbox outbox, WebhookEndpoints endpoints, AccessPolicy access,
			OrgDirectory org, Clock clock) {
		this.delivery = delivery;
		this.outbox = outbox;
		this.endpoints = endpoints;
		this.access = access;
		this.org = org;
		this.clock = clock;
	}

	private void requireHeadOffice(Actor actor, Permission permission) {
		access.requireAt(actor, permission, org.headOffice().id());
	}

	@Operation(summary = "Queue messages for customers (delivery:send), at most 1,000 per call; 202 with their ids in order",
			description = "Idempotent per source and key: a request already queued returns its first id and queues nothing.")
	@PostMapping
	ResponseEntity<Ids> enqueue(@AuthenticationPrincipal Actor actor, @RequestBody BatchBody body) {
		requireHeadOffice(actor, Permission.DELIVERY_SEND);
		if (body.requests() == null || body.requests().isEmpty()) {
			throw ApiException.badRequest("validation-failed", "requests", "requests is a list of 1 to " + MAX_BATCH);
		}
		if (body.requests().size() > MAX_BATCH) {
			throw ApiException.badRequest("too-many", "requests", "At most " + MAX_BATCH + " requests per call");
		}
		List<DeliveryRequest> requests = new java.util.ArrayList<>(body.requests().size());
		for (int i = 0; i < body.requests().size(); i++) {
			requests.add(request(body.requests().get(i), "requests[" + i + "]."));
		}
		return ResponseEntity.status(HttpStatus.ACCEPTED).body(new Ids(delivery.enqueue(requests, "requests")));
	}

	@SuppressWarnings("NullAway")
	private static DeliveryRequest request(@Nullable RequestItem r, String at) {
		if (r == null) {
			throw ApiException.badRequest("validation-failed", at.substring(0, at.length() - 1), "A request is an object");
		}
		List<DeliveryRequest.Step> route = r.route() == null ? null : r.route().stream().map(s -> s == null ? null
				: new DeliveryRequest.Step(s.channel(),
						s.fallbackAfterSeconds() == null ? null : Duration.ofSeconds(s.fallbackAfterSeconds())))
			.toList();
		ContentBody c = r.content();
		DeliveryRequest.Content content = c == null ? null
				: new DeliveryRequest.Content(c.text(), c.smsText(), c.card(), c.data() == null ? Map.of() : c.data());
		return new DeliveryRequest(r.source(), r.key(), r.customerId() == null ? null : new CustomerId(r.customerId()),
				r.storeId() == null ? null : new OrgNodeId(r.storeId()), r.purpose(), route, content, r.notBefore(),
				Boolean.TRUE.equals(r.bulk()));
	}

	@Operation(summary = "A delivery and all its attempts (delivery:read)", description = """
			A campaign's in-app message still waiting in a batch (docs/delivery.md#batches) is shown QUEUED with no \
			attempts until it is posted and written down.""")
	@GetMapping("/{id}")
	DeliveryView get(@AuthenticationPrincipal Actor actor, @PathVariable UUID id) {
		requireHeadOffice(actor, Permission.DELIVERY_READ);
		return delivery.find(new DeliveryId(id)).orElseThrow(() -> ApiException.notFound("not-found", "No delivery " + id));
	}

	@Operation(summary = "Deliveries per status, and SMS segments sent, of one source or all (delivery:read)")
	@GetMapping("/stats")
	Outbox.Stats stats(@AuthenticationPrincipal Actor actor, @RequestParam(required = false) String source) {
		requireHeadOffice(actor, Permission.DELIVERY_READ);
		return outbox.stats(source);
	}

	@Operation(summary = "Dead letters: deliveries that finally failed, newest first, with the last error (delivery:read)")
	@GetMapping("/dead-letters")
	CursorPage<Outbox.DeadLetter> deadLetters(@AuthenticationPrincipal Actor actor,
			@RequestParam(required = false) String source, @RequestParam(required = false) String after,
			@RequestParam(required = false) Integer limit) {
		requireHeadOffice(actor, Permission.DELIVERY_READ);
		int n = CursorPage.limit(limit);
		Instant before = null;
		if (after != null) {
			try {
				before = Instant.parse(after);
			}
			catch (java.time.format.DateTimeParseException e) {
				throw ApiException.badRequest("invalid-cursor", "after", "after is the nextCursor of the previous page");
			}
		}
		return CursorPage.of(outbox.deadLetters(source, before, n + 1), n, d -> d.failedAt().toString());
	}

	@Operation(summary = "The webhook endpoint (delivery:admin); the secret is masked")
	@GetMapping("/webhook-endpoint")
	EndpointView endpoint(@AuthenticationPrincipal Actor actor) {
		requireHeadOffice(actor, Permission.DELIVERY_ADMIN);
		WebhookEndpoints.Endpoint e = endpoints.current()
			.orElseThrow(() -> ApiException.notFound("not-found", "No webhook endpoint is set"));
		return new EndpointView(e.url(), e.timeoutMillis(), e.secret().substring(0, 10) + "…", e.updatedAt());
	}

	@Operation(summary = "Set the webhook endpoint (delivery:admin): http(s) URL, timeout 1-60 s (default 10 s)",
			description = "The signing secret is made the first time (or with rotateSecret) and shown in full only in this answer.")
	@PutMapping("/webhook-endpoint")
	EndpointView setEndpoint(@AuthenticationPrincipal Actor actor, @RequestBody EndpointBody body) {
		requireHeadOffice(actor, Permission.DELIVERY_ADMIN);
		if (body.url() == null || body.url().length() > 2000) {
			throw ApiException.badRequest("validation-failed", "url", "url is an http or https URL of at most 2,000 characters");
		}
		URI uri;
		try {
			uri = new URI(body.url());
		}
		catch (java.net.URISyntaxException e) {
			throw ApiException.badRequest("validation-failed", "url", "url is not a URL: " + e.getMessage());
		}
		if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))
				|| uri.getHost() == null) {
			throw ApiException.badRequest("validation-failed", "url", "url is an absolute http or https URL");
		}
		int timeout = body.timeoutMillis() == null ? 10_000 : body.timeoutMillis();
		if (timeout < 1000 || timeout > 60_000) {
			throw ApiException.badRequest("validation-failed", "timeoutMillis", "timeoutMillis is between 1000 and 60000");
		}
		boolean fresh = endpoints.current().isEmpty() || Boolean.TRUE.equals(body.rotateSecret());
		WebhookEndpoints.Endpoint e = endpoints.set(body.url(), timeout, Boolean.TRUE.equals(body.rotateSecret()),
				clock.instant());
		return new EndpointView(e.url(), e.timeoutMillis(), fresh ? e.secret() : e.secret().substring(0, 10) + "…",
				e.updatedAt());
	}

	@Operation(summary = "Remove the webhook endpoint (delivery:admin); queued webhook messages then fail")
	@DeleteMapping("/webhook-endpoint")
	ResponseEntity<Void> removeEndpoint(@AuthenticationPrincipal Actor actor) {
		requireHeadOffice(actor, Permission.DELIVERY_ADMIN);
		if (!endpoints.remove()) {
			throw ApiException.notFound("not-found", "No webhook endpoint is set");
		}
		return ResponseEntity.noContent().build();
	}
}
