package io.storecast.catalog.internal;

import java.nio.file.Path;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Catalog defaults and import limits.
 *
 * @param defaultLeadDays days from shipping to arrival for a store without its own delivery settings
 * @param defaultCutoffHour hour of the day (store time) until which an order ships the same day
 * @param importDir where uploaded CSV files wait for their import; {@code ${STORECAST_DATA_DIR:./data}/imports} when not set
 * @param importMaxFileSize the largest CSV file accepted (413 above it)
 * @param importBatchSize rows written per transaction
 * @param importMaxErrors errors kept per import job (all are counted)
 */
@ConfigurationProperties("storecast.catalog")
record CatalogSettings(@DefaultValue("1") int defaultLeadDays, @DefaultValue("16") int defaultCutoffHour,
		@Nullable Path importDir, @DefaultValue("200MB") DataSize importMaxFileSize,
		@DefaultValue("1000") int importBatchSize, @DefaultValue("10000") int importMaxErrors) {

	CatalogSettings {
		if (defaultLeadDays < 0 || defaultLeadDays > 60) {
			throw new IllegalArgumentException("storecast.catalog.default-lead-days must be between 0 and 60");
		}
		if (defaultCutoffHour < 0 || defaultCutoffHour > 24) {
			throw new IllegalArgumentException("storecast.catalog.default-cutoff-hour must be between 0 and 24");
		}
		if (importBatchSize < 1 || importBatchSize > 10_000) {
			throw new IllegalArgumentException("storecast.catalog.import-batch-size must be between 1 and 10000");
		}
	}
}
