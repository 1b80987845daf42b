package io.storecast.catalog;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;

import org.jspecify.annotations.Nullable;

import io.storecast.identity.OrgNodeId;

/**
 * When an order placed at {@code at} with a store would arrive: it ships on {@code shipDate} (the
 * same day before the store's cut-off hour, else the next; later for a product not yet launched or
 * a customisation that takes days) and arrives {@code leadDays} later. Dates are in the store's zone.
 *
 * @param available false when the store cannot sell it now; {@code reason} says why
 *        ({@code out-of-stock}, {@code not-on-sale}, {@code ended}) and the dates are null
 * @param orderBy the last moment to order for {@code shipDate} (the cut-off), null when unavailable
 * @param arrivesTomorrow whether it arrives the day after {@code at} (the question customers ask)
 */
public record DeliveryEstimate(OrgNodeId storeId, String sku, Instant at, ZoneId zone, long onHand, boolean available,
		@Nullable String reason, int cutoffHour, int leadDays, int extraLeadDays, @Nullable LocalDate shipDate,
		@Nullable LocalDate arrivalDate, @Nullable Instant orderBy, boolean arrivesTomorrow) {
}
