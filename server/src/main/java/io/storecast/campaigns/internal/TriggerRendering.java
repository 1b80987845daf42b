package io.storecast.campaigns.internal;

import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

import io.storecast.audience.Channel;
import io.storecast.audience.Consents;
import io.storecast.delivery.DeliveryRequest;
import io.storecast.identity.CustomerProfile;
import io.storecast.identity.OrgNode;

/**
 * Turns one firing of a trigger and one recipient into a delivery request: the templates rendered
 * with the customer's values and the event's, the event's in-app card (the in-app text as its
 * {@code text}), the route with its fallback times. One per firing run.
 */
final class TriggerRendering {

	private final Trigger trigger;
	private final Triggers.Firing firing;
	/** The survey whose first question the firing's card is (asked in each customer's language), or null. */
	private final @Nullable Survey survey;
	private final Consents consents;
	private final String publicUrl;
	private final LocalizedTemplates inApp;
	private final LocalizedTemplates sms;
	private final List<DeliveryRequest.Step> route;
	private final String keyPrefix;

	TriggerRendering(Trigger trigger, Triggers.Firing firing, @Nullable Survey survey, Consents consents, String publicUrl,
			Duration minute) {
		this.trigger = trigger;
		this.firing = firing;
		this.survey = survey;
		this.consents = consents;
		this.publicUrl = publicUrl;
		Trigger.Definition d = trigger.definition();
		this.inApp = LocalizedTemplates.parse(d.templates().get(Channel.IN_APP));
		this.sms = LocalizedTemplates.parse(d.templates().get(Channel.SMS));
		// delivery takes 1 s at the least
		this.route = d.route().stream()
			.map(s -> new DeliveryRequest.Step(s.channel(), s.fallbackAfterMinutes() == null ? null
					: max(minute.multipliedBy(s.fallbackAfterMinutes()), Duration.ofSeconds(1))))
			.toList();
		this.keyPrefix = compact(firing.id()) + ":";
	}

	private static Duration max(Duration a, Duration b) {
		return a.compareTo(b) >= 0 ? a : b;
	}


	/** The firing's id in 22 characters, so that it and a customer id fit a delivery key (64). */
	static String compact(UUID id) {
		byte[] bytes = new byte[16];
		long hi = id.getMostSignificantBits();
		long lo = id.getLeastSignificantBits();
		for (int i = 0; i < 8; i++) {
			bytes[i] = (byte) (hi >>> (56 - 8 * i));
			bytes[8 + i] = (byte) (lo >>> (56 - 8 * i));
		}
		return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
	}

	/** The request for one customer, spoken by {@code store} (the delivery key: the firing and the customer). */
	DeliveryRequest request(CustomerProfile customer, OrgNode store) {
		Trigger.Definition d = trigger.definition();
		Triggers.Subject subject = firing.subject();
		String text;
		String smsText = null;
		boolean textChannel = d.routes(Channel.IN_APP) || d.routes(Channel.WEBHOOK);
		if (textChannel) {
			text = render(java.util.Objects.requireNonNull(inApp.forReader(customer.locale())), customer, store,
					Channel.IN_APP);
			if (d.routes(Channel.SMS)) {
				smsText = render(java.util.Objects.requireNonNull(sms.forReader(customer.locale())), customer, store,
						Channel.SMS);
			}
		}
		else {
			text = render(java.util.Objects.requireNonNull(sms.forReader(customer.locale())), customer, store, Channel.SMS);
		}
		Map<String, Object> card = null;
		if (subject.card() != null && d.routes(Channel.IN_APP)) {
			card = new LinkedHashMap<>(survey != null ? SurveyCards.invitation(survey, customer.locale()) : subject.card());
			if ("product".equals(card.get("type"))) {
				card.put("storeId", store.id().toString());
			}
			card.put("text", text);
		}
		Map<String, Object> data = new LinkedHashMap<>(subject.data());
		data.put("triggerId", trigger.id().toString());
		data.put("event", firing.eventKey());
		return new DeliveryRequest(trigger.source(), keyPrefix + customer.id(), customer.id(), store.id(), trigger.purpose(),
				route, new DeliveryRequest.Content(text, smsText, card, data), null);
	}

	private String render(MessageTemplate template, CustomerProfile customer, OrgNode store, Channel channel) {
		Map<String, String> values = new HashMap<>();
		for (String variable : template.variables()) {
			values.computeIfAbsent(variable, v -> switch (v) {
				case "nickname" -> Rendering.nickname(customer, channel);
				case "store" -> store.name();
				case "link" -> publicUrl + consents.unsubscribeLink(customer.id(), channel);
				default -> firing.subject().values().getOrDefault(v, "");
			});
		}
		return template.render(values);
	}
}
