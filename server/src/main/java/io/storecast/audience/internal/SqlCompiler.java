package io.storecast.audience.internal;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.MonthDay;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import io.storecast.audience.Channel;
import io.storecast.audience.Lifecycle;
import io.storecast.audience.SegmentId;
import io.storecast.audience.internal.Condition.Op;
import io.storecast.platform.ApiException;

/**
 * Turns a {@link Condition} into one parameterised SQL predicate over {@code audience_profiles p}.
 * The SQL text is made only of fixed fragments chosen by the (whitelisted) field and operator; every
 * value the caller gave travels as a bind parameter. Segments referenced by others are inlined, and a
 * reference back to a segment already being compiled is refused as a cycle.
 * <p>
 * Two shapes for purchase aggregates: {@link Mode#SET} (a count or snapshot over everyone: one
 * grouped sub-query the planner hashes) and {@link Mode#ROW} (one customer: a correlated aggregate
 * over that customer's lines only).
 */
final class SqlCompiler {

	/** A predicate and its parameters, in order. */
	record Sql(String text, List<Object> params) {
	}

	enum Mode {
		SET, ROW
	}

	/** The parsed condition of a stored segment; throws 400 unknown-segment when it is gone. */
	interface SegmentSource {
		Condition conditionOf(SegmentId id, String path);
	}

	/**
	 * What a compilation depends on besides the condition.
	 *
	 * @param now the moment "in the last N days" counts back from
	 * @param today the merchant's date (birthdays)
	 */
	record Context(Instant now, LocalDate today, Duration newWithin, Duration dormantAfter, Set<Channel> impliedConsent,
			Mode mode, SegmentSource segments) {
	}

	private final Context ctx;
	private final StringBuilder sql = new StringBuilder();
	private final List<Object> params = new ArrayList<>();
	private final Deque<SegmentId> compiling = new ArrayDeque<>();

	private SqlCompiler(Context ctx) {
		this.ctx = ctx;
	}

	static Sql compile(Condition condition, Context ctx) {
		SqlCompiler compiler = new SqlCompiler(ctx);
		compiler.emit(condition);
		return new Sql(compiler.sql.toString(), List.copyOf(compiler.params));
	}

	/** Compiles a segment's own condition, with the segment itself on the stack (a reference back to it is a cycle). */
	static Sql compileSegment(SegmentId self, Condition condition, Context ctx) {
		SqlCompiler compiler = new SqlCompiler(ctx);
		compiler.compiling.push(self);
		compiler.emit(condition);
		return new Sql(compiler.sql.toString(), List.copyOf(compiler.params));
	}

	private void emit(Condition c) {
		switch (c) {
			case Condition.All all -> junction(all.items(), " AND ", "TRUE");
			case Condition.Any any -> {
				java.util.Optional<Sql> set = ctx.mode() == Mode.SET ? set(any) : java.util.Optional.empty();
				if (set.isPresent()) {
					// one semi-join against the union instead of a probe per alternative for every profile
					sql.append("p.customer_id IN (").append(set.get().text()).append(")");
					params.addAll(set.get().params());
				}
				else {
					junction(any.items(), " OR ", "FALSE");
				}
			}
			case Condition.Not not -> {
				sql.append("NOT (");
				emit(not.item());
				sql.append(")");
			}
			case Condition.NumberTest n -> {
				sql.append(n.field().column);
				compare(n.op(), n.a(), n.b());
			}
			case Condition.TextTest t -> text(t);
			case Condition.Exists e -> sql.append(e.field().column).append(e.exists() ? " IS NOT NULL" : " IS NULL");
			case Condition.TimeTest t -> time(t);
			case Condition.BirthdayTest b -> birthday(b);
			case Condition.LifecycleTest l -> lifecycle(l);
			case Condition.OrgTest o -> org(o);
			case Condition.TagTest t -> {
				sql.append("EXISTS (SELECT 1 FROM audience_customer_tags ct WHERE ct.customer_id = p.customer_id AND ");
				if (t.tagIds().size() == 1) {
					sql.append("ct.tag_id = ?");
					params.add(t.tagIds().getFirst());
				}
				else {
					sql.append("ct.tag_id = ANY(CAST(? AS uuid[]))");
					params.add(uuids(t.tagIds()));
				}
				sql.append(")");
			}
			case Condition.SubscriptionTest s -> {
				sql.append("EXISTS (SELECT 1 FROM audience_subscriptions s WHERE s.customer_id = p.customer_id AND ");
				if (s.topics().size() == 1) {
					sql.append("s.topic = ?");
					params.add(s.topics().getFirst());
				}
				else {
					sql.append("s.topic = ANY(CAST(? AS text[]))");
					params.add(s.topics().toArray(String[]::new));
				}
				sql.append(")");
			}
			case Condition.FavouriteTest f -> {
				sql.append("p.favourite_categories && CAST(? AS text[])");
				params.add(f.categories().toArray(String[]::new));
			}
			case Condition.ConsentTest c2 -> consent(c2);
			case Condition.SegmentRef ref -> segment(ref);
			case Condition.PurchaseTest p -> purchases(p);
		}
	}

	private void junction(List<Condition> items, String operator, String empty) {
		if (items.isEmpty()) {
			sql.append(empty);
			return;
		}
		sql.append("(");
		for (int i = 0; i < items.size(); i++) {
			if (i > 0) {
				sql.append(operator);
			}
			emit(items.get(i));
		}
		sql.append(")");
	}

	private void compare(Op op, long a, long b) {
		switch (op) {
			case EQ -> sql.append(" = ?");
			case NE -> sql.append(" <> ?");
			case GT -> sql.append(" > ?");
			case GTE -> sql.append(" >= ?");
			case LT -> sql.append(" < ?");
			case LTE -> sql.append(" <= ?");
			case BETWEEN -> sql.append(" BETWEEN ? AND ?");
			default -> throw new IllegalStateException(op + " is not numeric");
		}
		params.add(a);
		if (op == Op.BETWEEN) {
			params.add(b);
		}
	}

	private void text(Condition.TextTest t) {
		String col = t.field().column;
		switch (t.op()) {
			case EQ -> sql.append("(").append(col).append(" IS NOT NULL AND ").append(col).append(" = ?)");
			case NE -> sql.append("(").append(col).append(" IS NULL OR ").append(col).append(" <> ?)");
			case IN -> sql.append("(").append(col).append(" IS NOT NULL AND ").append(col).append(" = ANY(CAST(? AS text[])))");
			case NOT_IN -> sql.append("(").append(col).append(" IS NULL OR NOT (").append(col)
				.append(" = ANY(CAST(? AS text[]))))");
			default -> throw new IllegalStateException(t.op() + " on text");
		}
		params.add(t.op() == Op.EQ || t.op() == Op.NE ? t.values().getFirst() : t.values().toArray(String[]::new));
	}

	private void time(Condition.TimeTest t) {
		String col = t.field().column;
		sql.append("(").append(col).append(" IS NOT NULL AND ").append(col);
		switch (t.op()) {
			case WITHIN_DAYS -> {
				sql.append(" >= ?");
				params.add(ts(ctx.now().minus(Duration.ofDays(t.days()))));
			}
			case OLDER_THAN_DAYS -> {
				sql.append(" < ?");
				params.add(ts(ctx.now().minus(Duration.ofDays(t.days()))));
			}
			case BEFORE -> {
				sql.append(" < ?");
				params.add(ts(t.instant()));
			}
			case AFTER -> {
				sql.append(" > ?");
				params.add(ts(t.instant()));
			}
			default -> throw new IllegalStateException(t.op() + " on time");
		}
		sql.append(")");
	}

	private void birthday(Condition.BirthdayTest b) {
		if (b.op() == Op.MONTH) {
			sql.append("(p.birthday_md IS NOT NULL AND p.birthday_md BETWEEN ? AND ?)");
			params.add(b.n() * 100 + 1);
			params.add(b.n() * 100 + 31);
			return;
		}
		sql.append("(p.birthday_md IS NOT NULL AND p.birthday_md = ANY(CAST(? AS int[])))");
		params.add(monthDays(ctx.today(), b.n()));
	}

	/** month*100+day of today and the next {@code days} days; 29 February is celebrated on the 28th in other years. */
	static Integer[] monthDays(LocalDate today, int days) {
		Set<Integer> out = new LinkedHashSet<>();
		for (int i = 0; i <= days; i++) {
			LocalDate d = today.plusDays(i);
			out.add(d.getMonthValue() * 100 + d.getDayOfMonth());
			if (!d.isLeapYear() && MonthDay.from(d).equals(MonthDay.of(2, 28))) {
				out.add(229);
			}
		}
		return out.toArray(Integer[]::new);
	}

	private void lifecycle(Condition.LifecycleTest l) {
		Timestamp newSince = ts(ctx.now().minus(ctx.newWithin()));
		Timestamp dormantSince = ts(ctx.now().minus(ctx.dormantAfter()));
		if (l.negated()) {
			sql.append("NOT ");
		}
		sql.append("(");
		int i = 0;
		for (Lifecycle value : Lifecycle.values()) {
			if (!l.values().contains(value)) {
				continue;
			}
			if (i++ > 0) {
				sql.append(" OR ");
			}
			switch (value) {
				case NEW -> {
					sql.append("(p.first_purchase_at IS NULL OR p.first_purchase_at >= ?)");
					params.add(newSince);
				}
				case ACTIVE -> {
					sql.append("(p.first_purchase_at IS NOT NULL AND p.first_purchase_at < ? AND p.last_purchase_at >= ?)");
					params.add(newSince);
					params.add(dormantSince);
				}
				case DORMANT -> {
					sql.append("(p.last_purchase_at IS NOT NULL AND p.last_purchase_at < ?)");
					params.add(dormantSince);
				}
			}
		}
		sql.append(")");
	}

	private void org(Condition.OrgTest o) {
		if (o.everyone() || o.stores().isEmpty()) {
			sql.append(o.everyone() != o.negated() ? "TRUE" : "FALSE");
			return;
		}
		if (o.negated()) {
			sql.append("NOT ");
		}
		sql.append("(p.home_store_id IS NOT NULL AND p.home_store_id = ANY(CAST(? AS uuid[])))");
		params.add(uuids(o.stores()));
	}

	private void consent(Condition.ConsentTest c) {
		String base = "SELECT 1 FROM audience_consents c WHERE c.customer_id = p.customer_id AND c.channel = ?";
		if (!c.granted()) {
			sql.append("EXISTS (").append(base).append(" AND c.purpose = 'MARKETING' AND NOT c.granted)");
			params.add(c.channel().name());
		}
		else if (ctx.impliedConsent().contains(c.channel())) {
			// by default yes: unless marketing, or the channel altogether, was withdrawn
			sql.append("NOT EXISTS (").append(base).append(" AND NOT c.granted)");
			params.add(c.channel().name());
		}
		else {
			sql.append("(EXISTS (").append(base).append(" AND c.purpose = 'MARKETING' AND c.granted) AND NOT EXISTS (")
				.append(base)
				.append(" AND c.purpose = 'TRANSACTIONAL' AND NOT c.granted))");
			params.add(c.channel().name());
			params.add(c.channel().name());
		}
	}

	private void segment(Condition.SegmentRef ref) {
		if (compiling.contains(ref.segment())) {
			List<SegmentId> chain = new ArrayList<>(compiling);
			java.util.Collections.reverse(chain);
			throw ApiException.badRequest("segment-cycle", ref.path() + ".value",
					"Segment '" + ref.name() + "' (at " + ref.path() + ") refers back to itself through " + chain.size()
							+ " segment reference(s)");
		}
		Condition referenced = ctx.segments().conditionOf(ref.segment(), ref.path());
		compiling.push(ref.segment());
		sql.append("(");
		emit(referenced);
		sql.append(")");
		compiling.pop();
	}

	private void purchases(Condition.PurchaseTest p) {
		List<String> filters = new ArrayList<>();
		List<Object> filterParams = new ArrayList<>();
		if (!p.categories().isEmpty()) {
			filters.add("pu.category = ANY(CAST(? AS text[]))");
			filterParams.add(p.categories().toArray(String[]::new));
		}
		if (!p.products().isEmpty()) {
			filters.add("pu.product_external_id = ANY(CAST(? AS text[]))");
			filterParams.add(p.products().toArray(String[]::new));
		}
		if (p.stores() != null) {
			filters.add("pu.store_id = ANY(CAST(? AS uuid[]))");
			filterParams.add(uuids(p.stores()));
		}
		if (p.withinDays() != null) {
			filters.add("pu.paid_at >= ?");
			filterParams.add(ts(ctx.now().minus(Duration.ofDays(p.withinDays()))));
		}
		String aggregate = switch (p.measure()) {
			case ORDERS -> "count(DISTINCT pu.order_id)";
			case QUANTITY -> "coalesce(sum(pu.quantity), 0)";
			case AMOUNT_FEN -> "coalesce(sum(pu.amount_fen), 0)";
		};
		if (ctx.mode() == Mode.ROW) {
			sql.append("(SELECT ").append(aggregate);
			compare(p.op(), p.a(), p.b());
			sql.append(" FROM audience_purchases pu WHERE pu.customer_id = p.customer_id");
			for (String f : filters) {
				sql.append(" AND ").append(f);
			}
			params.addAll(filterParams);
			sql.append(")");
			return;
		}
		// customers without any matching line have 0: when 0 satisfies the comparison, take everyone
		// except those whose lines break it
		boolean zeroMatches = p.op().test(0, p.a(), p.b());
		sql.append(zeroMatches ? "p.customer_id NOT IN (" : "p.customer_id IN (");
		sql.append("SELECT pu.customer_id FROM audience_purchases pu WHERE ");
		sql.append(filters.isEmpty() ? "TRUE" : String.join(" AND ", filters));
		params.addAll(filterParams);
		sql.append(" GROUP BY pu.customer_id HAVING ").append(zeroMatches ? "NOT (" : "(").append(aggregate);
		compare(p.op(), p.a(), p.b());
		sql.append("))");
	}

	// --- set form -----------------------------------------------------------------------------------

	/**
	 * The condition as a query of customer ids, when it is made of sets alone (tags, subscriptions,
	 * purchase aggregates that 0 does not satisfy, explicit consent) combined by any (UNION) and all
	 * (INTERSECT, with EXCEPT for a negated set or an implied consent): such an any becomes one
	 * semi-join instead of one hash probe per alternative for each of a million profiles.
	 */
	java.util.Optional<Sql> set(Condition c) {
		return switch (c) {
			case Condition.TagTest t -> java.util.Optional.of(new Sql(
					"SELECT ct.customer_id FROM audience_customer_tags ct WHERE ct.tag_id = ANY(CAST(? AS uuid[]))",
					List.of((Object) uuids(t.tagIds()))));
			case Condition.SubscriptionTest s -> java.util.Optional.of(new Sql(
					"SELECT s.customer_id FROM audience_subscriptions s WHERE s.topic = ANY(CAST(? AS text[]))",
					List.of((Object) s.topics().toArray(String[]::new))));
			case Condition.ConsentTest t when !t.granted() -> java.util.Optional.of(new Sql(
					"SELECT c.customer_id FROM audience_consents c WHERE c.channel = ? AND c.purpose = 'MARKETING' AND NOT c.granted",
					List.of(t.channel().name())));
			case Condition.ConsentTest t when !ctx.impliedConsent().contains(t.channel()) -> java.util.Optional.of(new Sql(
					"(SELECT c.customer_id FROM audience_consents c WHERE c.channel = ? AND c.purpose = 'MARKETING' AND c.granted) "
							+ "EXCEPT (SELECT c.customer_id FROM audience_consents c WHERE c.channel = ? "
							+ "AND c.purpose = 'TRANSACTIONAL' AND NOT c.granted)",
					List.of(t.channel().name(), t.channel().name())));
			case Condition.PurchaseTest p when !p.op().test(0, p.a(), p.b()) -> {
				SqlCompiler inner = new SqlCompiler(ctx);
				inner.purchases(p);
				// "p.customer_id IN (<query>)": keep the query
				String text = inner.sql.substring("p.customer_id IN (".length(), inner.sql.length() - 1);
				yield java.util.Optional.of(new Sql(text, inner.params));
			}
			case Condition.Any any -> combine(any.items(), " UNION ");
			case Condition.All all -> {
				List<Sql> positive = new ArrayList<>();
				List<Sql> negative = new ArrayList<>();
				for (Condition item : all.items()) {
					java.util.Optional<Sql> s = set(item);
					java.util.Optional<Sql> complement = item instanceof Condition.Not not ? set(not.item())
							: item instanceof Condition.ConsentTest t && t.granted() && ctx.impliedConsent().contains(t.channel())
									? java.util.Optional.of(new Sql("SELECT c.customer_id FROM audience_consents c "
											+ "WHERE c.channel = ? AND NOT c.granted", List.of(t.channel().name())))
									: java.util.Optional.empty();
					if (s.isPresent()) {
						positive.add(s.get());
					}
					else if (complement.isPresent()) {
						negative.add(complement.get());
					}
					else {
						yield java.util.Optional.empty();
					}
				}
				if (positive.isEmpty()) {
					yield java.util.Optional.empty();
				}
				StringBuilder text = new StringBuilder();
				List<Object> ps = new ArrayList<>();
				for (int i = 0; i < positive.size(); i++) {
					text.append(i == 0 ? "" : " INTERSECT ").append("(").append(positive.get(i).text()).append(")");
					ps.addAll(positive.get(i).params());
				}
				for (Sql n : negative) {
					text.append(" EXCEPT (").append(n.text()).append(")");
					ps.addAll(n.params());
				}
				yield java.util.Optional.of(new Sql(positive.size() + negative.size() > 1 ? "SELECT * FROM (" + text + ") AS x" : text.toString(), ps));
			}
			default -> java.util.Optional.empty();
		};
	}

	private java.util.Optional<Sql> combine(List<Condition> items, String operator) {
		if (items.isEmpty()) {
			return java.util.Optional.empty();
		}
		StringBuilder text = new StringBuilder();
		List<Object> ps = new ArrayList<>();
		for (int i = 0; i < items.size(); i++) {
			java.util.Optional<Sql> s = set(items.get(i));
			if (s.isEmpty()) {
				return java.util.Optional.empty();
			}
			text.append(i == 0 ? "" : operator).append("(").append(s.get().text()).append(")");
			ps.addAll(s.get().params());
		}
		return java.util.Optional.of(new Sql(items.size() > 1 ? "SELECT * FROM (" + text + ") AS x" : text.toString(), ps));
	}

	static Timestamp ts(Instant instant) {
		return Timestamp.from(instant);
	}

	static String[] uuids(Collection<UUID> ids) {
		return ids.stream().map(UUID::toString).toArray(String[]::new);
	}
}
