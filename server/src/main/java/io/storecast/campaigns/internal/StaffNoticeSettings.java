package io.storecast.campaigns.internal;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Staff notice settings.
 *
 * @param minCheckInMinutes the shortest check-in interval a notice may ask for
 * @param maxCheckInRounds the most check-in rounds one notice asks (a notice nobody closes stops there)
 * @param maxRecipients the most staff one notice reaches
 */
@ConfigurationProperties("storecast.campaigns.staff-notices")
record StaffNoticeSettings(@DefaultValue("15") int minCheckInMinutes, @DefaultValue("100") int maxCheckInRounds,
		@DefaultValue("5000") int maxRecipients) {

	StaffNoticeSettings {
		if (minCheckInMinutes < 1 || minCheckInMinutes > 1440) {
			throw new IllegalArgumentException("storecast.campaigns.staff-notices.min-check-in-minutes must be between 1 and 1440");
		}
		if (maxCheckInRounds < 1 || maxCheckInRounds > 10_000) {
			throw new IllegalArgumentException("storecast.campaigns.staff-notices.max-check-in-rounds must be between 1 and 10000");
		}
		if (maxRecipients < 1 || maxRecipients > 100_000) {
			throw new IllegalArgumentException("storecast.campaigns.staff-notices.max-recipients must be between 1 and 100000");
		}
	}
}
