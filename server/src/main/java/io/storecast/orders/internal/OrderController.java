package io.storecast.orders.internal;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import io.storecast.identity.Actor;
import io.storecast.identity.CustomerId;
import io.storecast.identity.OrgNodeId;
import io.storecast.orders.OrderId;
import io.storecast.orders.OrderStatus;
import io.storecast.orders.OrderView;
import io.storecast.platform.CursorPage;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

/** Orders from the merchant's systems (API keys with orders:write) and for staff to read within their part of the organisation. */
@Tag(name = "Orders", description = "Orders and their status timeline (see docs/orders.md)")
@RestController
@RequestMapping("/api/v1/orders")
class OrderController {

	/** The answer to a status event. */
	record StatusAnswer(boolean duplicate, boolean statusChanged, OrderView order) {
	}

	private final OrderRecording recording;

	OrderController(OrderRecording recording) {
		this.recording = recording;
	}

	@Operation(summary = "Create or update an order by the merchant's order number (orders:write)",
			description = """
					201 when created, 200 when updated or unchanged (a repeat of the same order changes nothing). \
					totalFen must equal the sum of quantity × unitPriceFen, minus discountFen, plus shippingFen. \
					Lines, totals and coupon codes can change until the order is paid (then 409 order-locked); \
					customer, store and placedAt never change (409 order-conflict).""")
	@PutMapping("/{externalId}")
	ResponseEntity<OrderView> upsert(@AuthenticationPrincipal Actor actor, @PathVariable String externalId,
			@RequestBody OrderRecording.OrderBody body) {
		OrderRecording.Upserted result = recording.upsert(actor, externalId, body);
		return ResponseEntity.status(result.created() ? HttpStatus.CREATED : HttpStatus.OK).body(result.order());
	}

	@Operation(summary = "Record a status change: PAID, SHIPPED, OUT_FOR_DELIVERY, DELIVERED, CANCELLED, REFUNDED (orders:write)",
			description = """
					The event's id is `eventId` or the Idempotency-Key header (otherwise STATUS@occurredAt); a replay \
					answers 200 with duplicate=true and changes nothing, a new event 201. Events are ordered by their \
					own occurredAt: a late PAID after SHIPPED is kept in the timeline and changes nothing \
					(statusChanged=false). 409 order-closed, illegal-transition or order-not-paid when the event \
					contradicts the timeline.""")
	@PostMapping("/{externalId}/events")
	ResponseEntity<StatusAnswer> recordStatus(@AuthenticationPrincipal Actor actor, @PathVariable String externalId,
			@RequestHeader(name = "Idempotency-Key", required = false) @Nullable String key,
			@RequestBody OrderRecording.StatusBody body) {
		OrderRecording.StatusRecorded result = recording.recordStatus(actor, externalId, body, key);
		return ResponseEntity.status(result.duplicate() ? HttpStatus.OK : HttpStatus.CREATED)
			.body(new StatusAnswer(result.duplicate(), result.statusChanged(), result.order()));
	}

	@Operation(summary = "An order with its lines and status timeline (orders:read, or staff of its store or above)")
	@GetMapping("/{externalId}")
	OrderView get(@AuthenticationPrincipal Actor actor, @PathVariable String externalId) {
		return recording.get(actor, externalId);
	}

	@Operation(summary = "Orders in your part of the organisation, most recently placed first; cursor paged",
			description = "Filters: storeId, customerId (Storecast's) or customerExternalId (yours), status. "
					+ "Pass nextCursor back as after.")
	@GetMapping
	CursorPage<OrderView> list(@AuthenticationPrincipal Actor actor, @RequestParam(required = false) OrgNodeId storeId,
			@RequestParam(required = false) CustomerId customerId,
			@RequestParam(required = false) String customerExternalId,
			@RequestParam(required = false) OrderStatus status, @RequestParam(required = false) OrderId after,
			@RequestParam(required = false) Integer limit) {
		return recording.list(actor, storeId, customerId,
				customerExternalId == null || customerExternalId.isBlank() ? null : customerExternalId, status, after,
				CursorPage.limit(limit));
	}
}
