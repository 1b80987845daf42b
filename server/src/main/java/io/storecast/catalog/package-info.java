/**
 * What the merchant sells and where it is: products and SKUs with the merchant's own external ids,
 * typed tags (occasion, recipient, style, material), seasonal windows and customisations; stock per
 * SKU and store, changed only by audited adjustments; low-stock alerts to the store's managers;
 * transfers between stores approved in the chat; delivery estimates; and CSV imports.
 * Other modules read it through {@link io.storecast.catalog.Catalog} and
 * {@link io.storecast.catalog.StockLevels}, and hear of its facts through its events.
 */
@NullMarked
@ApplicationModule(displayName = "Catalog and stock")
package io.storecast.catalog;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.ApplicationModule;
