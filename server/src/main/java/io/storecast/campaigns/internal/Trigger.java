package io.storecast.campaigns.internal;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

import io.storecast.audience.Channel;
import io.storecast.audience.Purpose;
import io.storecast.identity.OrgNodeId;

/** A campaign trigger as stored: an event-driven message, its definition and whether it is on. */
record Trigger(UUID id, String name, Kind kind, Definition definition, OrgNodeId scopeNodeId, String scopePath,
		boolean enabled, String createdBy, Instant createdAt, Instant updatedAt) {

	/** What a trigger fires on; the purpose and the template variables follow from it. */
	enum Kind {
		/**
		 * A product went on sale (or, with {@code restocks}, is back in stock at a store) whose category or
		 * tags someone follows, or a tag the trigger names.
		 */
		NEW_ARRIVAL(Purpose.MARKETING, Set.of("product")),
		/** {@code daysBefore} days before a customer's birthday, in the customer's time zone. */
		BIRTHDAY(Purpose.MARKETING, Set.of()),
		/** An order left the store or warehouse (the logistics notice). */
		ORDER_SHIPPED(Purpose.TRANSACTIONAL, Set.of("order", "carrier", "tracking")),
		/** An order reached the customer. */
		ORDER_DELIVERED(Purpose.TRANSACTIONAL, Set.of("order")),
		/** {@code days} days after an order was paid (a survey), unless it was cancelled or refunded by then. */
		DAYS_AFTER_PURCHASE(Purpose.MARKETING, Set.of("order")),
		/** An unused coupon is about to expire (coupons' reminder). */
		COUPON_EXPIRING(Purpose.MARKETING, Set.of("coupon"));

		final Purpose purpose;
		/** The variables of this kind's templates beyond {nickname}, {store} and {link}. */
		final Set<String> variables;

		Kind(Purpose purpose, Set<String> variables) {
			this.purpose = purpose;
			this.variables = variables;
		}

		/**
		 * Whether a firing of this kind may carry a survey ({@code params.surveyId}): one customer's own
		 * order, spoken by its store (the store results are grouped by). A birthday, a launch or a
		 * coupon reminder asks nobody about anything they bought; a shipped order is not there yet.
		 */
		boolean sendsSurveys() {
			return this == DAYS_AFTER_PURCHASE || this == ORDER_DELIVERED;
		}
	}

	Purpose purpose() {
		return kind.purpose;
	}

	/**
	 * The kind's parameters; each kind uses its own and refuses the others.
	 *
	 * @param categories NEW_ARRIVAL: fire only for products of these categories (none: any product)
	 * @param topics NEW_ARRIVAL: followers of these topics hear of it too (besides the followers of the
	 * product's {@code category:…} and {@code tag:…} topics)
	 * @param customerTags NEW_ARRIVAL: customers carrying any of these tags hear of it
	 * @param restocks NEW_ARRIVAL: also announce a product back in stock at one of the stores (to that
	 * store's customers); null or false: launches only
	 * @param daysBefore BIRTHDAY: days before the birthday (0: on the day)
	 * @param days DAYS_AFTER_PURCHASE: days after the payment
	 * @param surveyId DAYS_AFTER_PURCHASE, ORDER_DELIVERED: the survey whose first question the in-app message carries as a card
	 */
	record Params(@Nullable List<String> categories, @Nullable List<String> topics, @Nullable List<String> customerTags,
			@Nullable Boolean restocks, @Nullable Integer daysBefore, @Nullable Integer days, @Nullable UUID surveyId) {

		static final Params NONE = new Params(null, null, null, null, null, null, null);

		boolean announcesRestocks() {
			return Boolean.TRUE.equals(restocks);
		}
	}

	/** What the trigger says, to whom, through which channels (stores expanded to stores). */
	record Definition(Params params, List<OrgNodeId> stores, List<Campaign.RouteStep> route,
			Map<Channel, Map<String, String>> templates) {

		Channel firstChannel() {
			return route.getFirst().channel();
		}

		boolean routes(Channel channel) {
			return route.stream().anyMatch(s -> s.channel() == channel);
		}
	}

	/** The delivery source of the trigger's messages. */
	String source() {
		return "trigger:" + id;
	}
}
