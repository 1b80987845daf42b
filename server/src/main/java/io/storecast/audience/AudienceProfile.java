package io.storecast.audience;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;

import org.jspecify.annotations.Nullable;

import io.storecast.identity.CustomerId;
import io.storecast.identity.OrgNodeId;

/**
 * A customer as audience sees them: identity data joined with derived facts.
 *
 * @param timeZone the customer's own time zone when known (quiet hours use it before the home store's)
 * @param totalSpendFen what the kept lines of paid orders came to (before order-level discounts and shipping)
 * @param orderCount paid orders neither cancelled nor refunded
 * @param favouriteCategories up to three categories, most often bought first
 * @param tags tag names, manual, imported and rule alike
 * @param subscriptions the topics followed
 */
public record AudienceProfile(CustomerId customerId, @Nullable OrgNodeId homeStoreId, @Nullable String memberLevel,
		@Nullable LocalDate birthday, @Nullable String timeZone, Instant registeredAt, @Nullable Instant firstPurchaseAt,
		@Nullable Instant lastPurchaseAt, int orderCount, long totalSpendFen, List<String> favouriteCategories,
		Lifecycle lifecycle, @Nullable Instant lastReadAt, @Nullable Instant lastClickAt, List<String> tags,
		List<Topic> subscriptions) {
}
