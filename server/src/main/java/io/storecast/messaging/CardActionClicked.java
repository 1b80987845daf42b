package io.storecast.messaging;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

import io.storecast.identity.OrgNodeId;
import tools.jackson.databind.JsonNode;

/**
 * A member pressed a button of a card: one of an action card's buttons, or a coupon card's claim
 * button; modules that sent the card (a stock transfer to approve, a survey) or that own what it
 * offers (coupons) act on it. Published through the event registry, so it survives a crash.
 *
 * @param payload the card's payload as it was sent, so a listener needs no second lookup
 * @param card the card's type: {@code action} or {@code coupon}
 * @param orgNodeId the org node the conversation belongs to (a customer conversation's store, a group's node)
 */
public record CardActionClicked(ConversationId conversationId, long seq, String actionId, Participant by,
		Instant at, JsonNode payload, String card, @Nullable OrgNodeId orgNodeId) {

	/** The action of a coupon card that has no {@code claimAction} of its own. */
	public static final String CLAIM = "claim";
}
