package io.storecast.orders.internal;

import java.time.Duration;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Orders settings.
 *
 * @param webhookSecret the shared secret the merchant's systems sign inbound order webhooks with
 * ({@code STORECAST_ORDERS_WEBHOOK_SECRET}, at least 16 characters); when empty the webhook refuses
 * everything with 503 {@code webhook-not-configured}
 * @param webhookTolerance how far a webhook's timestamp may be from the server's clock, either way
 * @param cardMaxAge a status change that happened longer ago than this is recorded without an order
 * card to the customer (a backfill of old orders does not flood conversations)
 */
@ConfigurationProperties("storecast.orders")
record OrdersSettings(@Nullable String webhookSecret, @DefaultValue("5m") Duration webhookTolerance,
		@DefaultValue("24h") Duration cardMaxAge) {

	static final int MIN_SECRET_LENGTH = 16;

	OrdersSettings {
		if (webhookSecret != null && webhookSecret.isBlank()) {
			webhookSecret = null;
		}
		if (webhookSecret != null && webhookSecret.length() < MIN_SECRET_LENGTH) {
			throw new IllegalArgumentException("storecast.orders.webhook-secret must be at least " + MIN_SECRET_LENGTH
					+ " characters (e.g. openssl rand -hex 32)");
		}
		if (webhookTolerance.isNegative() || webhookTolerance.isZero()) {
			throw new IllegalArgumentException("storecast.orders.webhook-tolerance must be positive");
		}
	}
}
