package io.storecast.identity;

/**
 * A known customer's profile changed (phone, nickname, home store, member level or birthday);
 * modules that keep a copy of these fields read the new ones through {@link CustomerDirectory}.
 */
public record CustomerUpdated(CustomerId customerId) {
}
