package io.storecast.catalog.internal;

import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import io.storecast.catalog.StockTransfer;
import io.storecast.identity.Actor;
import io.storecast.identity.OrgNodeId;
import io.storecast.platform.CursorPage;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

@Tag(name = "Stock transfers", description = "Requests for units from another store, approved by the source store")
@RestController
@RequestMapping("/api/v1/catalog/transfers")
class TransferController {

	record Decision(@Nullable String note) {
	}

	private final StockTransfers transfers;

	TransferController(StockTransfers transfers) {
		this.transfers = transfers;
	}

	@Operation(summary = "Ask another store for units of a SKU (201; a retry with the same Idempotency-Key answers 200)",
			description = "Needs STOCK_TRANSFER at toStoreId. The source store's managers get an action card to approve "
					+ "or reject. Refused with 409 insufficient-stock when the source has fewer units than asked.")
	@PostMapping
	ResponseEntity<StockTransfer> request(@AuthenticationPrincipal Actor actor,
			@RequestHeader(name = "Idempotency-Key", required = false) @Nullable String key,
			@RequestBody StockTransfers.RequestBody body) {
		StockTransfers.Requested done = transfers.request(actor, body, key);
		return ResponseEntity.status(done.replayed() ? HttpStatus.OK : HttpStatus.CREATED).body(done.transfer());
	}

	@Operation(summary = "Transfers from or to the stores you reach (or one store), newest first")
	@GetMapping
	CursorPage<StockTransfer> list(@AuthenticationPrincipal Actor actor, @RequestParam(required = false) OrgNodeId storeId,
			@RequestParam(required = false) StockTransfer.Status status, @RequestParam(required = false) String after,
			@RequestParam(required = false) Integer limit) {
		return transfers.list(actor, storeId, status, after, CursorPage.limit(limit));
	}

	@GetMapping("/{id}")
	StockTransfer get(@AuthenticationPrincipal Actor actor, @PathVariable UUID id) {
		return transfers.get(actor, id);
	}

	@Operation(summary = "Approve: moves the units now (source store's side; 409 if it no longer has them)")
	@PostMapping("/{id}/approve")
	StockTransfer approve(@AuthenticationPrincipal Actor actor, @PathVariable UUID id,
			@RequestBody(required = false) @Nullable Decision decision) {
		return transfers.approve(actor, id, decision == null ? null : decision.note());
	}

	@Operation(summary = "Reject (source store's side); nothing moves")
	@PostMapping("/{id}/reject")
	StockTransfer reject(@AuthenticationPrincipal Actor actor, @PathVariable UUID id,
			@RequestBody(required = false) @Nullable Decision decision) {
		return transfers.reject(actor, id, decision == null ? null : decision.note());
	}

	@Operation(summary = "Withdraw a request (its requester or the destination store's side); nothing moves")
	@PostMapping("/{id}/cancel")
	StockTransfer cancel(@AuthenticationPrincipal Actor actor, @PathVariable UUID id,
			@RequestBody(required = false) @Nullable Decision decision) {
		return transfers.cancel(actor, id, decision == null ? null : decision.note());
	}
}
