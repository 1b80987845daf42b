/**
 * The real-time gateway: a Netty WebSocket server on its own port. It authenticates at the
 * handshake, speaks the JSON protocol of {@code docs/protocol.md}, hands requests to messaging,
 * and pushes what messaging commits to the members who are online.
 */
@NullMarked
@ApplicationModule(displayName = "Gateway")
package io.storecast.gateway;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.ApplicationModule;
