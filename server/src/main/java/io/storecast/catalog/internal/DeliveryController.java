package io.storecast.catalog.internal;

import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import io.storecast.catalog.CustomisationKind;
import io.storecast.catalog.DeliveryEstimate;
import io.storecast.identity.Actor;
import io.storecast.identity.OrgNodeId;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

@Tag(name = "Delivery", description = "Per-store lead time and cut-off hour; \"can it arrive tomorrow?\"")
@RestController
@RequestMapping("/api/v1/catalog")
class DeliveryController {

	private final DeliveryPlanning delivery;

	DeliveryController(DeliveryPlanning delivery) {
		this.delivery = delivery;
	}

	@Operation(summary = "When an order of this SKU from this store, placed at `at` (default now), would ship and arrive",
			description = "customisations (comma-separated ENGRAVING, GIFT_WRAP, GREETING_CARD) add the product's extra days.")
	@GetMapping("/delivery-estimate")
	DeliveryEstimate estimate(@AuthenticationPrincipal Actor actor, @RequestParam OrgNodeId storeId,
			@RequestParam String sku, @RequestParam(required = false) Instant at,
			@RequestParam(required = false) List<CustomisationKind> customisations) {
		Set<CustomisationKind> wanted = customisations == null || customisations.isEmpty()
				? EnumSet.noneOf(CustomisationKind.class) : EnumSet.copyOf(customisations);
		return delivery.estimate(actor, storeId, sku, at, wanted);
	}

	@GetMapping("/delivery-settings/{storeId}")
	DeliveryPlanning.Settings settings(@AuthenticationPrincipal Actor actor, @PathVariable OrgNodeId storeId) {
		return delivery.settings(actor, storeId);
	}

	@Operation(summary = "Set a store's lead time (days, 0-60) and cut-off hour (0-24, store time)")
	@PutMapping("/delivery-settings/{storeId}")
	DeliveryPlanning.Settings update(@AuthenticationPrincipal Actor actor, @PathVariable OrgNodeId storeId,
			@RequestBody DeliveryPlanning.SettingsBody body) {
		return delivery.update(actor, storeId, body);
	}
}
