package io.storecast.campaigns.internal;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import io.storecast.audience.Channel;
import io.storecast.audience.Consents;
import io.storecast.coupons.Coupons;
import io.storecast.delivery.DeliveryRequest;
import io.storecast.identity.CustomerProfile;
import io.storecast.identity.OrgDirectory;
import io.storecast.identity.OrgNode;
import io.storecast.identity.OrgNodeId;

/**
 * Turns a campaign and one recipient into a delivery request: the store that speaks for the
 * campaign to this customer, and the templates rendered with the customer's values. One per send
 * run; it remembers the stores it looked up.
 * <p>
 * The speaking store is the customer's home store if it participates; otherwise the participating
 * store nearest in the org tree (the most path segments in common with the home store: a store of
 * the same region before one elsewhere), ties and customers without a home store going to the
 * participating store with the smallest code.
 */
final class Rendering {

	/** Characters of a nickname in an SMS (longer ones are cut), and in-app. */
	static final int SMS_NICKNAME = 10;
	static final int IN_APP_NICKNAME = 32;
	/** A coupon code as shown: XXXX-XXXX-XXXX-XXXX. */
	static final int COUPON_CODE = 19;
	private static final String NO_NICKNAME = "顾客";

	private final Campaign campaign;
	private final OrgDirectory org;
	private final Consents consents;
	private final String publicUrl;
	private final TrackedLinks links;
	private final List<OrgNode> participating;
	private final Map<OrgNodeId, OrgNode> speakers = new HashMap<>();
	/** What is said, per A/B variant (the key null: the campaign without a test). */
	private final Map<@Nullable String, Texts> texts = new HashMap<>();
	private final List<DeliveryRequest.Step> route;
	/** The survey whose first question is the in-app card, or null. */
	private final @Nullable Survey survey;

	/**
	 * One variant's templates and offer; {@code couponTitle} titles the coupon card of an offer whose
	 * customers claim its coupon (else null).
	 */
	private record Texts(LocalizedTemplates inApp, LocalizedTemplates sms, Campaign.Offer offer,
			@Nullable String couponTitle) {

		boolean usesLink() {
			return inApp.uses("link") || sms.uses("link");
		}
	}

	Rendering(Campaign campaign, OrgDirectory org, Consents consents, String publicUrl, TrackedLinks links,
			Coupons coupons, @Nullable Survey survey) {
		this.campaign = campaign;
		this.survey = survey;
		this.org = org;
		this.consents = consents;
		this.publicUrl = publicUrl;
		this.links = links;
		Campaign.Definition d = campaign.definition();
		this.participating = d.stores().stream().flatMap(id -> org.find(id).stream()).toList();
		if (participating.isEmpty()) {
			throw new IllegalStateException("Campaign " + campaign.id() + " has no participating store left");
		}
		texts.put(null, texts(d, null, coupons));
		if (d.abTest() != null) {
			d.abTest().variants().forEach(v -> texts.put(v.key(), texts(d, v.key(), coupons)));
		}
		this.route = d.route().stream()
			.map(s -> new DeliveryRequest.Step(s.channel(),
					s.fallbackAfterMinutes() == null ? null : Duration.ofMinutes(s.fallbackAfterMinutes())))
			.toList();
	}

	private static Texts texts(Campaign.Definition d, @Nullable String variant, Coupons coupons) {
		Campaign.Offer offer = d.offer(variant);
		String couponTitle = offer.couponTemplateId() == null || offer.grants() ? null
				: title(coupons.templateName(offer.couponTemplateId()).orElse(offer.text()));
		return new Texts(template(d, variant, Channel.IN_APP), template(d, variant, Channel.SMS), offer, couponTitle);
	}

	/** A card title is at most 100 characters. */
	private static String title(String name) {
		return name.codePointCount(0, name.length()) <= 100 ? name : name.substring(0, name.offsetByCodePoints(0, 100));
	}

	private static LocalizedTemplates template(Campaign.Definition d, @Nullable String variant, Channel channel) {
		return LocalizedTemplates.parse(d.templates(variant).get(channel));
	}

	/**
	 * Whether the templates (of any variant) show a tracked link (a {@code {link}} with {@code offer.link}):
	 * each recipient needs a link id.
	 */
	boolean tracksLinks() {
		return campaign.definition().offer().link() != null
				&& texts.values().stream().anyMatch(Texts::usesLink);
	}

	/** What a recipient of this variant is offered (null: no A/B test). */
	Campaign.Offer offer(@Nullable String variant) {
		return texts(variant).offer();
	}

	private Texts texts(@Nullable String variant) {
		Texts t = texts.get(variant);
		if (t == null) {
			throw new IllegalStateException("Campaign " + campaign.id() + " has no variant " + variant);
		}
		return t;
	}

	/**
	 * The request for one customer (the delivery key is the customer: one message per customer and
	 * campaign), speaking for {@code store} with the texts of their A/B {@code variant} (null: no test);
	 * {@code linkId} names their tracked link, if the templates show one.
	 */
	DeliveryRequest request(CustomerProfile customer, OrgNode store, @Nullable String variant, @Nullable String couponCode,
			@Nullable Long linkId) {
		Campaign.Definition d = campaign.definition();
		Texts t = texts(variant);
		// in the customer's language where the campaign has templates in it (identity's locale), else zh-CN
		MessageTemplate inApp = t.inApp().forReader(customer.locale());
		MessageTemplate sms = t.sms().forReader(customer.locale());
		boolean textChannel = d.routes(Channel.IN_APP) || d.routes(Channel.WEBHOOK);
		String text;
		String smsText = null;
		if (textChannel) {
			text = render(java.util.Objects.requireNonNull(inApp), t.offer(), customer, store, couponCode, linkId,
					Channel.IN_APP);
			if (d.routes(Channel.SMS)) {
				smsText = render(java.util.Objects.requireNonNull(sms), t.offer(), customer, store, couponCode, linkId,
						Channel.SMS);
			}
		}
		else {
			text = render(java.util.Objects.requireNonNull(sms), t.offer(), customer, store, couponCode, linkId, Channel.SMS);
		}
		Map<String, Object> data = new LinkedHashMap<>();
		data.put("campaignId", campaign.id().toString());
		if (variant != null) {
			data.put("variant", variant);
		}
		if (couponCode != null) {
			data.put("couponCode", couponCode);
		}
		Campaign.Offer offer = t.offer();
		if (offer.couponTemplateId() != null && !offer.grants()) {
			// what the card's claim button sends (docs/campaigns.md, Results and ROI)
			data.put("claim", Map.of("templateId", offer.couponTemplateId().toString(), "source", ResultsListeners.SOURCE,
					"sourceRef", campaign.id().toString()));
		}
		if (linkId != null) {
			data.put("link", publicUrl + links.path(linkId));
		}
		if (survey != null) {
			data.put("surveyId", survey.id().toString());
		}
		// bulk: a campaign's messages go after an order's notice or a trigger's, however many are queued
		return new DeliveryRequest(campaign.id().source(), customer.id().toString(), customer.id(), store.id(),
				campaign.purpose(), route, new DeliveryRequest.Content(text, smsText, card(t, customer, text), data), null,
				true);
	}

	/**
	 * The in-app card: a survey's first question (as a trigger sends it; a survey is never saved with a
	 * claimed coupon), else a claim card, else none.
	 */
	private @Nullable Map<String, Object> card(Texts t, CustomerProfile customer, String text) {
		if (survey == null || !campaign.definition().routes(Channel.IN_APP)) {
			return claimCard(t, text);
		}
		Map<String, Object> card = new LinkedHashMap<>(SurveyCards.invitation(survey, customer.locale()));
		card.put("text", text);
		return card;
	}

	/**
	 * In the app, a {@code couponMode: CLAIM} campaign is a coupon card: the rendered text above a
	 * claim button that claims for this campaign (messaging's {@code coupon} card with its
	 * {@code campaignId}); SMS and the webhook carry the text and {@code data.claim}.
	 */
	private @Nullable Map<String, Object> claimCard(Texts t, String text) {
		if (t.couponTitle() == null || !campaign.definition().routes(Channel.IN_APP)) {
			return null;
		}
		Map<String, Object> card = new LinkedHashMap<>();
		card.put("type", "coupon");
		card.put("templateId", java.util.Objects.requireNonNull(t.offer().couponTemplateId()).toString());
		card.put("title", t.couponTitle());
		card.put("text", text);
		card.put("campaignId", campaign.id().toString());
		return card;
	}

	private String render(MessageTemplate template, Campaign.Offer offer, CustomerProfile customer, OrgNode store,
			@Nullable String coupon, @Nullable Long linkId, Channel channel) {
		Map<String, String> values = new HashMap<>();
		for (String variable : template.variables()) {
			values.computeIfAbsent(variable, v -> switch (v) {
				case "nickname" -> nickname(customer, channel);
				case "store" -> store.name();
				case "coupon" -> coupon == null ? "" : coupon;
				// without offer.link, {link} is the unsubscribe link it was before tracked links
				case "link" -> linkId != null ? publicUrl + links.path(linkId)
						: publicUrl + consents.unsubscribeLink(customer.id(), channel);
				case "unsubscribe" -> publicUrl + consents.unsubscribeLink(customer.id(), channel);
				case "product" -> offer.product() == null ? "" : offer.product();
				default -> "";
			});
		}
		return template.render(values);
	}

	/** The customer's nickname as a template shows it on the channel (one without: 顾客, or Customer in English). */
	static String nickname(CustomerProfile customer, Channel channel) {
		return nickname(customer.nickname(), channel == Channel.SMS ? SMS_NICKNAME : IN_APP_NICKNAME,
				"en".equals(customer.locale()) ? "Customer" : NO_NICKNAME);
	}

	private static String nickname(@Nullable String nickname, int max, String none) {
		if (nickname == null || nickname.isBlank()) {
			return none;
		}
		String n = nickname.strip();
		return n.codePointCount(0, n.length()) <= max ? n : n.substring(0, n.offsetByCodePoints(0, max));
	}

	/** The store that speaks to a customer of this home store (see the class comment). */
	OrgNode speaker(@Nullable OrgNodeId home) {
		if (home == null) {
			return participating.getFirst();
		}
		return speakers.computeIfAbsent(home, h -> {
			OrgNode homeNode = org.find(h).orElse(null);
			if (homeNode == null) {
				return participating.getFirst();
			}
			OrgNode best = participating.getFirst();
			int bestShared = -1;
			for (OrgNode s : participating) {
				if (s.id().equals(h)) {
					return s;
				}
				int shared = sharedSegments(s.path(), homeNode.path());
				if (shared > bestShared) {
					best = s;
					bestShared = shared;
				}
			}
			return best;
		});
	}

	private static int sharedSegments(String a, String b) {
		String[] x = a.split("/");
		String[] y = b.split("/");
		int n = 0;
		while (n < x.length && n < y.length && x[n].equals(y[n])) {
			n++;
		}
		return n;
	}
}
