/**
 * Campaigns: a promotion defined once (purpose, window, offer with an optional coupon, participating
 * stores, route of channels, templates per channel and locale, audience) and sent to every right
 * customer exactly once — the audience snapshotted into a recipient list, each recipient decided by
 * audience's contact policy, rendered and handed to delivery in chunks that commit with their
 * recipients' status, so a send interrupted at any point resumes without loss or duplicate. Staff
 * notices reach staff in messaging's staff rooms (acknowledgement, reminders, check-in rounds), and
 * cascades forward a campaign announced to store managers as child campaigns per store. Results
 * (tracked links, replies, coupons claimed and redeemed, order revenue, ROI) are counted from facts
 * per recipient, coupon, redemption and order.
 * Nothing depends on this module.
 */
@NullMarked
@ApplicationModule(displayName = "Campaigns",
		allowedDependencies = { "platform", "identity", "audience", "delivery", "coupons", "messaging", "catalog", "orders" })
package io.storecast.campaigns;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.ApplicationModule;
