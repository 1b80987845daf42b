package io.storecast.audience.internal;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

import io.storecast.audience.Channel;
import io.storecast.audience.Lifecycle;
import io.storecast.audience.SegmentId;

/**
 * A parsed, validated condition tree (the segment and rule language of docs/audience.md). Every node
 * keeps the JSON path it came from ({@code condition.all[1]}), so an error can name its part. Names
 * (tags, org codes, segments) are already resolved to ids.
 */
sealed interface Condition {

	String path();

	/** Every item holds (an empty list holds for everyone). */
	record All(String path, List<Condition> items) implements Condition {
	}

	/** At least one item holds. */
	record Any(String path, List<Condition> items) implements Condition {
	}

	record Not(String path, Condition item) implements Condition {
	}

	/** orderCount / totalSpendFen compared with a number ({@code b} only for between). */
	record NumberTest(String path, Field field, Op op, long a, long b) implements Condition {
	}

	/** memberLevel: eq, ne (one value), in, notIn. */
	record TextTest(String path, Field field, Op op, List<String> values) implements Condition {
	}

	/** A field is set (or not). */
	record Exists(String path, Field field, boolean exists) implements Condition {
	}

	/** A time field: withinDays / olderThanDays ({@code days}), before / after ({@code instant}). */
	record TimeTest(String path, Field field, Op op, int days, @Nullable Instant instant) implements Condition {
	}

	/** birthday inNextDays N (today included) or in month N. */
	record BirthdayTest(String path, Op op, int n) implements Condition {
	}

	/** lifecycle is one of these (negated: none of them). */
	record LifecycleTest(String path, Set<Lifecycle> values, boolean negated) implements Condition {
	}

	/**
	 * The home store lies under one of the nodes (negated: it does not). {@code everyone} when one
	 * of them is the head office; {@code stores} are the store ids under the nodes.
	 */
	record OrgTest(String path, List<String> nodes, List<UUID> stores, boolean everyone, boolean negated)
			implements Condition {
	}

	/** Carries one of the tags. */
	record TagTest(String path, List<String> names, List<UUID> tagIds) implements Condition {
	}

	/** Follows one of the topics ({@code category:耳饰}, normalised). */
	record SubscriptionTest(String path, List<String> topics) implements Condition {
	}

	/** One of the favourite categories is among these. */
	record FavouriteTest(String path, List<String> categories) implements Condition {
	}

	/** Marketing on the channel is allowed (granted) or was withdrawn. */
	record ConsentTest(String path, Channel channel, boolean granted) implements Condition {
	}

	/** The customer is in another segment now. */
	record SegmentRef(String path, SegmentId segment, String name) implements Condition {
	}

	/**
	 * An aggregate over the customer's kept purchase lines matching the filters, compared with a
	 * number: "bought in category 耳饰 in at least 2 orders in the last 365 days". {@code stores}
	 * null: at any store.
	 */
	record PurchaseTest(String path, List<String> categories, List<String> products, @Nullable List<UUID> stores,
			@Nullable Integer withinDays, Measure measure, Op op, long a, long b) implements Condition {
	}

	/** What a purchase test adds up. */
	enum Measure {
		ORDERS("orders"), QUANTITY("quantity"), AMOUNT_FEN("amountFen");

		final String json;

		Measure(String json) {
			this.json = json;
		}
	}

	/** The fields a leaf may name, with their JSON names. */
	enum Field {
		MEMBER_LEVEL("memberLevel", Kind.TEXT, "p.member_level"),
		LIFECYCLE("lifecycle", Kind.LIFECYCLE, null),
		ORG("org", Kind.ORG, "p.home_store_id"),
		BIRTHDAY("birthday", Kind.BIRTHDAY, "p.birthday_md"),
		REGISTERED_AT("registeredAt", Kind.TIME, "p.registered_at"),
		FIRST_PURCHASE_AT("firstPurchaseAt", Kind.TIME, "p.first_purchase_at"),
		LAST_PURCHASE_AT("lastPurchaseAt", Kind.TIME, "p.last_purchase_at"),
		LAST_READ_AT("lastReadAt", Kind.TIME, "p.last_read_at"),
		LAST_CLICK_AT("lastClickAt", Kind.TIME, "p.last_click_at"),
		ORDER_COUNT("orderCount", Kind.NUMBER, "p.order_count"),
		TOTAL_SPEND_FEN("totalSpendFen", Kind.NUMBER, "p.total_spend_fen"),
		FAVOURITE_CATEGORY("favouriteCategory", Kind.FAVOURITE, "p.favourite_categories"),
		TIME_ZONE("timeZone", Kind.TEXT, "p.time_zone"),
		TAG("tag", Kind.TAG, null),
		SUBSCRIPTION("subscription", Kind.SUBSCRIPTION, null),
		CONSENT("consent", Kind.CONSENT, null),
		SEGMENT("segment", Kind.SEGMENT, null);

		final String json;
		final Kind kind;
		final @Nullable String column;

		Field(String json, Kind kind, @Nullable String column) {
			this.json = json;
			this.kind = kind;
			this.column = column;
		}
	}

	/** What a field holds, which decides the operators it takes. */
	enum Kind {
		NUMBER(Set.of(Op.EQ, Op.NE, Op.GT, Op.GTE, Op.LT, Op.LTE, Op.BETWEEN)),
		TEXT(Set.of(Op.EQ, Op.NE, Op.IN, Op.NOT_IN, Op.EXISTS)),
		LIFECYCLE(Set.of(Op.EQ, Op.NE, Op.IN, Op.NOT_IN)),
		ORG(Set.of(Op.IN, Op.NOT_IN)),
		TIME(Set.of(Op.WITHIN_DAYS, Op.OLDER_THAN_DAYS, Op.BEFORE, Op.AFTER, Op.EXISTS)),
		BIRTHDAY(Set.of(Op.IN_NEXT_DAYS, Op.MONTH, Op.EXISTS)),
		FAVOURITE(Set.of(Op.HAS, Op.IN)),
		TAG(Set.of(Op.HAS, Op.IN)),
		SUBSCRIPTION(Set.of(Op.HAS, Op.IN)),
		CONSENT(Set.of(Op.GRANTED, Op.WITHDRAWN)),
		SEGMENT(Set.of(Op.IN));

		final Set<Op> ops;

		Kind(Set<Op> ops) {
			this.ops = ops;
		}
	}

	/** Operators, with their JSON names. */
	enum Op {
		EQ("eq"), NE("ne"), GT("gt"), GTE("gte"), LT("lt"), LTE("lte"), BETWEEN("between"), IN("in"),
		NOT_IN("notIn"), EXISTS("exists"), WITHIN_DAYS("withinDays"), OLDER_THAN_DAYS("olderThanDays"),
		BEFORE("before"), AFTER("after"), IN_NEXT_DAYS("inNextDays"), MONTH("month"), HAS("has"),
		GRANTED("granted"), WITHDRAWN("withdrawn");

		final String json;

		Op(String json) {
			this.json = json;
		}

		/** Whether {@code x op a (and b)} holds, for the numeric operators. */
		boolean test(long x, long a, long b) {
			return switch (this) {
				case EQ -> x == a;
				case NE -> x != a;
				case GT -> x > a;
				case GTE -> x >= a;
				case LT -> x < a;
				case LTE -> x <= a;
				case BETWEEN -> x >= a && x <= b;
				default -> throw new IllegalStateException(this + " is not numeric");
			};
		}
	}
}
