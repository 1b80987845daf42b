/**
 * Conversations (direct, group, channel), their members and messages. Every stored message has a
 * gapless per-conversation sequence number; sends are idempotent on the client's message id;
 * receipts, acknowledgements, reactions and recalls are kept here. Live delivery is the gateway's:
 * it implements {@link LiveUpdates}.
 */
@NullMarked
@ApplicationModule(displayName = "Messaging")
package io.storecast.messaging;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.ApplicationModule;
