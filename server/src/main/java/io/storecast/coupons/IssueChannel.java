package io.storecast.coupons;

/** How a coupon reached its customer. */
public enum IssueChannel {
	/** The customer claimed it (a coupon card in the chat, a campaign link, a live room). */
	CLAIM,
	/** The merchant's systems granted it (a campaign, a trigger, a survey reward). */
	GRANT
}
