package io.storecast.audience.internal;

import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.modulith.events.ApplicationModuleListener;
import org.springframework.stereotype.Component;

import io.storecast.audience.Channel;
import io.storecast.audience.ConsentChanged;
import io.storecast.audience.Purpose;
import io.storecast.identity.CustomerDirectory;
import io.storecast.identity.CustomerId;
import io.storecast.identity.CustomerRegistered;
import io.storecast.identity.CustomerUpdated;
import io.storecast.identity.OrgDirectory;
import io.storecast.identity.OrgNodeId;
import io.storecast.identity.OrgNodeKind;
import io.storecast.messaging.CardActionClicked;
import io.storecast.messaging.ConversationId;
import io.storecast.messaging.CustomerTextReceived;
import io.storecast.messaging.CustomersJoinedGroup;
import io.storecast.messaging.MerchantMessaging;
import io.storecast.messaging.MessageDraft;
import io.storecast.messaging.MessageKind;
import io.storecast.messaging.Participant;
import io.storecast.orders.OrderCancelled;
import io.storecast.orders.OrderPaid;
import io.storecast.orders.OrderRefunded;
import tools.jackson.databind.json.JsonMapper;

/**
 * What other modules tell audience. Identity, order and card events come through the event
 * publication registry (after their commit, each in a transaction of its own, again after a crash);
 * a customer's chat text comes straight after its commit and is only looked at when it is an
 * unsubscribe word.
 */
@Component
class AudienceListeners {

	private static final Logger log = LoggerFactory.getLogger(AudienceListeners.class);

	private final ProfileKeeping profiles;
	private final ConsentKeeping consents;
	private final UnsubscribeWords words;
	private final MerchantMessaging messaging;
	private final CustomerDirectory customers;
	private final SubscriptionManagement subscriptions;
	private final OrgDirectory org;
	private final JsonMapper json;

	AudienceListeners(ProfileKeeping profiles, ConsentKeeping consents, UnsubscribeWords words, MerchantMessaging messaging,
			CustomerDirectory customers, SubscriptionManagement subscriptions, OrgDirectory org, JsonMapper json) {
		this.subscriptions = subscriptions;
		this.org = org;
		this.profiles = profiles;
		this.consents = consents;
		this.words = words;
		this.messaging = messaging;
		this.customers = customers;
		this.json = json;
	}

	// --- identity ---------------------------------------------------------------------------------

	@ApplicationModuleListener
	void on(CustomerRegistered event) {
		profiles.refreshIdentity(event.customerId());
	}

	@ApplicationModuleListener
	void on(CustomerUpdated event) {
		profiles.refreshIdentity(event.customerId());
	}

	// --- orders -----------------------------------------------------------------------------------

	@ApplicationModuleListener
	void on(OrderPaid event) {
		profiles.paid(event);
	}

	@ApplicationModuleListener
	void on(OrderCancelled event) {
		profiles.takenBack(event.orderId().value());
	}

	@ApplicationModuleListener
	void on(OrderRefunded event) {
		profiles.takenBack(event.orderId().value());
	}

	// --- engagement -------------------------------------------------------------------------------

	@ApplicationModuleListener
	void on(CardActionClicked click) {
		if (click.by().kind() == Participant.Kind.CUSTOMER) {
			profiles.recordEngagement(new CustomerId(click.by().id()), io.storecast.audience.AudienceProfiles.EngagementKind.CLICK,
					click.at());
		}
	}

	/** Joining a store's customer group follows the store (source GROUP); a region's or head office's group follows nothing. */
	@ApplicationModuleListener
	void on(CustomersJoinedGroup joined) {
		org.find(joined.orgNodeId())
			.filter(node -> node.kind() == OrgNodeKind.STORE)
			.ifPresent(store -> subscriptions.joinedGroupOf(store.id(), joined.customers()));
	}

	// --- unsubscribe by chat reply ----------------------------------------------------------------

	/**
	 * Runs in the sender's thread right after their message committed: a word check, and only for
	 * an unsubscribe word a short transaction. It never fails the send.
	 */
	@EventListener
	void on(CustomerTextReceived text) {
		if (!words.matches(text.text())) {
			return;
		}
		try {
			consents.unsubscribeByReply(Channel.IN_APP, List.of(text.customerId()), text.text(), text.at(), text.storeId());
		}
		catch (RuntimeException e) {
			log.error("Could not withdraw the in-app consent of customer {} after their reply '{}'", text.customerId(),
					text.text(), e);
		}
	}

	/** Confirms an in-app marketing withdrawal once, in the conversation it came from (else with the home store). */
	@ApplicationModuleListener
	void on(ConsentChanged change) {
		if (change.granted() || change.channel() != Channel.IN_APP || change.purpose() != Purpose.MARKETING) {
			return;
		}
		OrgNodeId store = change.storeId() != null ? change.storeId()
				: customers.find(change.customerId()).map(c -> c.homeStoreId()).orElse(null);
		if (store == null) {
			log.info("No store to confirm customer {}'s unsubscribe in: no confirmation", change.customerId());
			return;
		}
		ConversationId conversation;
		try {
			conversation = messaging.customerConversation(store, change.customerId());
		}
		catch (IllegalArgumentException gone) {
			log.warn("No unsubscribe confirmation for customer {}: {}", change.customerId(), gone.getMessage());
			return;
		}
		messaging.post(conversation, "unsubscribe-" + change.historyId(),
				new MessageDraft(MessageKind.TEXT, json.createObjectNode().put("text", ConsentKeeping.CONFIRMATION), false));
	}
}
