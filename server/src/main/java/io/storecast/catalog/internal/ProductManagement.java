package io.storecast.catalog.internal;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import io.storecast.catalog.Customisation;
import io.storecast.catalog.CustomisationKind;
import io.storecast.catalog.ProductId;
import io.storecast.catalog.ProductLaunched;
import io.storecast.catalog.ProductQuery;
import io.storecast.catalog.ProductView;
import io.storecast.catalog.SkuView;
import io.storecast.catalog.TagDimension;
import io.storecast.identity.AccessPolicy;
import io.storecast.identity.Actor;
import io.storecast.identity.Permission;
import io.storecast.platform.ApiException;
import io.storecast.platform.CursorPage;
import io.storecast.platform.TextFields;

/** Products and SKUs over the API: upserts by the merchant's external ids, single and in bulk, and reads. */
@Service
class ProductManagement {

	static final int MAX_BULK = 1000;

	/** A product as the API takes it; the external id comes from the path (single) or the item (bulk). */
	record ProductBody(@Nullable String externalId, @Nullable String name, @Nullable String description,
			@Nullable String category, @Nullable List<String> images, @Nullable Map<String, List<String>> tags,
			@Nullable Instant launchAt, @Nullable Instant endAt, @Nullable Boolean active,
			@Nullable List<CustomisationBody> customisations, @Nullable List<SkuBody> skus) {
	}

	record SkuBody(@Nullable String externalId, @Nullable String name, @Nullable Long priceFen,
			@Nullable Integer lowStockThreshold, @Nullable Boolean active) {
	}

	record CustomisationBody(@Nullable CustomisationKind kind, @Nullable Long priceFen, @Nullable Integer extraLeadDays) {
	}

	/** The outcome of one item of a bulk upsert. */
	record ItemResult(String externalId, String status, @Nullable ProductId productId, @Nullable Problem error) {
	}

	record Problem(String code, @Nullable String field, String detail) {

		static Problem of(ApiException e) {
			return new Problem(e.code(), e.fieldProblems().isEmpty() ? null : e.fieldProblems().getFirst().field(),
					e.getMessage());
		}
	}

	record BulkResult(int created, int updated, int failed, List<ItemResult> results) {
	}

	/** A single upsert's answer: the product as stored and whether it is new. */
	record Upsert(ProductView product, boolean created) {
	}

	private final Products products;
	private final AccessPolicy access;
	private final TransactionTemplate tx;
	private final ApplicationEventPublisher events;
	private final LaunchScheduling launchScheduling;
	private final Clock clock;

	ProductManagement(Products products, AccessPolicy access, TransactionTemplate tx, ApplicationEventPublisher events,
			LaunchScheduling launchScheduling, Clock clock) {
		this.products = products;
		this.launchScheduling = launchScheduling;
		this.access = access;
		this.tx = tx;
		this.events = events;
		this.clock = clock;
	}

	Upsert upsert(Actor actor, String externalId, ProductBody body) {
		access.require(actor, Permission.CATALOG_WRITE);
		if (body.externalId() != null && !body.externalId().equals(externalId)) {
			throw ApiException.badRequest("validation-failed", "externalId",
					"externalId in the body must match the path, or be left out");
		}
		ProductDraft draft = draft(CatalogRules.externalId(externalId, "externalId"), body, "");
		Instant now = clock.instant();
		Products.Upserted done = tx.execute(s -> write(List.of(draft), now)).get(draft.externalId());
		return new Upsert(products.findProduct(done.id()).orElseThrow(), done.created());
	}

	/** Upserts up to 1,000 products: every valid one is written (in one transaction), every invalid one reported. */
	BulkResult bulk(Actor actor, @Nullable List<ProductBody> items) {
		access.require(actor, Permission.CATALOG_WRITE);
		if (items == null || items.isEmpty()) {
			throw ApiException.badRequest("validation-failed", "products", "products must list 1 to " + MAX_BULK + " products");
		}
		if (items.size() > MAX_BULK) {
			throw ApiException.badRequest("too-many-items", "products",
					"A bulk upsert takes at most " + MAX_BULK + " products, was " + items.size());
		}
		ItemResult[] results = new ItemResult[items.size()];
		List<ProductDraft> valid = new ArrayList<>();
		List<Integer> validIndex = new ArrayList<>();
		Map<String, Integer> seenProducts = new HashMap<>();
		Map<String, Integer> seenSkus = new HashMap<>();
		for (int i = 0; i < items.size(); i++) {
			ProductBody body = items.get(i);
			String prefix = "products[" + i + "].";
			String label = body == null || body.externalId() == null ? "" : body.externalId();
			try {
				if (body == null) {
					throw ApiException.badRequest("validation-failed", "products[" + i + "]", "must be a product");
				}
				ProductDraft draft = draft(CatalogRules.externalId(body.externalId(), prefix + "externalId"), body, prefix);
				Integer earlier = seenProducts.putIfAbsent(draft.externalId(), i);
				if (earlier != null) {
					throw ApiException.badRequest("duplicate-external-id", prefix + "externalId",
							"externalId '" + draft.externalId() + "' is also products[" + earlier + "]");
				}
				for (int k = 0; k < draft.skus().size(); k++) {
					Integer other = seenSkus.get(draft.skus().get(k).externalId());
					if (other != null) {
						throw ApiException.badRequest("duplicate-external-id", prefix + "skus[" + k + "].externalId",
								"SKU '" + draft.skus().get(k).externalId() + "' is also listed by products[" + other + "]");
					}
				}
				draft.skus().forEach(s -> seenSkus.put(s.externalId(), seenProducts.get(draft.externalId())));
				valid.add(draft);
				validIndex.add(i);
			}
			catch (ApiException e) {
				results[i] = new ItemResult(label, "FAILED", null, Problem.of(e));
			}
		}
		Instant now = clock.instant();
		Map<String, Products.Upserted> written = valid.isEmpty() ? Map.of() : tx.execute(s -> write(valid, now));
		int created = 0;
		int updated = 0;
		for (int v = 0; v < valid.size(); v++) {
			Products.Upserted done = written.get(valid.get(v).externalId());
			results[validIndex.get(v)] = new ItemResult(valid.get(v).externalId(), done.created() ? "CREATED" : "UPDATED",
					done.id(), null);
			if (done.created()) {
				created++;
			}
			else {
				updated++;
			}
		}
		return new BulkResult(created, updated, items.size() - valid.size(), List.of(results));
	}

	/**
	 * Writes whole products: every field, and the SKUs a product no longer lists become inactive; a
	 * product that goes on sale by this write is announced ({@link ProductLaunched}), one whose launch
	 * time lies ahead is announced when that time comes ({@link LaunchScheduling}).
	 */
	private Map<String, Products.Upserted> write(List<ProductDraft> drafts, Instant now) {
		Set<ProductDraft.Field> all = Products.allFields();
		Set<String> wasOnSale = products.onSale(drafts.stream().map(ProductDraft::externalId).toList(), now);
		Map<String, Products.Upserted> written = products.upsertProducts(drafts, all, now);
		List<Products.SkuWrite> skus = new ArrayList<>();
		for (ProductDraft d : drafts) {
			ProductId id = written.get(d.externalId()).id();
			d.skus().forEach(s -> skus.add(new Products.SkuWrite(id, s)));
		}
		products.upsertSkus(skus, all, null, now);
		List<ProductId> announced = new ArrayList<>();
		Map<ProductId, @Nullable Instant> launches = new HashMap<>();
		for (ProductDraft d : drafts) {
			ProductId id = written.get(d.externalId()).id();
			products.deactivateOtherSkus(id, d.skus().stream().map(ProductDraft.SkuDraft::externalId).toList(), now);
			if (onSale(d, now) && !wasOnSale.contains(d.externalId())) {
				events.publishEvent(new ProductLaunched(id, d.externalId(), d.name(), d.category(), d.tags(), now));
				announced.add(id);
			}
			launches.put(id, d.active() && d.launchAt() != null && d.launchAt().isAfter(now) ? d.launchAt() : null);
		}
		products.markAnnounced(announced);
		launchScheduling.schedule(products.scheduleLaunches(launches));
		return written;
	}

	private static boolean onSale(ProductDraft d, Instant at) {
		return d.active() && (d.launchAt() == null || !at.isBefore(d.launchAt())) && (d.endAt() == null || at.isBefore(d.endAt()));
	}

	ProductView get(Actor actor, String externalId) {
		access.require(actor, Permission.CATALOG_READ);
		return products.findProduct(externalId)
			.orElseThrow(() -> ApiException.notFound("product-not-found", "No product with external id '" + externalId + "'"));
	}

	SkuView sku(Actor actor, String externalId) {
		access.require(actor, Permission.CATALOG_READ);
		return products.findSku(externalId)
			.orElseThrow(() -> ApiException.notFound("sku-not-found", "No SKU with external id '" + externalId + "'"));
	}

	CursorPage<ProductView> list(Actor actor, ProductQuery query, @Nullable String after, int limit) {
		access.require(actor, Permission.CATALOG_READ);
		ProductId cursor;
		try {
			cursor = after == null || after.isBlank() ? null : ProductId.valueOf(after);
		}
		catch (IllegalArgumentException e) {
			throw ApiException.badRequest("invalid-cursor", "after", "after must be a nextCursor from an earlier page");
		}
		return CursorPage.of(products.search(query, cursor, limit + 1), limit, p -> p.id().toString());
	}

	// --- checking input -------------------------------------------------------------------------

	/** Checks a product body; refusals name the field under {@code prefix} (e.g. {@code products[3].}). */
	static ProductDraft draft(String externalId, ProductBody body, String prefix) {
		String name = TextFields.required(body.name(), prefix + "name", CatalogRules.MAX_NAME);
		String description = TextFields.optional(body.description(), prefix + "description",
				CatalogRules.MAX_DESCRIPTION);
		String category = TextFields.optional(body.category(), prefix + "category", CatalogRules.MAX_CATEGORY);
		List<String> images = new ArrayList<>();
		if (body.images() != null) {
			if (body.images().size() > CatalogRules.MAX_IMAGES) {
				throw ApiException.badRequest("validation-failed", prefix + "images",
						"A product has at most " + CatalogRules.MAX_IMAGES + " images");
			}
			for (int i = 0; i < body.images().size(); i++) {
				images.add(CatalogRules.imageUrl(body.images().get(i), prefix + "images[" + i + "]"));
			}
		}
		Map<TagDimension, List<String>> tags = new EnumMap<>(TagDimension.class);
		if (body.tags() != null) {
			for (Map.Entry<String, List<String>> e : body.tags().entrySet()) {
				String field = prefix + "tags." + e.getKey();
				TagDimension dimension = TagDimension.find(e.getKey())
					.orElseThrow(() -> ApiException.badRequest("invalid-tag", field,
							"'" + e.getKey() + "' is not a tag dimension; use occasion, recipient, style or material"));
				List<String> values = e.getValue() == null ? List.of() : e.getValue();
				if (values.size() > CatalogRules.MAX_TAGS_PER_DIMENSION) {
					throw ApiException.badRequest("invalid-tag", field,
							"at most " + CatalogRules.MAX_TAGS_PER_DIMENSION + " values per dimension");
				}
				LinkedHashMap<String, Boolean> distinct = new LinkedHashMap<>();
				for (int i = 0; i < values.size(); i++) {
					distinct.put(CatalogRules.tag(values.get(i), field + "[" + i + "]"), true);
				}
				if (!distinct.isEmpty()) {
					tags.put(dimension, List.copyOf(distinct.keySet()));
				}
			}
		}
		CatalogRules.window(body.launchAt(), body.endAt(), prefix + "endAt");
		List<Customisation> customisations = new ArrayList<>();
		if (body.customisations() != null) {
			Set<CustomisationKind> kinds = new HashSet<>();
			for (int i = 0; i < body.customisations().size(); i++) {
				CustomisationBody c = body.customisations().get(i);
				String field = prefix + "customisations[" + i + "]";
				if (c == null || c.kind() == null) {
					throw ApiException.badRequest("validation-failed", field + ".kind",
							"kind is required: ENGRAVING, GIFT_WRAP or GREETING_CARD");
				}
				if (!kinds.add(c.kind())) {
					throw ApiException.badRequest("validation-failed", field + ".kind", c.kind() + " is listed twice");
				}
				long price = CatalogRules.price(c.priceFen() == null ? 0 : c.priceFen(), field + ".priceFen");
				int days = c.extraLeadDays() == null ? 0 : c.extraLeadDays();
				if (days < 0 || days > 60) {
					throw ApiException.badRequest("validation-failed", field + ".extraLeadDays",
							"extraLeadDays must be between 0 and 60");
				}
				customisations.add(new Customisation(c.kind(), price, days));
			}
		}
		List<SkuBody> skuBodies = body.skus() == null ? List.of() : body.skus();
		if (skuBodies.isEmpty() || skuBodies.size() > CatalogRules.MAX_SKUS) {
			throw ApiException.badRequest("validation-failed", prefix + "skus",
					"A product lists 1 to " + CatalogRules.MAX_SKUS + " SKUs");
		}
		List<ProductDraft.SkuDraft> skus = new ArrayList<>();
		Map<String, Integer> seen = new HashMap<>();
		for (int i = 0; i < skuBodies.size(); i++) {
			SkuBody s = skuBodies.get(i);
			String field = prefix + "skus[" + i + "]";
			if (s == null) {
				throw ApiException.badRequest("validation-failed", field, "must be a SKU");
			}
			String skuId = CatalogRules.externalId(s.externalId(), field + ".externalId");
			Integer earlier = seen.putIfAbsent(skuId, i);
			if (earlier != null) {
				throw ApiException.badRequest("duplicate-external-id", field + ".externalId",
						"SKU '" + skuId + "' is also " + prefix + "skus[" + earlier + "]");
			}
			if (s.priceFen() == null) {
				throw ApiException.badRequest("validation-failed", field + ".priceFen", "priceFen is required");
			}
			skus.add(new ProductDraft.SkuDraft(skuId,
					TextFields.optional(s.name(), field + ".name", CatalogRules.MAX_NAME),
					CatalogRules.price(s.priceFen(), field + ".priceFen"),
					CatalogRules.threshold(s.lowStockThreshold(), field + ".lowStockThreshold"),
					s.active() == null || s.active(), 0));
		}
		return new ProductDraft(externalId, name, description, category, List.copyOf(images), tags, body.launchAt(),
				body.endAt(), body.active() == null || body.active(), List.copyOf(customisations), List.copyOf(skus));
	}
}
