package io.storecast.catalog.internal;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import io.storecast.catalog.AdjustmentReason;
import io.storecast.catalog.ProductRestocked;
import io.storecast.catalog.SkuId;
import io.storecast.catalog.SkuView;
import io.storecast.catalog.StockAdjustment;
import io.storecast.catalog.StockFellBelowThreshold;
import io.storecast.catalog.StockLevel;
import io.storecast.catalog.StockLevels;
import io.storecast.catalog.StockRestored;
import io.storecast.identity.AccessPolicy;
import io.storecast.identity.Actor;
import io.storecast.identity.OrgNode;
import io.storecast.identity.OrgNodeId;
import io.storecast.identity.Permission;
import io.storecast.platform.ApiException;
import io.storecast.platform.CursorPage;
import io.storecast.platform.Ids;
import io.storecast.platform.TextFields;

/**
 * Stock per SKU and store: every change is an atomic, audited adjustment (what, why, who, when),
 * applied as a delta under the row's lock so that concurrent sales never overwrite each other; a
 * level never goes below zero. Crossing a low-stock threshold publishes an event, once per crossing;
 * a level back from 0 publishes {@link ProductRestocked}.
 */
@Service
class StockKeeping implements StockLevels {

	static final Pattern IDEMPOTENCY_KEY = Pattern.compile("[A-Za-z0-9._:-]{1,64}");

	/** An adjustment as the API takes it: {@code delta} for every reason but COUNT, which takes {@code quantity}. */
	record AdjustRequest(@Nullable OrgNodeId storeId, @Nullable String sku, @Nullable Long delta, @Nullable Long quantity,
			@Nullable AdjustmentReason reason, @Nullable String note) {
	}

	/** The adjustment made, or the one a retry with the same key made before ({@code replayed}). */
	record Adjusted(StockAdjustment adjustment, boolean replayed) {
	}

	/** A threshold as set, and the one in force at the store. */
	record Threshold(String sku, @Nullable OrgNodeId storeId, @Nullable Integer threshold,
			@Nullable Integer effective) {
	}

	private final Stock stock;
	private final Products products;
	private final Stores stores;
	private final AccessPolicy access;
	private final ApplicationEventPublisher events;
	private final TransactionTemplate tx;
	private final Clock clock;
	/** SKU ids by external id: a SKU is never deleted, so its id never changes. */
	private final Cache<String, SkuId> skuIds = Caffeine.newBuilder().maximumSize(200_000).build();

	StockKeeping(Stock stock, Products products, Stores stores, AccessPolicy access, ApplicationEventPublisher events,
			TransactionTemplate tx, Clock clock) {
		this.stock = stock;
		this.products = products;
		this.stores = stores;
		this.access = access;
		this.events = events;
		this.tx = tx;
		this.clock = clock;
	}

	// --- adjusting ----------------------------------------------------------------------------------

	Adjusted adjust(Actor actor, AdjustRequest r, @Nullable String key) {
		if (r.storeId() == null) {
			throw ApiException.badRequest("validation-failed", "storeId", "storeId is required");
		}
		OrgNode store = stores.require(r.storeId(), "storeId");
		access.requireAt(actor, Permission.STOCK_WRITE, store.id());
		if (key == null || !IDEMPOTENCY_KEY.matcher(key).matches()) {
			throw ApiException.badRequest(key == null ? "missing-idempotency-key" : "invalid-idempotency-key",
					"Idempotency-Key", "Adjustments need an Idempotency-Key header of 1-64 letters, digits, '.', '_', ':'"
							+ " or '-', reused on retries so that a retried adjustment applies once");
		}
		if (r.reason() == null) {
			throw ApiException.badRequest("validation-failed", "reason",
					"reason is required: SALE, RECEIPT, RETURN, COUNT, DAMAGE, TRANSFER_OUT or TRANSFER_IN");
		}
		String skuExternal = CatalogRules.externalId(r.sku(), "sku");
		SkuId sku = skuId(skuExternal, "sku");
		String note = TextFields.optional(r.note(), "note", 500);
		long amount = amount(r);
		String scopedKey = who(actor) + "|" + key;
		Instant now = clock.instant();
		try {
			StockAdjustment done = tx.execute(s -> r.reason() == AdjustmentReason.COUNT
					? count(sku, skuExternal, store.id(), amount, note, who(actor), nameOf(actor), scopedKey, null, now)
					: change(sku, skuExternal, store.id(), amount, r.reason(), note, who(actor), nameOf(actor), scopedKey,
							null, now));
			return new Adjusted(Objects.requireNonNull(done), false);
		}
		catch (DuplicateKeyException retried) {
			StockAdjustment original = stock.findByKey(scopedKey).orElseThrow(() -> retried);
			boolean same = original.skuId().equals(sku) && original.storeId().equals(store.id())
					&& original.reason() == r.reason()
					&& (r.reason() == AdjustmentReason.COUNT ? original.onHandAfter() == amount : original.delta() == amount);
			if (!same) {
				throw ApiException.conflict("idempotency-key-reused",
						"This Idempotency-Key was used for a different adjustment (" + original.id() + ")");
			}
			return new Adjusted(original, true);
		}
	}

	/** The signed delta (or, for COUNT, the absolute quantity), checked against the reason. */
	private static long amount(AdjustRequest r) {
		AdjustmentReason reason = Objects.requireNonNull(r.reason());
		if (reason == AdjustmentReason.COUNT) {
			if (r.delta() != null) {
				throw ApiException.badRequest("validation-failed", "delta",
						"A COUNT sets the level: send quantity (the units counted), not delta");
			}
			if (r.quantity() == null) {
				throw ApiException.badRequest("validation-failed", "quantity", "A COUNT needs quantity, the units counted");
			}
			return CatalogRules.quantity(r.quantity(), "quantity");
		}
		if (r.quantity() != null) {
			throw ApiException.badRequest("validation-failed", "quantity",
					"quantity is for COUNT only; a " + reason + " sends a signed delta");
		}
		if (r.delta() == null || r.delta() == 0) {
			throw ApiException.badRequest("invalid-delta", "delta", "delta is required and must not be 0");
		}
		long delta = r.delta();
		if (Long.signum(delta) != reason.sign()) {
			throw ApiException.badRequest("invalid-delta", "delta", "A " + reason + (reason.sign() < 0
					? " takes stock out: delta must be negative" : " brings stock in: delta must be positive")
					+ ", was " + delta);
		}
		if (Math.abs(delta) > CatalogRules.MAX_QUANTITY) {
			throw ApiException.badRequest("invalid-quantity", "delta", "delta must be at most " + CatalogRules.MAX_QUANTITY);
		}
		return delta;
	}

	/**
	 * Adds a delta (in the caller's transaction), refusing with 409 {@code insufficient-stock} when the
	 * level would go below zero; publishes the threshold events of the change.
	 */
	StockAdjustment change(SkuId sku, String skuExternal, OrgNodeId store, long delta, AdjustmentReason reason,
			@Nullable String note, String actor, @Nullable String actorName, @Nullable String key,
			@Nullable UUID transferId, Instant now) {
		StockAdjustment draft = new StockAdjustment(Ids.newId(), sku, skuExternal, store, delta, 0, reason, note, actor,
				actorName, transferId, null, now);
		var changed = stock.apply(draft, key);
		if (changed.isEmpty() && delta > 0) {
			// the store never had this SKU: its row starts at 0
			stock.ensureRow(sku, store, now);
			changed = stock.apply(draft, key);
		}
		if (changed.isEmpty()) {
			long onHand = stock.level(sku, store).map(StockLevel::onHand).orElse(0L);
			throw ApiException.conflict("insufficient-stock", "Only " + onHand + " of " + skuExternal
					+ " on hand at this store; cannot take " + -delta);
		}
		Stock.Changed c = changed.get();
		afterChange(sku, skuExternal, store, delta, c.onHand(), c.threshold(), c.alerted(), now);
		return withLevel(draft, c.onHand());
	}

	/** A stocktake: sets the level to what was counted, recorded as the delta it implied (computed under the lock). */
	StockAdjustment count(SkuId sku, String skuExternal, OrgNodeId store, long counted, @Nullable String note,
			String actor, @Nullable String actorName, @Nullable String key, @Nullable UUID importId, Instant now) {
		Stock.Locked locked = stock.lock(sku, store, now);
		long delta = counted - locked.onHand();
		StockAdjustment a = new StockAdjustment(Ids.newId(), sku, skuExternal, store, delta, counted,
				AdjustmentReason.COUNT, note, actor, actorName, null, importId, now);
		stock.write(locked, a, key);
		afterChange(sku, skuExternal, store, delta, counted, locked.threshold(), locked.alerted(), now);
		return a;
	}

	/** Moves a locked level by {@code delta} (transfers lock both sides first, in a fixed order). */
	StockAdjustment move(Stock.Locked locked, String skuExternal, long delta, AdjustmentReason reason,
			@Nullable String note, String actor, @Nullable String actorName, UUID transferId, Instant now) {
		long after = locked.onHand() + delta;
		if (after < 0) {
			throw ApiException.conflict("insufficient-stock", "Only " + locked.onHand() + " of " + skuExternal
					+ " on hand at the source store; cannot move " + -delta);
		}
		StockAdjustment a = new StockAdjustment(Ids.newId(), locked.sku(), skuExternal, locked.store(), delta, after,
				reason, note, actor, actorName, transferId, null, now);
		stock.write(locked, a, null);
		afterChange(locked.sku(), skuExternal, locked.store(), delta, after, locked.threshold(), locked.alerted(), now);
		return a;
	}

	/**
	 * Applies the low-stock rule to a change just written (same transaction), and announces a SKU that
	 * was out of stock at the store and is back ({@link ProductRestocked}).
	 */
	void afterChange(SkuId sku, String skuExternal, OrgNodeId store, long delta, long after,
			@Nullable Integer threshold, boolean alerted, Instant now) {
		if (after > 0 && after - delta == 0) {
			products.findSku(sku)
				.ifPresent(v -> events.publishEvent(new ProductRestocked(v.productId(), sku, skuExternal, store, after, now)));
		}
		switch (LowStock.evaluate(delta, after, threshold, alerted)) {
			case ALERT -> {
				stock.setAlerted(sku, store, true);
				events.publishEvent(new StockFellBelowThreshold(sku, skuExternal, store, after, threshold, now));
			}
			case RESTORE -> {
				stock.setAlerted(sku, store, false);
				events.publishEvent(new StockRestored(sku, skuExternal, store, after, threshold, now));
			}
			case NONE -> {
			}
		}
	}

	private static StockAdjustment withLevel(StockAdjustment a, long onHand) {
		return new StockAdjustment(a.id(), a.skuId(), a.sku(), a.storeId(), a.delta(), onHand, a.reason(), a.note(),
				a.actor(), a.actorName(), a.transferId(), a.importId(), a.createdAt());
	}

	// --- reading ------------------------------------------------------------------------------------

	@Override
	public StockLevel level(SkuId sku, OrgNodeId store) {
		return stock.level(sku, store).orElseGet(() -> {
			SkuView view = products.findSku(sku).orElseThrow(() -> new IllegalArgumentException("No SKU " + sku));
			return new StockLevel(sku, view.externalId(), store, 0, view.lowStockThreshold(),
					view.lowStockThreshold() != null && view.lowStockThreshold() > 0, null);
		});
	}

	@Override
	public List<StockLevel> levels(SkuId sku) {
		return stock.levels(sku);
	}

	StockLevel level(Actor actor, OrgNodeId storeId, String skuExternal) {
		OrgNode store = stores.require(storeId, "storeId");
		access.requireAt(actor, Permission.CATALOG_READ, store.id());
		return level(skuId(CatalogRules.externalId(skuExternal, "sku"), "sku"), store.id());
	}

	/** The SKU's level at every store the actor reaches (0 where a store never had it). */
	List<StockLevel> levels(Actor actor, String skuExternal) {
		access.require(actor, Permission.CATALOG_READ);
		SkuId sku = skuId(CatalogRules.externalId(skuExternal, "sku"), "sku");
		var known = new java.util.HashMap<OrgNodeId, StockLevel>();
		stock.levels(sku).forEach(l -> known.put(l.storeId(), l));
		List<StockLevel> levels = new ArrayList<>();
		for (OrgNode store : stores.all()) {
			if (access.reaches(actor, store.id())) {
				levels.add(known.containsKey(store.id()) ? known.get(store.id()) : level(sku, store.id()));
			}
		}
		return levels;
	}

	CursorPage<StockLevel> atStore(Actor actor, OrgNodeId storeId, boolean lowOnly, @Nullable String after, int limit) {
		OrgNode store = stores.require(storeId, "storeId");
		access.requireAt(actor, Permission.CATALOG_READ, store.id());
		SkuId cursor = after == null || after.isBlank() ? null : new SkuId(uuid(after, "after"));
		return CursorPage.of(stock.atStore(store.id(), cursor, lowOnly, limit + 1), limit, l -> l.skuId().toString());
	}

	CursorPage<StockAdjustment> history(Actor actor, OrgNodeId storeId, String skuExternal, @Nullable String after,
			int limit) {
		OrgNode store = stores.require(storeId, "storeId");
		access.requireAt(actor, Permission.CATALOG_READ, store.id());
		SkuId sku = skuId(CatalogRules.externalId(skuExternal, "sku"), "sku");
		UUID cursor = after == null || after.isBlank() ? null : uuid(after, "after");
		return CursorPage.of(stock.history(sku, store.id(), cursor, limit + 1), limit, a -> a.id().toString());
	}

	// --- thresholds ---------------------------------------------------------------------------------

	/** Sets a SKU's threshold, or a store's own (null clears); re-arms alerts that no longer apply. */
	Threshold setThreshold(Actor actor, @Nullable String skuExternal, @Nullable OrgNodeId storeId,
			@Nullable Integer threshold) {
		String external = CatalogRules.externalId(skuExternal, "sku");
		CatalogRules.threshold(threshold, "threshold");
		if (storeId == null) {
			access.require(actor, Permission.CATALOG_WRITE);
			SkuId sku = skuId(external, "sku");
			tx.executeWithoutResult(s -> {
				products.setThreshold(sku, threshold, clock.instant());
				stock.rearmForSkuThreshold(sku, threshold);
			});
			return new Threshold(external, null, threshold, threshold);
		}
		OrgNode store = stores.require(storeId, "storeId");
		access.requireAt(actor, Permission.CATALOG_WRITE, store.id());
		SkuId sku = skuId(external, "sku");
		tx.executeWithoutResult(s -> stock.setStoreThreshold(sku, store.id(), threshold, clock.instant()));
		return new Threshold(external, store.id(), threshold, level(sku, store.id()).threshold());
	}

	// --- helpers ------------------------------------------------------------------------------------

	/** The SKU's id, or a 400 {@code unknown-sku} naming {@code field}. */
	SkuId skuId(String externalId, String field) {
		SkuId id = skuIds.getIfPresent(externalId);
		if (id == null) {
			id = products.skuIds(List.of(externalId)).get(externalId);
			if (id == null) {
				throw ApiException.badRequest("unknown-sku", field, "No SKU with external id '" + externalId + "'");
			}
			skuIds.put(externalId, id);
		}
		return id;
	}

	static String who(Actor actor) {
		return switch (actor) {
			case Actor.Staff s -> "staff:" + s.id();
			case Actor.ApiClient c -> "api-key:" + c.keyId();
			default -> throw ApiException.forbidden("forbidden", "Only staff and API keys change stock");
		};
	}

	static @Nullable String nameOf(Actor actor) {
		return switch (actor) {
			case Actor.Staff s -> s.username();
			case Actor.ApiClient c -> c.name();
			default -> null;
		};
	}

	private static UUID uuid(String text, String field) {
		try {
			return UUID.fromString(text);
		}
		catch (IllegalArgumentException e) {
			throw ApiException.badRequest("invalid-cursor", field, field + " must be a nextCursor from an earlier page");
		}
	}
}
