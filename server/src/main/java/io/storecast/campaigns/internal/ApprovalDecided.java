package io.storecast.campaigns.internal;

import java.util.UUID;

import org.jspecify.annotations.Nullable;

import io.storecast.campaigns.CampaignId;
import io.storecast.identity.StaffId;

/**
 * A send waiting for approval was approved, rejected, withdrawn or expired.
 *
 * @param byName who decided, as the chat names them (a staff member's display name, an API key's name)
 * @param by the staff member who decided; null for an API key or the expiry
 * @param requester the staff member who asked; null for an API key
 */
record ApprovalDecided(CampaignId campaignId, UUID requestId, Approvals.Decision decision, String byName,
		@Nullable StaffId by, @Nullable String reason, @Nullable StaffId requester) {
}
