package io.storecast.audience.internal;

import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.List;
import java.util.Set;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import io.storecast.audience.Channel;

/**
 * Audience and contact-policy settings (every one documented in the README and docs/audience.md).
 *
 * @param newWithin a customer whose first purchase is this recent (or who has none) is NEW
 * @param dormantAfter a customer with no purchase for this long is DORMANT
 * @param sendWindowStart start of the default marketing send window, local time of the customer
 * @param sendWindowEnd its end (exclusive); after its start, the same day
 * @param frequencyCap marketing messages per customer per {@code frequencyWindow}, all campaigns and channels together
 * @param frequencyWindow the rolling window of the cap
 * @param holidays merchant-wide days without marketing (more, with windows, over the API)
 * @param impliedConsentChannels channels where marketing needs no explicit opt-in (until withdrawn)
 * @param unsubscribeWords replies that withdraw marketing consent (compared after trimming, case and width folding)
 * @param suppressAfterFailures failures of a phone number before it is suppressed
 * @param ruleRefresh how often rule tags that look back a number of days are re-evaluated over everyone
 */
@ConfigurationProperties("storecast.audience")
record AudienceSettings(@DefaultValue("30d") Duration newWithin, @DefaultValue("90d") Duration dormantAfter,
		@DefaultValue("09:00") LocalTime sendWindowStart, @DefaultValue("20:00") LocalTime sendWindowEnd,
		@DefaultValue("3") int frequencyCap, @DefaultValue("30d") Duration frequencyWindow,
		@DefaultValue List<LocalDate> holidays, @DefaultValue("IN_APP") Set<Channel> impliedConsentChannels,
		@DefaultValue({ "退订", "退訂", "TD", "T", "unsubscribe" }) List<String> unsubscribeWords,
		@DefaultValue("3") int suppressAfterFailures, @DefaultValue("6h") Duration ruleRefresh) {

	AudienceSettings {
		if (newWithin.isNegative() || dormantAfter.compareTo(newWithin) < 0) {
			throw new IllegalArgumentException(
					"storecast.audience.dormant-after must be at least storecast.audience.new-within");
		}
		if (!sendWindowEnd.isAfter(sendWindowStart)) {
			throw new IllegalArgumentException(
					"storecast.audience.send-window-end must be after storecast.audience.send-window-start");
		}
		if (frequencyCap < 0 || frequencyCap > 1000) {
			throw new IllegalArgumentException("storecast.audience.frequency-cap must be between 0 and 1000");
		}
		if (frequencyWindow.toDays() < 1 || frequencyWindow.toDays() > 366) {
			throw new IllegalArgumentException("storecast.audience.frequency-window must be between 1 and 366 days");
		}
		if (suppressAfterFailures < 1) {
			throw new IllegalArgumentException("storecast.audience.suppress-after-failures must be at least 1");
		}
		if (ruleRefresh.compareTo(Duration.ofMinutes(1)) < 0) {
			throw new IllegalArgumentException("storecast.audience.rule-refresh must be at least 1m");
		}
		holidays = List.copyOf(holidays);
		impliedConsentChannels = Set.copyOf(impliedConsentChannels);
		unsubscribeWords = List.copyOf(unsubscribeWords);
	}
}
