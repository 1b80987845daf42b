package io.storecast.delivery.internal;

import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

import io.storecast.audience.Channel;
import io.storecast.identity.CustomerDirectory;
import io.storecast.identity.CustomerId;
import io.storecast.identity.CustomerProfile;
import io.storecast.platform.ApiException;
import io.storecast.platform.PhoneNumbers;

/** Where a channel reaches a customer: the phone (SMS), the merchant's endpoint (WEBHOOK), nothing (IN_APP). */
@Component
class Addresses {

	private final CustomerDirectory customers;
	private final WebhookEndpoints webhooks;

	Addresses(CustomerDirectory customers, WebhookEndpoints webhooks) {
		this.customers = customers;
		this.webhooks = webhooks;
	}

	@Nullable
	String of(Channel channel, CustomerId customer) {
		if (channel == Channel.IN_APP) {
			return null;
		}
		return customers.find(customer).map(c -> of(channel, c)).orElse(null);
	}

	/** The same for a customer already looked up. */
	@Nullable
	String of(Channel channel, CustomerProfile customer) {
		return switch (channel) {
			case IN_APP -> null;
			case SMS -> phone(customer.phone());
			case WEBHOOK -> webhooks.current().map(WebhookEndpoints.Endpoint::url).orElse(null);
		};
	}

	@Nullable
	static String phone(@Nullable String raw) {
		if (raw == null || raw.isBlank()) {
			return null;
		}
		try {
			return PhoneNumbers.normalize(raw, "phone");
		}
		catch (ApiException notAPhone) {
			return null;
		}
	}
}
