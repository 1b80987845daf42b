package io.storecast.audience;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

import io.storecast.identity.CustomerId;
import io.storecast.identity.OrgNodeId;

/**
 * A customer's consent for a channel and purpose changed (granted or withdrawn); published once per
 * change with the history entry that records it. Audience itself confirms an in-app withdrawal in
 * the customer's conversation with {@code storeId} (else the home store); delivery confirms SMS ones.
 *
 * @param source CHAT_REPLY, SMS_REPLY, LINK, WIDGET, QR, GROUP, API, STAFF, IMPORT or DEMO
 * @param historyId the id of the consent history entry
 * @param storeId the store whose conversation the change came from, if it came from one
 */
public record ConsentChanged(CustomerId customerId, Channel channel, Purpose purpose, boolean granted, String source,
		long historyId, @Nullable OrgNodeId storeId, Instant at) {
}
