package io.storecast.catalog.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import io.storecast.catalog.ProductQuery;
import io.storecast.catalog.ProductView;
import io.storecast.catalog.SkuView;
import io.storecast.catalog.TagDimension;
import io.storecast.identity.Actor;
import io.storecast.platform.ApiException;
import io.storecast.platform.CursorPage;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

@Tag(name = "Catalog", description = "Products and SKUs by the merchant's external ids")
@RestController
@RequestMapping("/api/v1/catalog")
class ProductController {

	record Bulk(@Nullable List<ProductManagement.ProductBody> products) {
	}

	private final ProductManagement products;

	ProductController(ProductManagement products) {
		this.products = products;
	}

	@Operation(summary = "Create or replace a product with its SKUs (201 when new, 200 when updated)",
			description = "SKUs the product no longer lists become inactive; they keep their stock and history. A product "
					+ "put on sale is announced (ProductLaunched) at once; an active one whose launchAt lies ahead is "
					+ "announced when that time comes (a changed launchAt moves it).")
	@PutMapping("/products/{externalId}")
	ResponseEntity<ProductView> upsert(@AuthenticationPrincipal Actor actor, @PathVariable String externalId,
			@RequestBody ProductManagement.ProductBody body) {
		ProductManagement.Upsert done = products.upsert(actor, externalId, body);
		return ResponseEntity.status(done.created() ? HttpStatus.CREATED : HttpStatus.OK).body(done.product());
	}

	@Operation(summary = "Create or replace up to 1,000 products; valid ones are written, invalid ones reported per item")
	@PostMapping("/products:bulk")
	ProductManagement.BulkResult bulk(@AuthenticationPrincipal Actor actor, @RequestBody Bulk body) {
		return products.bulk(actor, body.products());
	}

	@Operation(summary = "Products, oldest first, filtered by category, tags (all must match), words, price and sale window",
			description = "tag is written dimension:value, e.g. tag=occasion:中秋&tag=recipient:长辈; activeAt keeps the "
					+ "products on sale at that instant.")
	@GetMapping("/products")
	CursorPage<ProductView> list(@AuthenticationPrincipal Actor actor, @RequestParam(required = false) String category,
			@RequestParam(name = "tag", required = false) List<String> tags, @RequestParam(required = false) String q,
			@RequestParam(required = false) Instant activeAt, @RequestParam(required = false) Long minPriceFen,
			@RequestParam(required = false) Long maxPriceFen, @RequestParam(required = false) String after,
			@RequestParam(required = false) Integer limit) {
		return products.list(actor, query(category, tags, q, activeAt, minPriceFen, maxPriceFen), after,
				CursorPage.limit(limit));
	}

	@GetMapping("/products/{externalId}")
	ProductView get(@AuthenticationPrincipal Actor actor, @PathVariable String externalId) {
		return products.get(actor, externalId);
	}

	@GetMapping("/skus/{externalId}")
	SkuView sku(@AuthenticationPrincipal Actor actor, @PathVariable String externalId) {
		return products.sku(actor, externalId);
	}

	static ProductQuery query(@Nullable String category, @Nullable List<String> tags, @Nullable String q,
			@Nullable Instant activeAt, @Nullable Long minPriceFen, @Nullable Long maxPriceFen) {
		List<ProductQuery.Tag> parsed = new ArrayList<>();
		for (String tag : tags == null ? List.<String>of() : tags) {
			int colon = tag.indexOf(':');
			TagDimension dimension = colon < 0 ? null : TagDimension.find(tag.substring(0, colon)).orElse(null);
			if (dimension == null || colon == tag.length() - 1) {
				throw ApiException.badRequest("invalid-tag", "tag",
						"'" + tag + "' is not a tag: write dimension:value, e.g. occasion:中秋 (dimensions: occasion, "
								+ "recipient, style, material)");
			}
			parsed.add(new ProductQuery.Tag(dimension, tag.substring(colon + 1).strip()));
		}
		if (minPriceFen != null && minPriceFen < 0 || maxPriceFen != null && maxPriceFen < 0) {
			throw ApiException.badRequest("invalid-price", minPriceFen != null && minPriceFen < 0 ? "minPriceFen" : "maxPriceFen",
					"Prices must not be negative");
		}
		String text = q == null || q.isBlank() ? null : q.strip();
		if (text != null && text.length() > 100) {
			throw ApiException.badRequest("validation-failed", "q", "q must be at most 100 characters");
		}
		return new ProductQuery(category == null || category.isBlank() ? null : category.strip(), parsed, text, activeAt,
				minPriceFen, maxPriceFen);
	}
}
