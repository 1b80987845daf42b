package io.storecast.identity;

import java.time.Instant;
import java.time.LocalDate;

import org.jspecify.annotations.Nullable;

/** A customer (member) as the identity module keeps it; other modules derive richer profiles from it. */
public record CustomerProfile(CustomerId id, String externalId, @Nullable String phone, @Nullable String nickname,
		@Nullable OrgNodeId homeStoreId, @Nullable String memberLevel, @Nullable LocalDate birthday,
		@Nullable String locale, Instant createdAt, Instant updatedAt) {

	/** The languages a customer may read, and campaigns, triggers and surveys may be written in. */
	public static final java.util.Set<String> LOCALES = java.util.Set.of("zh-CN", "en");
}
