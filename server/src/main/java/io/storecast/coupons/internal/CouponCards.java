package io.storecast.coupons.internal;

import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Map;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.modulith.events.ApplicationModuleListener;
import org.springframework.stereotype.Component;

import io.storecast.coupons.CouponTemplateId;
import io.storecast.coupons.IssuedCoupon;
import io.storecast.identity.CustomerDirectory;
import io.storecast.identity.CustomerId;
import io.storecast.identity.OrgDirectory;
import io.storecast.identity.OrgNode;
import io.storecast.identity.OrgNodeId;
import io.storecast.identity.OrgNodeKind;
import io.storecast.messaging.CardActionClicked;
import io.storecast.messaging.ConversationId;
import io.storecast.messaging.MerchantMessaging;
import io.storecast.messaging.MessageDraft;
import io.storecast.messaging.MessageKind;
import io.storecast.messaging.Participant;
import io.storecast.platform.ApiException;
import tools.jackson.databind.json.JsonMapper;

/**
 * A customer pressed the claim button of a coupon card in the chat (in their conversation with a
 * store, or in a group): the coupon of the card's {@code templateId} is claimed for them, once per
 * card (the key is the card's), with source {@code card} and the card as the reference — or, on a
 * campaign's card (its {@code campaignId}), source {@code campaign} and the campaign; the answer —
 * the code, or why not — goes to the customer's own conversation with the store, so a group does not
 * see anyone's code. Heard through the event registry: a crash redelivers, and the key and the
 * reply's key make the redelivery change nothing.
 */
@Component
class CouponCards {

	private static final Logger log = LoggerFactory.getLogger(CouponCards.class);

	/** What the customer is told when the claim is refused, by the refusal's code (zh-CN). */
	private static final Map<String, String> REFUSALS = Map.of(
			"sold-out", "很抱歉,「%s」已被领完。",
			"limit-reached", "您已领取过「%s」,每人限领的张数已满。",
			"daily-limit-reached", "您今天已领取过「%s」,请明天再来。",
			"not-eligible", "很抱歉,「%s」仅限特定顾客领取。",
			"claim-not-open", "「%s」尚未开始领取,敬请期待。",
			"claim-closed", "「%s」的领取已结束。",
			"template-paused", "「%s」暂停发放,请稍后再试。");

	private final CouponOperations coupons;
	private final MerchantMessaging messaging;
	private final CustomerDirectory customers;
	private final OrgDirectory org;
	private final JsonMapper json;

	CouponCards(CouponOperations coupons, MerchantMessaging messaging, CustomerDirectory customers, OrgDirectory org,
			JsonMapper json) {
		this.coupons = coupons;
		this.messaging = messaging;
		this.customers = customers;
		this.org = org;
		this.json = json;
	}

	@ApplicationModuleListener
	void on(CardActionClicked click) {
		if (!"coupon".equals(click.card()) || click.by().kind() != Participant.Kind.CUSTOMER) {
			return;
		}
		CustomerId customer = new CustomerId(click.by().id());
		String title = click.payload().path("title").asString("优惠券");
		String reply;
		try {
			CouponTemplateId template = CouponTemplateId.valueOf(click.payload().path("templateId").asString(""));
			// a campaign's card credits the campaign (docs/campaigns.md, Results and ROI); others the card itself
			String campaign = click.payload().path("campaignId").asString("");
			IssuedCoupon issued = campaign.isEmpty()
					? coupons.claim(customer, template, key(click), "card",
							"conversation/" + click.conversationId() + "/seq/" + click.seq())
					: coupons.claim(customer, template, key(click), "campaign", campaign);
			ZoneId zone = org.headOffice().timeZone();
			reply = "领取成功!「" + issued.templateName() + "」券码 " + issued.code() + ",有效期至 "
					+ LocalDate.ofInstant(issued.validUntil(), zone) + "。";
		}
		catch (ApiException refused) {
			reply = REFUSALS.getOrDefault(refused.code(), "很抱歉,「%s」暂时无法领取。").formatted(title);
			log.info("Coupon card claim by {} in {}#{} refused: {}", customer, click.conversationId(), click.seq(),
					refused.code());
		}
		catch (IllegalArgumentException notATemplate) {
			reply = "很抱歉,「%s」暂时无法领取。".formatted(title);
			log.warn("Coupon card {}#{} names no coupon template: {}", click.conversationId(), click.seq(),
					click.payload().path("templateId"));
		}
		Optional<OrgNodeId> store = storeOf(click, customer);
		if (store.isEmpty()) {
			log.warn("No store to answer customer {} about the coupon card {}#{}", customer, click.conversationId(),
					click.seq());
			return;
		}
		ConversationId conversation = messaging.customerConversation(store.get(), customer);
		messaging.post(conversation, "cc:" + click.conversationId() + ":" + click.seq(), new MessageDraft(MessageKind.TEXT,
				json.createObjectNode().put("text", reply), false));
	}

	/** One claim per card and customer: a redelivered click, or a second press, replays it. */
	private static String key(CardActionClicked click) {
		return "card:" + click.conversationId() + ":" + click.seq();
	}

	/** The store of the card's conversation, else the customer's home store. */
	private Optional<OrgNodeId> storeOf(CardActionClicked click, CustomerId customer) {
		return Optional.ofNullable(click.orgNodeId())
			.flatMap(org::find)
			.filter(node -> node.kind() == OrgNodeKind.STORE)
			.map(OrgNode::id)
			.or(() -> customers.find(customer).flatMap(c -> Optional.ofNullable(c.homeStoreId())));
	}
}
