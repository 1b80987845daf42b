package io.storecast.audience.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import io.storecast.audience.Lifecycle;
import io.storecast.audience.internal.Condition.Field;
import io.storecast.audience.internal.Condition.Op;
import io.storecast.platform.ApiException;

/**
 * Finds rule conditions that no customer can ever meet, such as {@code orderCount gte 5} together
 * with {@code orderCount lt 3}, {@code orderCount lt 0}, {@code lastPurchaseAt withinDays 30} with
 * {@code olderThanDays 60}, or two different lifecycles at once: a rule tag that could never be
 * given is a mistake worth refusing. It reasons about the parts of each {@code all} over the same
 * field (and about single parts); it does not try to prove every contradiction.
 */
final class Satisfiability {

	private final Instant now;

	private Satisfiability(Instant now) {
		this.now = now;
	}

	/** Throws 400 {@code rule-never-true} naming the part when the condition can never hold. */
	static void requirePossible(Condition condition, Instant now) {
		new Satisfiability(now).check(condition).ifPresent(reason -> {
			throw ApiException.badRequest("rule-never-true", reason.path(), "This rule can never be true: " + reason.why());
		});
	}

	record Reason(String path, String why) {
	}

	Optional<Reason> check(Condition c) {
		return switch (c) {
			case Condition.All all -> all(all);
			case Condition.Any any -> {
				Optional<Reason> first = Optional.empty();
				for (Condition item : any.items()) {
					Optional<Reason> r = check(item);
					if (r.isEmpty()) {
						yield Optional.empty();
					}
					first = first.or(() -> r);
				}
				yield first.map(r -> new Reason(any.path(), "none of the alternatives at " + any.path()
						+ " can hold (" + r.why() + ")"));
			}
			case Condition.Not not -> not.item() instanceof Condition.All a && a.items().isEmpty()
					? Optional.of(new Reason(not.path(), "not of an empty all (which holds for everyone)"))
					: Optional.empty();
			default -> all(new Condition.All(c.path(), List.of(c)));
		};
	}

	/** Intervals per numeric field, allowed sets per enumerated field, store sets: each must stay non-empty. */
	private Optional<Reason> all(Condition.All all) {
		Map<String, long[]> ranges = new HashMap<>();
		Map<String, String> rangePaths = new HashMap<>();
		Map<Field, Set<String>> allowedText = new HashMap<>();
		Map<Field, Set<String>> excludedText = new HashMap<>();
		Map<Field, Boolean> existence = new HashMap<>();
		Set<Lifecycle> lifecycles = EnumSet.allOf(Lifecycle.class);
		Set<UUID> stores = null;
		Integer month = null;
		String previous = null;
		for (Condition item : flattened(all.items())) {
			Optional<Reason> inner = switch (item) {
				case Condition.Any any -> check(any);
				case Condition.Not not -> check(not);
				default -> Optional.empty();
			};
			if (inner.isPresent()) {
				return inner;
			}
			String path = item.path();
			String conflict = null;
			switch (item) {
				case Condition.NumberTest n -> conflict = narrow(ranges, rangePaths, n.field().json, n.field().json, path, 0,
						Long.MAX_VALUE, n.op(), n.a(), n.b());
				case Condition.PurchaseTest p -> {
					String label = "purchases " + p.measure().json
							+ (p.categories().isEmpty() ? "" : " in " + String.join("/", p.categories()))
							+ (p.withinDays() == null ? "" : " within " + p.withinDays() + " days");
					conflict = narrow(ranges, rangePaths, label + "|" + p.products() + p.stores(), label, path, 0,
							Long.MAX_VALUE, p.op(), p.a(), p.b());
				}
				case Condition.TimeTest t -> {
					long at = switch (t.op()) {
						case WITHIN_DAYS, OLDER_THAN_DAYS -> now.minus(Duration.ofDays(t.days())).getEpochSecond();
						default -> Objects.requireNonNull(t.instant()).getEpochSecond();
					};
					Op op = switch (t.op()) {
						case WITHIN_DAYS -> Op.GTE;
						case AFTER -> Op.GT;
						default -> Op.LT;
					};
					conflict = narrow(ranges, rangePaths, t.field().json, t.field().json, path, Long.MIN_VALUE,
							Long.MAX_VALUE, op, at, 0);
					conflict = conflict != null ? conflict : exists(existence, t.field(), true);
				}
				case Condition.Exists e -> {
					conflict = exists(existence, e.field(), e.exists());
					if (conflict == null && !e.exists() && (ranges.containsKey(e.field().json) || allowedText.containsKey(e.field()))) {
						conflict = e.field().json + " cannot be both unset and compared with a value";
					}
				}
				case Condition.TextTest t -> {
					if (t.op() == Op.EQ || t.op() == Op.IN) {
						Set<String> allowed = allowedText.computeIfAbsent(t.field(), f -> new LinkedHashSet<>(t.values()));
						allowed.retainAll(t.values());
						conflict = exists(existence, t.field(), true);
					}
					else {
						excludedText.computeIfAbsent(t.field(), f -> new HashSet<>()).addAll(t.values());
					}
					Set<String> allowed = allowedText.get(t.field());
					Set<String> excluded = excludedText.getOrDefault(t.field(), Set.of());
					if (conflict == null && allowed != null && excluded.containsAll(allowed)) {
						conflict = "no value of " + t.field().json + " is left that every part allows";
					}
				}
				case Condition.LifecycleTest l -> {
					Set<Lifecycle> these = l.negated() ? EnumSet.complementOf(EnumSet.copyOf(l.values())) : l.values();
					lifecycles.retainAll(these);
					if (lifecycles.isEmpty()) {
						conflict = "a customer has one lifecycle at a time, and no lifecycle is left that every part allows";
					}
				}
				case Condition.OrgTest o -> {
					if (!o.everyone() && !o.negated()) {
						if (stores == null) {
							stores = new HashSet<>(o.stores());
						}
						else {
							stores.retainAll(o.stores());
						}
						if (stores.isEmpty()) {
							conflict = "no store lies under every org node named (" + String.join(", ", o.nodes()) + ")";
						}
					}
					else if (o.everyone() && o.negated()) {
						conflict = "every customer belongs to the head office";
					}
				}
				case Condition.BirthdayTest b -> {
					if (b.op() == Op.MONTH) {
						if (month != null && month != b.n()) {
							conflict = "a birthday cannot be in month " + month + " and in month " + b.n();
						}
						month = b.n();
					}
					conflict = conflict != null ? conflict : exists(existence, Field.BIRTHDAY, true);
				}
				default -> {
				}
			}
			if (conflict != null) {
				return Optional.of(new Reason(path, "at " + path + ", " + conflict
						+ (previous == null ? "" : " (together with the parts before it in " + all.path() + ")")));
			}
			previous = path;
		}
		return Optional.empty();
	}

	/** An all inside an all adds its parts to the outer one's. */
	private static List<Condition> flattened(List<Condition> items) {
		List<Condition> out = new java.util.ArrayList<>();
		for (Condition item : items) {
			if (item instanceof Condition.All inner) {
				out.addAll(flattened(inner.items()));
			}
			else {
				out.add(item);
			}
		}
		return out;
	}

	private static String exists(Map<Field, Boolean> existence, Field field, boolean exists) {
		Boolean before = existence.putIfAbsent(field, exists);
		return before != null && before != exists ? field.json + " cannot be both set and unset" : null;
	}

	/** Narrows the field's interval by {@code op}; a message when it becomes empty. */
	private static String narrow(Map<String, long[]> ranges, Map<String, String> paths, String key, String label,
			String path, long min, long max, Op op, long a, long b) {
		long[] r = ranges.computeIfAbsent(key, k -> new long[] { min, max });
		switch (op) {
			case EQ -> {
				r[0] = Math.max(r[0], a);
				r[1] = Math.min(r[1], a);
			}
			case GT -> r[0] = Math.max(r[0], a == Long.MAX_VALUE ? a : a + 1);
			case GTE -> r[0] = Math.max(r[0], a);
			case LT -> r[1] = Math.min(r[1], a == Long.MIN_VALUE ? a : a - 1);
			case LTE -> r[1] = Math.min(r[1], a);
			case BETWEEN -> {
				r[0] = Math.max(r[0], a);
				r[1] = Math.min(r[1], b);
			}
			case NE -> {
				if (r[0] == a && r[1] == a) {
					r[1] = r[0] - 1;
				}
			}
			default -> {
			}
		}
		paths.putIfAbsent(key, path);
		if (r[0] > r[1]) {
			return min == 0 && r[1] < 0 ? label + " is never below 0"
					: "no value of " + label + " satisfies every comparison on it (the first at " + paths.get(key) + ")";
		}
		return null;
	}
}
