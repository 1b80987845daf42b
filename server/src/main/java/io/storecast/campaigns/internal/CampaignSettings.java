package io.storecast.campaigns.internal;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Campaign settings.
 *
 * @param chunkSize recipients decided, rendered and handed to delivery per transaction (1-1000)
 * @param sendWorkers chunks of one send handed off side by side, each its own transaction (1-16): one
 * is decided and rendered while another waits for the database
 * @param planPageSize audience members written to the recipient list per statement when a send starts
 * @param maxCustomers the longest explicit customer list a campaign may name
 * @param smsMaxLength the most characters an SMS template may come to with its variables at their
 * longest (the default, 390, is 6 UCS-2 segments of 67 less a 12-character 【店名】 signature)
 * @param publicUrl the server's public address, put in front of {@code {link}} and {@code {unsubscribe}}
 * (empty: the bare path)
 * @param resumeOnStart whether a start resumes the sends a stop interrupted (campaigns left SENDING)
 * @param approvalAbove a send to more recipients than this waits for approval (0: never); the default
 * of the setting changed over the API ({@code PUT /api/v1/campaigns/settings})
 * @param minRecurrenceInterval the shortest time a recurring campaign's rule may leave between runs
 */
@ConfigurationProperties("storecast.campaigns")
record CampaignSettings(@DefaultValue("1000") int chunkSize, @DefaultValue("2") int sendWorkers,
		@DefaultValue("10000") int planPageSize,
		@DefaultValue("10000") int maxCustomers, @DefaultValue("390") int smsMaxLength,
		@DefaultValue("") String publicUrl, @DefaultValue("true") boolean resumeOnStart,
		@DefaultValue("0") long approvalAbove, @DefaultValue("1h") Duration minRecurrenceInterval) {

	CampaignSettings {
		if (chunkSize < 1 || chunkSize > 1000) {
			throw new IllegalArgumentException("storecast.campaigns.chunk-size must be between 1 and 1000");
		}
		if (sendWorkers < 1 || sendWorkers > 16) {
			throw new IllegalArgumentException("storecast.campaigns.send-workers must be between 1 and 16");
		}
		if (planPageSize < 1 || planPageSize > 100_000) {
			throw new IllegalArgumentException("storecast.campaigns.plan-page-size must be between 1 and 100000");
		}
		if (maxCustomers < 1 || maxCustomers > 100_000) {
			throw new IllegalArgumentException("storecast.campaigns.max-customers must be between 1 and 100000");
		}
		if (smsMaxLength < 20 || smsMaxLength > 2000) {
			throw new IllegalArgumentException("storecast.campaigns.sms-max-length must be between 20 and 2000");
		}
		if (approvalAbove < 0) {
			throw new IllegalArgumentException("storecast.campaigns.approval-above must be 0 (off) or more");
		}
		if (minRecurrenceInterval.isNegative()) {
			throw new IllegalArgumentException("storecast.campaigns.min-recurrence-interval must not be negative");
		}
		if (publicUrl.endsWith("/")) {
			publicUrl = publicUrl.substring(0, publicUrl.length() - 1);
		}
	}
}
