package io.storecast.catalog;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * A product with its SKUs, tags and customisations.
 *
 * @param tags values per dimension, e.g. {@code {occasion: [中秋], recipient: [长辈, 老师]}}
 * @param launchAt on sale from (inclusive; null: always); {@code endAt} until (exclusive; null: no end)
 */
public record ProductView(ProductId id, String externalId, String name, @Nullable String description,
		@Nullable String category, List<String> images, Map<TagDimension, List<String>> tags, @Nullable Instant launchAt,
		@Nullable Instant endAt, boolean active, List<Customisation> customisations, List<SkuView> skus,
		Instant createdAt, Instant updatedAt) {

	public List<String> tags(TagDimension dimension) {
		return tags.getOrDefault(dimension, List.of());
	}

	/** Whether the product can be sold at {@code at}: active and within its launch window. */
	public boolean onSaleAt(Instant at) {
		return active && (launchAt == null || !at.isBefore(launchAt)) && (endAt == null || at.isBefore(endAt));
	}

	/** The longest extra lead time of the given customisations this product offers. */
	public int extraLeadDays(java.util.Collection<CustomisationKind> wanted) {
		return customisations.stream()
			.filter(c -> wanted.contains(c.kind()))
			.mapToInt(Customisation::extraLeadDays)
			.max()
			.orElse(0);
	}
}
