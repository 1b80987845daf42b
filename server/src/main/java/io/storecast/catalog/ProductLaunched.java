package io.storecast.catalog;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * A product went on sale through the catalog's API: created on sale (active, its launch time reached),
 * or made so by an upsert (activated, or its launch time moved to now or earlier), or the launch time
 * ahead that an upsert set was reached (published then by a scheduled task, once per launch time).
 * Published with the commit of the change; campaigns' new-arrival triggers announce it. CSV imports
 * and the demo catalog publish nothing (a bulk load is not a launch).
 *
 * @param tags the product's tag values per dimension, as on {@link ProductView#tags()}
 */
public record ProductLaunched(ProductId productId, String externalId, String name, @Nullable String category,
		Map<TagDimension, List<String>> tags, Instant at) {
}
