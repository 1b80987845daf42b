package io.storecast.catalog.internal;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Optional;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

import io.storecast.catalog.CustomisationKind;
import io.storecast.catalog.DeliveryEstimate;
import io.storecast.catalog.DeliveryEstimates;
import io.storecast.catalog.ProductView;
import io.storecast.catalog.SkuId;
import io.storecast.catalog.SkuView;
import io.storecast.identity.AccessPolicy;
import io.storecast.identity.Actor;
import io.storecast.identity.OrgNode;
import io.storecast.identity.OrgNodeId;
import io.storecast.identity.Permission;
import io.storecast.platform.ApiException;

/**
 * Delivery estimates: each store has a lead time (days from shipping to arrival) and a cut-off hour
 * (orders before it ship the same day, in the store's time zone); a product not launched yet ships
 * from its launch, and customisations add their extra days.
 */
@Service
class DeliveryPlanning implements DeliveryEstimates {

	/** A store's delivery settings; {@code configured} is false for the defaults. */
	record Settings(OrgNodeId storeId, int leadDays, int cutoffHour, boolean configured) {
	}

	record SettingsBody(@Nullable Integer leadDays, @Nullable Integer cutoffHour) {
	}

	/** The dates of a plan, before availability is considered. */
	record Plan(LocalDate shipDate, LocalDate arrivalDate, Instant orderBy, boolean arrivesTomorrow) {
	}

	private final JdbcClient jdbc;
	private final Products products;
	private final StockKeeping stock;
	private final Stores stores;
	private final AccessPolicy access;
	private final CatalogSettings defaults;
	private final Clock clock;

	DeliveryPlanning(JdbcClient jdbc, Products products, StockKeeping stock, Stores stores, AccessPolicy access,
			CatalogSettings defaults, Clock clock) {
		this.jdbc = jdbc;
		this.products = products;
		this.stock = stock;
		this.stores = stores;
		this.access = access;
		this.defaults = defaults;
		this.clock = clock;
	}

	@Override
	public DeliveryEstimate estimate(OrgNodeId storeId, SkuId skuId, Instant at, Set<CustomisationKind> customisations) {
		OrgNode store = stores.find(storeId).orElseThrow(() -> new IllegalArgumentException("No store " + storeId));
		SkuView sku = products.findSku(skuId).orElseThrow(() -> new IllegalArgumentException("No SKU " + skuId));
		ProductView product = products.findProduct(sku.productId()).orElseThrow();
		Settings settings = settings(storeId);
		int extra = product.extraLeadDays(customisations);
		long onHand = stock.level(skuId, storeId).onHand();
		String reason = null;
		if (sku.endAt() != null && !at.isBefore(sku.endAt())) {
			reason = "ended";
		}
		else if (!sku.active() || !product.active()) {
			reason = "not-on-sale";
		}
		else if (onHand <= 0) {
			reason = "out-of-stock";
		}
		ZoneId zone = store.timeZone();
		if (reason != null) {
			return new DeliveryEstimate(storeId, sku.externalId(), at, zone, onHand, false, reason, settings.cutoffHour(),
					settings.leadDays(), extra, null, null, null, false);
		}
		Plan plan = plan(at.atZone(zone), settings.cutoffHour(), settings.leadDays(), extra,
				sku.launchAt() == null ? null : sku.launchAt().atZone(zone));
		return new DeliveryEstimate(storeId, sku.externalId(), at, zone, onHand, true, null, settings.cutoffHour(),
				settings.leadDays(), extra, plan.shipDate(), plan.arrivalDate(), plan.orderBy(), plan.arrivesTomorrow());
	}

	/**
	 * The dates for an order at {@code local} (store time): it ships that day before the cut-off hour,
	 * else the next; not before launch; {@code extraDays} later for customisations; arrives
	 * {@code leadDays} after shipping.
	 */
	static Plan plan(ZonedDateTime local, int cutoffHour, int leadDays, int extraDays, @Nullable ZonedDateTime launch) {
		LocalDate ship = shipDay(local, cutoffHour);
		if (launch != null && launch.isAfter(local)) {
			LocalDate fromLaunch = shipDay(launch, cutoffHour);
			if (fromLaunch.isAfter(ship)) {
				ship = fromLaunch;
			}
		}
		Instant orderBy = ship.atStartOfDay(local.getZone()).plusHours(cutoffHour).toInstant();
		LocalDate shipped = ship.plusDays(extraDays);
		LocalDate arrival = shipped.plusDays(leadDays);
		return new Plan(shipped, arrival, orderBy, arrival.equals(local.toLocalDate().plusDays(1)));
	}

	private static LocalDate shipDay(ZonedDateTime local, int cutoffHour) {
		return local.getHour() < cutoffHour ? local.toLocalDate() : local.toLocalDate().plusDays(1);
	}

	// --- over the API -----------------------------------------------------------------------------

	DeliveryEstimate estimate(Actor actor, OrgNodeId storeId, String skuExternal, @Nullable Instant at,
			Set<CustomisationKind> customisations) {
		OrgNode store = stores.require(storeId, "storeId");
		access.requireAt(actor, Permission.CATALOG_READ, store.id());
		SkuId sku = stock.skuId(CatalogRules.externalId(skuExternal, "sku"), "sku");
		return estimate(store.id(), sku, at == null ? clock.instant() : at, customisations);
	}

	Settings settings(Actor actor, OrgNodeId storeId) {
		OrgNode store = stores.require(storeId, "storeId");
		access.requireAt(actor, Permission.CATALOG_READ, store.id());
		return settings(store.id());
	}

	Settings update(Actor actor, OrgNodeId storeId, SettingsBody body) {
		OrgNode store = stores.require(storeId, "storeId");
		access.requireAt(actor, Permission.CATALOG_WRITE, store.id());
		if (body.leadDays() == null || body.leadDays() < 0 || body.leadDays() > 60) {
			throw ApiException.badRequest("validation-failed", "leadDays", "leadDays must be between 0 and 60");
		}
		if (body.cutoffHour() == null || body.cutoffHour() < 0 || body.cutoffHour() > 24) {
			throw ApiException.badRequest("validation-failed", "cutoffHour",
					"cutoffHour must be between 0 (never the same day) and 24 (any time of the day)");
		}
		jdbc.sql("""
				INSERT INTO catalog_delivery_settings (store_id, lead_days, cutoff_hour, updated_at) VALUES (?, ?, ?, ?)
				ON CONFLICT (store_id) DO UPDATE SET lead_days = excluded.lead_days, cutoff_hour = excluded.cutoff_hour,
				                                     updated_at = excluded.updated_at""")
			.params(store.id().value(), body.leadDays(), body.cutoffHour(), Timestamp.from(clock.instant()))
			.update();
		return settings(store.id());
	}

	Settings settings(OrgNodeId store) {
		Optional<Settings> own = jdbc.sql("SELECT lead_days, cutoff_hour FROM catalog_delivery_settings WHERE store_id = ?")
			.param(store.value())
			.query((rs, n) -> new Settings(store, rs.getInt(1), rs.getInt(2), true))
			.optional();
		return own.orElseGet(() -> new Settings(store, defaults.defaultLeadDays(), defaults.defaultCutoffHour(), false));
	}
}
