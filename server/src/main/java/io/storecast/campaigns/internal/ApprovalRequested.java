package io.storecast.campaigns.internal;

import java.util.UUID;

import io.storecast.campaigns.CampaignId;

/** A send started waiting for approval: request {@code requestId} of the campaign. */
record ApprovalRequested(CampaignId campaignId, UUID requestId) {
}
