package io.storecast.campaigns.internal;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Campaign results settings.
 *
 * @param attributionWindow a redemption counts for the campaign that issued the coupon when it
 * happens within this long of the coupon's claim or grant
 * @param replyWindow a customer's reply in the store's conversation, or a marketing unsubscribe,
 * counts for their latest campaign message handed off within this long before it
 */
@ConfigurationProperties("storecast.campaigns.results")
record ResultsSettings(@DefaultValue("14d") Duration attributionWindow, @DefaultValue("72h") Duration replyWindow) {

	ResultsSettings {
		if (attributionWindow.compareTo(Duration.ofHours(1)) < 0 || attributionWindow.compareTo(Duration.ofDays(366)) > 0) {
			throw new IllegalArgumentException("storecast.campaigns.results.attribution-window must be between 1h and 366d");
		}
		if (replyWindow.compareTo(Duration.ofMinutes(1)) < 0 || replyWindow.compareTo(Duration.ofDays(90)) > 0) {
			throw new IllegalArgumentException("storecast.campaigns.results.reply-window must be between 1m and 90d");
		}
	}
}
