package io.storecast.orders.internal;

import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import io.storecast.orders.OrderStatus;
import io.storecast.orders.OrderView;
import io.storecast.platform.ApiException;
import io.storecast.platform.ApiException.FieldProblem;
import io.storecast.platform.WebhookSignature;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.exc.UnrecognizedPropertyException;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The signed inbound webhook: checks the signature over the raw bytes before reading them as JSON,
 * then hands the envelope's {@code data} to {@link OrderRecording}, in one transaction with the
 * claim of its event id, so that a replay is a no-op and a failed delivery can be sent again.
 */
@Service
class OrderWebhook {

	static final String UPSERT = "order.upsert";
	static final String STATUS = "order.status";
	private static final Set<String> ENVELOPE_FIELDS = Set.of("eventId", "type", "occurredAt", "data");

	/**
	 * The answer to a delivery.
	 *
	 * @param duplicate the event id was processed before: nothing was done this time
	 * @param changed the order was created or updated (order.upsert), or its status changed (order.status)
	 * @param orderStatus the order's status now, null when no such order exists
	 */
	record Answer(String eventId, String type, boolean duplicate, @Nullable String orderExternalId,
			@Nullable OrderStatus orderStatus, boolean changed) {
	}

	/** A parsed, not yet validated delivery. */
	private record Envelope(String eventId, String type, @Nullable Instant occurredAt, String externalId,
			ObjectNode data) {
	}

	private final OrderRecording recording;
	private final StoredOrders orders;
	private final WebhookDeliveries deliveries;
	private final OrdersSettings settings;
	private final JsonMapper json;
	private final TransactionTemplate tx;
	private final Clock clock;

	OrderWebhook(OrderRecording recording, StoredOrders orders, WebhookDeliveries deliveries, OrdersSettings settings,
			JsonMapper json, TransactionTemplate tx, Clock clock) {
		this.recording = recording;
		this.orders = orders;
		this.deliveries = deliveries;
		this.settings = settings;
		this.json = json;
		this.tx = tx;
		this.clock = clock;
	}

	Answer receive(@Nullable String timestamp, @Nullable String signature, @Nullable String eventIdHeader,
			byte @Nullable [] body) {
		String secret = settings.webhookSecret();
		if (secret == null) {
			throw new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "webhook-not-configured",
					"The orders webhook has no signing secret: set STORECAST_ORDERS_WEBHOOK_SECRET "
							+ "(storecast.orders.webhook-secret) on the server; unsigned deliveries are never accepted");
		}
		byte[] raw = body == null ? new byte[0] : body;
		WebhookSignature.verify(secret, timestamp, signature, raw, clock.instant(), settings.webhookTolerance());
		Envelope envelope = parse(raw, eventIdHeader);
		return tx.execute(status -> {
			if (!deliveries.claim(envelope.eventId(), envelope.type(), envelope.externalId(), clock.instant())) {
				WebhookDeliveries.Delivery first = deliveries.find(envelope.eventId()).orElseThrow();
				String externalId = first.orderExternalId();
				OrderStatus now = externalId == null ? null
						: orders.findByExternalId(externalId).map(OrderView::status).orElse(null);
				return new Answer(envelope.eventId(), first.type(), true, externalId, now, false);
			}
			try {
				return dispatch(envelope);
			}
			catch (ApiException e) {
				throw Problems.prefixed(e, "data.");
			}
		});
	}

	private Answer dispatch(Envelope envelope) {
		if (envelope.type().equals(UPSERT)) {
			OrderRecording.OrderBody body = bind(envelope.data(), OrderRecording.OrderBody.class);
			OrderRecording.Upserted result = recording.upsert(envelope.externalId(), body,
					OrderRecording.Reporter.WEBHOOK);
			return new Answer(envelope.eventId(), envelope.type(), false, envelope.externalId(),
					result.order().status(), result.changed());
		}
		OrderRecording.StatusBody body = bind(envelope.data(), OrderRecording.StatusBody.class);
		if (body.eventId() != null && !body.eventId().equals(envelope.eventId())) {
			throw ApiException.badRequest("event-id-mismatch", "eventId", "differs from the envelope's eventId");
		}
		if (body.occurredAt() == null && envelope.occurredAt() != null) {
			body = new OrderRecording.StatusBody(body.eventId(), body.status(), envelope.occurredAt(), body.carrier(),
					body.trackingNumber(), body.expectedDelivery(), body.refundFen(), body.note());
		}
		OrderRecording.StatusRecorded result = recording.recordStatus(envelope.externalId(), body, envelope.eventId(),
				OrderRecording.Reporter.WEBHOOK);
		return new Answer(envelope.eventId(), envelope.type(), result.duplicate(), envelope.externalId(),
				result.order().status(), result.statusChanged());
	}

	// --- reading the envelope ---------------------------------------------------------------------

	private Envelope parse(byte[] raw, @Nullable String eventIdHeader) {
		JsonNode root;
		try {
			root = json.readTree(raw);
		}
		catch (JacksonException e) {
			throw new ApiException(HttpStatus.BAD_REQUEST, "malformed-body",
					"The body is not valid JSON: " + e.getOriginalMessage());
		}
		if (root == null || !root.isObject()) {
			throw new ApiException(HttpStatus.BAD_REQUEST, "malformed-body",
					"The body must be a JSON object {eventId, type, occurredAt, data}");
		}
		for (String name : root.propertyNames()) {
			if (!ENVELOPE_FIELDS.contains(name)) {
				throw new ApiException(HttpStatus.BAD_REQUEST, "unknown-field", "Unknown field '" + name + "'",
						List.of(new FieldProblem(name, "is not a field of the envelope")), null);
			}
		}
		Problems problems = new Problems();
		String eventId = string(root, "eventId", problems);
		if (eventId == null && eventIdHeader != null && !eventIdHeader.isBlank()) {
			eventId = eventIdHeader.trim();
		}
		if (eventId == null) {
			problems.add("eventId", "is required: a unique id per event, the same on every retry");
		}
		else if (!OrderRecording.EXTERNAL_ID.matcher(eventId).matches()) {
			problems.add("eventId", OrderRecording.EXTERNAL_ID_RULE);
		}
		String type = string(root, "type", problems);
		if (type == null) {
			problems.add("type", "is required: " + UPSERT + " or " + STATUS);
		}
		Instant occurredAt = null;
		String occurred = string(root, "occurredAt", problems);
		if (occurred != null) {
			try {
				occurredAt = Instant.parse(occurred);
			}
			catch (DateTimeParseException e) {
				problems.add("occurredAt", "must be an ISO-8601 instant such as 2026-05-01T10:00:00Z");
			}
		}
		JsonNode data = root.get("data");
		String externalId = null;
		if (data == null || data.isNull()) {
			problems.add("data", "is required");
		}
		else if (!data.isObject()) {
			problems.add("data", "must be a JSON object");
		}
		else {
			externalId = string(data, "externalId", problems, "data.externalId");
			if (externalId == null) {
				problems.add("data.externalId", "is required: the merchant's order number");
			}
		}
		problems.throwIfAny("validation-failed");
		if (eventIdHeader != null && !eventIdHeader.isBlank() && !eventIdHeader.trim().equals(eventId)) {
			throw ApiException.badRequest("event-id-mismatch", "eventId",
					"differs from the " + WebhookSignature.EVENT_ID_HEADER + " header");
		}
		if (!type.equals(UPSERT) && !type.equals(STATUS)) {
			throw ApiException.badRequest("unknown-event-type", "type",
					"'" + type + "' is not an event type; send " + UPSERT + " or " + STATUS);
		}
		ObjectNode rest = ((ObjectNode) data).deepCopy();
		rest.remove("externalId");
		return new Envelope(eventId, type, occurredAt, externalId, rest);
	}

	private static @Nullable String string(JsonNode node, String field, Problems problems) {
		return string(node, field, problems, field);
	}

	private static @Nullable String string(JsonNode node, String field, Problems problems, String path) {
		JsonNode value = node.get(field);
		if (value == null || value.isNull()) {
			return null;
		}
		if (!value.isString()) {
			problems.add(path, "must be a string");
			return null;
		}
		return value.stringValue();
	}

	/** Reads {@code data} as the request it carries; a field of the wrong type is named as in the REST API. */
	private <T> T bind(ObjectNode data, Class<T> type) {
		try {
			return json.treeToValue(data, type);
		}
		catch (UnrecognizedPropertyException e) {
			String field = path(e);
			throw new ApiException(HttpStatus.BAD_REQUEST, "unknown-field", "Unknown field '" + field + "'",
					List.of(new FieldProblem(field, "is not a field of this event")), null);
		}
		catch (JacksonException e) {
			String field = path(e);
			throw ApiException.badRequest("invalid-value", field, "has an invalid value: " + e.getOriginalMessage());
		}
	}

	private static String path(JacksonException e) {
		StringBuilder sb = new StringBuilder();
		for (JacksonException.Reference ref : e.getPath()) {
			if (ref.getPropertyName() != null) {
				if (!sb.isEmpty()) {
					sb.append('.');
				}
				sb.append(ref.getPropertyName());
			}
			else if (ref.getIndex() >= 0) {
				sb.append('[').append(ref.getIndex()).append(']');
			}
		}
		return sb.toString();
	}
}
