package io.storecast.identity;

/** An action on data; granted to roles ({@link Role#permissions()}) and API key scopes ({@link ApiScope}). */
public enum Permission {
	ORG_READ, ORG_WRITE, STAFF_READ, STAFF_WRITE, CUSTOMER_READ, CUSTOMER_WRITE, CUSTOMER_TOKEN_MINT, API_KEYS_MANAGE,
	AUDIT_READ,
	/** Read products, SKUs, stock levels and delivery estimates. */
	CATALOG_READ,
	/** Create and change products and SKUs, import catalogs, set thresholds and delivery settings. */
	CATALOG_WRITE,
	/** Adjust stock (sales, receipts, counts) at a store. */
	STOCK_WRITE,
	/** Request and approve stock transfers between stores. */
	STOCK_TRANSFER,
	/** Read orders and their timelines. */
	ORDER_READ,
	/** Record orders and their status changes (the merchant's systems). */
	ORDER_WRITE,
	/** Read coupon templates, issued coupons and their redemptions. */
	COUPON_READ,
	/** Create and change coupon templates, grant coupons to customers, revoke coupons. */
	COUPON_WRITE,
	/** Validate carts against coupons and redeem or roll back coupons on orders at a store. */
	COUPON_REDEEM,
	/** Read customer profiles, tags, subscriptions, segments and contact-policy settings. */
	AUDIENCE_READ,
	/** Tag customers; define tag rules, segments and the contact policy (head office level for the last three). */
	AUDIENCE_WRITE,
	/** Record a customer's consent or its withdrawal, or suppress a phone number, with its source. */
	CONSENT_WRITE,
	/** Hand messages to the delivery channels (in-app, SMS, webhook) for customers. */
	DELIVERY_SEND,
	/** Read deliveries, their attempts, statistics and the dead letters. */
	DELIVERY_READ,
	/** Set the merchant's webhook endpoint and its signing secret. */
	DELIVERY_ADMIN,
	/** Read campaigns, their recipients and progress (within the reader's part of the organisation). */
	CAMPAIGN_READ,
	/** Create, change, schedule, send and cancel campaigns for the customers within the writer's part of the organisation. */
	CAMPAIGN_WRITE,
	/** Approve or reject campaign sends waiting for approval, and set how large a send needs it (head office level). */
	CAMPAIGN_APPROVE
}
