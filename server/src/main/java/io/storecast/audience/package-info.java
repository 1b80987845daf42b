/**
 * Who hears what, when, and only with their consent: customer profiles (identity data joined with
 * purchase and engagement facts), manual, imported and rule tags kept current from events,
 * subscriptions to topics, segments compiled to one SQL query, consent per channel and purpose with
 * its append-only history, unsubscribes (reply words, signed links), suppressed phone numbers, and
 * the {@link io.storecast.audience.ContactPolicy} every marketing message must pass.
 */
@NullMarked
@ApplicationModule(displayName = "Audience and contact policy",
		allowedDependencies = { "platform", "identity", "orders", "messaging" })
package io.storecast.audience;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.ApplicationModule;
