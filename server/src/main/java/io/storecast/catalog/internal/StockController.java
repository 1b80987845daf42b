package io.storecast.catalog.internal;

import java.util.List;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import io.storecast.catalog.StockAdjustment;
import io.storecast.catalog.StockLevel;
import io.storecast.identity.Actor;
import io.storecast.identity.OrgNodeId;
import io.storecast.platform.ApiException;
import io.storecast.platform.CursorPage;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

@Tag(name = "Stock", description = "Stock per SKU and store, its audited adjustments, and low-stock thresholds")
@RestController
@RequestMapping("/api/v1/catalog")
class StockController {

	record SetThreshold(@Nullable String sku, @Nullable OrgNodeId storeId, @Nullable Integer threshold) {
	}

	private final StockKeeping stock;

	StockController(StockKeeping stock) {
		this.stock = stock;
	}

	@Operation(summary = "Stock levels: one SKU at one store, one SKU at every store you reach, or a store's SKUs",
			description = "storeId and sku: that level; sku only: every store you reach; storeId only: the store's SKUs "
					+ "page by page (lowOnly=true: only those below their threshold).")
	@GetMapping("/stock")
	CursorPage<StockLevel> levels(@AuthenticationPrincipal Actor actor, @RequestParam(required = false) OrgNodeId storeId,
			@RequestParam(required = false) String sku, @RequestParam(required = false) Boolean lowOnly,
			@RequestParam(required = false) String after, @RequestParam(required = false) Integer limit) {
		if (storeId != null && sku != null) {
			return new CursorPage<>(List.of(stock.level(actor, storeId, sku)), null);
		}
		if (sku != null) {
			return new CursorPage<>(stock.levels(actor, sku), null);
		}
		if (storeId != null) {
			return stock.atStore(actor, storeId, Boolean.TRUE.equals(lowOnly), after, CursorPage.limit(limit));
		}
		throw ApiException.badRequest("missing-parameter", "storeId", "Name a storeId, a sku, or both");
	}

	@Operation(summary = "Adjust stock: a sale, receipt, return, damage, transfer or stocktake (COUNT)",
			description = "Send {storeId, sku, reason, delta, note}; a COUNT sends quantity (the units counted) instead of "
					+ "delta. A level never goes below zero (409 insufficient-stock). Needs an Idempotency-Key: a retry "
					+ "with the same key answers 200 with the original adjustment and changes nothing. A level back from 0 "
					+ "announces the product as restocked at the store (ProductRestocked).")
	@PostMapping("/stock/adjustments")
	ResponseEntity<StockAdjustment> adjust(@AuthenticationPrincipal Actor actor,
			@RequestHeader(name = "Idempotency-Key", required = false) @Nullable String key,
			@RequestBody StockKeeping.AdjustRequest request) {
		StockKeeping.Adjusted done = stock.adjust(actor, request, key);
		return ResponseEntity.status(done.replayed() ? HttpStatus.OK : HttpStatus.CREATED)
			.header("Idempotent-Replayed", Boolean.toString(done.replayed()))
			.body(done.adjustment());
	}

	@Operation(summary = "The adjustments of one SKU at one store, newest first")
	@GetMapping("/stock/adjustments")
	CursorPage<StockAdjustment> history(@AuthenticationPrincipal Actor actor, @RequestParam OrgNodeId storeId,
			@RequestParam String sku, @RequestParam(required = false) String after,
			@RequestParam(required = false) Integer limit) {
		return stock.history(actor, storeId, sku, after, CursorPage.limit(limit));
	}

	@Operation(summary = "Set a SKU's low-stock threshold, or a store's own (with storeId); null clears it")
	@PutMapping("/thresholds")
	StockKeeping.Threshold threshold(@AuthenticationPrincipal Actor actor, @RequestBody SetThreshold request) {
		return stock.setThreshold(actor, request.sku(), request.storeId(), request.threshold());
	}
}
