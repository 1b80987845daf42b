package io.storecast.delivery;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import io.storecast.audience.Channel;
import io.storecast.audience.Purpose;
import io.storecast.identity.CustomerId;
import io.storecast.identity.OrgNodeId;

/**
 * One message for one customer.
 *
 * @param source who asks, {@code [a-z0-9-]{1,20}(:[A-Za-z0-9._-]{1,60})?}, e.g. {@code campaign:42}
 * @param key the idempotency key within the source ({@code [A-Za-z0-9._:-]{1,64}}): a second request
 * with the same source and key creates nothing and returns the first delivery
 * @param store the store that speaks: its conversation with the customer (in-app), its name in the
 * SMS signature 【店名】
 * @param route the channels in order; each step after the first is taken only if the one before
 * failed, or was not read within its {@link Step#fallbackAfter()} (in-app only)
 * @param content what to say
 * @param notBefore not before this time (a contact-policy deferral); null for now
 * @param bulk one of many alike (a campaign's, a newsletter's): sent after every message of its channel
 * that is not bulk and is due, so that an order's notice or a new arrival's followers do not wait
 * behind a large campaign's backlog; its retries and fallbacks keep to that lane
 */
public record DeliveryRequest(String source, String key, CustomerId customerId, OrgNodeId store, Purpose purpose,
		List<Step> route, Content content, @Nullable Instant notBefore, boolean bulk) {

	/** A message that is not bulk. */
	public DeliveryRequest(String source, String key, CustomerId customerId, OrgNodeId store, Purpose purpose,
			List<Step> route, Content content, @Nullable Instant notBefore) {
		this(source, key, customerId, store, purpose, route, content, notBefore, false);
	}

	/**
	 * @param fallbackAfter for IN_APP: go on to the next step if the customer has not read the message
	 * this long after it was stored; null waits for failure only
	 */
	public record Step(Channel channel, @Nullable Duration fallbackAfter) {
	}

	/**
	 * @param text the message text (in-app text, the SMS body without its signature, the webhook's
	 * {@code text})
	 * @param smsText a shorter text for SMS, if the in-app one is too long; null uses {@code text}
	 * @param card an in-app card ({@code type} plus its fields, as messaging's cards); null sends text
	 * @param data extra fields for the webhook's {@code data} (ids, links); never shown to the customer
	 */
	public record Content(String text, @Nullable String smsText, @Nullable Map<String, Object> card,
			Map<String, Object> data) {
	}
}
