package io.storecast.coupons.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import io.storecast.catalog.Catalog;
import io.storecast.catalog.SkuView;
import io.storecast.coupons.CouponKind;
import io.storecast.coupons.CouponTemplateId;
import io.storecast.identity.AccessPolicy;
import io.storecast.identity.Actor;
import io.storecast.identity.OrgDirectory;
import io.storecast.identity.OrgNode;
import io.storecast.identity.OrgNodeId;
import io.storecast.identity.Permission;
import io.storecast.platform.ApiException;
import io.storecast.platform.CursorPage;
import io.storecast.platform.Ids;
import io.storecast.platform.TextFields;

/**
 * Coupon templates: created by head-office marketing (or the merchant's promotion system with
 * {@code coupons:write}), checked field by field, paused and resumed. Templates are read on every
 * claim, so they are cached for a few seconds; what must be exact (stock, and whether the template
 * is active) is decided in the claim's own SQL.
 */
@Service
class TemplateManagement {

	static final int MAX_STOCK = 10_000_000;

	/** A template as the API takes it. */
	record TemplateRequest(@Nullable String name, @Nullable String description, @Nullable CouponKind kind,
			@Nullable Long discountFen, @Nullable Long thresholdFen, @Nullable Integer percentOff, @Nullable Long capFen,
			@Nullable String giftSku, @Nullable Instant validFrom, @Nullable Instant validUntil,
			@Nullable Integer validDays, @Nullable Integer stock, @Nullable Long budgetFen,
			@Nullable Integer perCustomerLimit, @Nullable Integer perCustomerDailyLimit, @Nullable List<String> products,
			@Nullable List<String> categories, @Nullable List<OrgNodeId> stores, @Nullable Stacking stacking,
			@Nullable Audience audience) {
	}

	/** Exclusive (alone on an order), or combinable: at most {@code maxPerOrder} of {@code group} on one order. */
	record Stacking(@Nullable Boolean exclusive, @Nullable String group, @Nullable Integer maxPerOrder) {
	}

	/**
	 * Who may claim: new customers only, members of some levels, or dormant customers (win-back).
	 * Grants skip these rules.
	 */
	record Audience(@Nullable Boolean newCustomersOnly, @Nullable List<String> memberLevels, @Nullable Boolean winBack) {
	}

	/** What stock is left and what was spent. {@code issuedFaceValueFen}: null for an uncapped percentage. */
	record Counts(long issued, long remaining, long redeemed, long redeemedFen, @Nullable Long issuedFaceValueFen) {
	}

	/** A template as the API shows it, with its counters. */
	record TemplateView(CouponTemplateId id, String name, @Nullable String description, CouponKind kind,
			@Nullable Long discountFen, long thresholdFen, @Nullable Integer percentOff, @Nullable Long capFen,
			@Nullable String giftSku, @Nullable Long faceValueFen, Instant validFrom, Instant validUntil,
			@Nullable Integer validDays, int stock, @Nullable Long budgetFen, int perCustomerLimit,
			@Nullable Integer perCustomerDailyLimit, List<String> products, List<String> categories,
			List<OrgNodeId> stores, Stacking stacking, Audience audience, Template.Status status, Counts counts,
			Instant createdAt, Instant updatedAt) {
	}

	record StatusChange(Template.@Nullable Status status) {
	}

	private final Templates templates;
	private final Catalog catalog;
	private final OrgDirectory org;
	private final AccessPolicy access;
	private final CouponSettings settings;
	private final TransactionTemplate tx;
	private final Clock clock;
	private final Cache<CouponTemplateId, Optional<Template>> cache = Caffeine.newBuilder()
		.maximumSize(10_000)
		.expireAfterWrite(Duration.ofSeconds(5))
		.build();

	TemplateManagement(Templates templates, Catalog catalog, OrgDirectory org, AccessPolicy access,
			CouponSettings settings, TransactionTemplate tx, Clock clock) {
		this.templates = templates;
		this.catalog = catalog;
		this.org = org;
		this.access = access;
		this.settings = settings;
		this.tx = tx;
		this.clock = clock;
	}

	// --- reading ------------------------------------------------------------------------------------

	/** The template, from a cache at most 5 s old (stock and status are checked in SQL where it matters). */
	Optional<Template> cached(CouponTemplateId id) {
		return cache.get(id, templates::find);
	}

	Template require(CouponTemplateId id) {
		return cached(id).orElseThrow(() -> ApiException.notFound("not-found", "No coupon template " + id));
	}

	TemplateView get(Actor actor, CouponTemplateId id) {
		if (!(actor instanceof Actor.Customer)) {
			requireRead(actor);
		}
		Template t = templates.find(id).orElseThrow(() -> ApiException.notFound("not-found", "No coupon template " + id));
		if (actor instanceof Actor.Customer && t.status() != Template.Status.ACTIVE) {
			throw ApiException.notFound("not-found", "No coupon template " + id);
		}
		return view(t);
	}

	CursorPage<TemplateView> list(Actor actor, Template.@Nullable Status status, @Nullable String after, int limit) {
		requireRead(actor);
		CouponTemplateId cursor = null;
		if (after != null && !after.isBlank()) {
			try {
				cursor = CouponTemplateId.valueOf(after);
			}
			catch (IllegalArgumentException e) {
				throw ApiException.badRequest("invalid-cursor", "after", "after must be a nextCursor from an earlier page");
			}
		}
		List<Template> page = templates.list(cursor, status, limit + 1);
		return mapPage(CursorPage.of(page, limit, t -> t.id().toString()));
	}

	private CursorPage<TemplateView> mapPage(CursorPage<Template> page) {
		return new CursorPage<>(page.items().stream().map(this::view).toList(), page.nextCursor());
	}

	TemplateView view(Template t) {
		Templates.Counts c = templates.counts(t.id());
		Counts counts = new Counts(c.issued(), t.stock() - c.issued(), c.redeemed(), c.redeemedFen(),
				t.faceValueFen() == null ? null : t.faceValueFen() * c.issued());
		return new TemplateView(t.id(), t.name(), t.description(), t.kind(), t.discountFen(), t.thresholdFen(),
				t.percentOff(), t.capFen(), t.giftSku(), t.faceValueFen(), t.validFrom(), t.validUntil(), t.validDays(),
				t.stock(), t.budgetFen(), t.perCustomerLimit(), t.perCustomerDailyLimit(), t.products(), t.categories(),
				t.stores(), new Stacking(t.exclusive(), t.exclusive() ? null : t.group(), t.maxPerOrder()),
				new Audience(t.newCustomersOnly(), List.copyOf(t.memberLevels()), t.winBack()), t.status(), counts,
				t.createdAt(), t.updatedAt());
	}

	private void requireRead(Actor actor) {
		access.require(actor, Permission.COUPON_READ);
	}

	// --- writing ------------------------------------------------------------------------------------

	TemplateView create(Actor actor, TemplateRequest r) {
		access.require(actor, Permission.COUPON_WRITE);
		Template t = validate(r, CouponRules.who(actor), clock.instant());
		tx.executeWithoutResult(s -> templates.insert(t));
		return view(t);
	}

	TemplateView setStatus(Actor actor, CouponTemplateId id, StatusChange change) {
		access.require(actor, Permission.COUPON_WRITE);
		if (change.status() == null) {
			throw ApiException.badRequest("validation-failed", "status", "status is required: ACTIVE or PAUSED");
		}
		if (!templates.setStatus(id, change.status(), clock.instant())) {
			throw ApiException.notFound("not-found", "No coupon template " + id);
		}
		cache.invalidate(id);
		return view(templates.find(id).orElseThrow());
	}

	/** Checks a request field by field; nothing is written when any check fails. */
	Template validate(TemplateRequest r, String createdBy, Instant now) {
		String name = TextFields.required(r.name(), "name", 100);
		String description = TextFields.optional(r.description(), "description", 1000);
		if (r.kind() == null) {
			throw ApiException.badRequest("validation-failed", "kind",
					"kind is required: AMOUNT_OFF, PERCENT_OFF, NO_THRESHOLD, FREE_GIFT or SHIPPING");
		}
		CouponKind kind = r.kind();
		Long discount = r.discountFen();
		long threshold = r.thresholdFen() == null ? 0 : r.thresholdFen();
		Integer percent = r.percentOff();
		Long cap = r.capFen();
		String giftSku = r.giftSku();
		only(kind, discount != null, "discountFen", CouponKind.AMOUNT_OFF, CouponKind.NO_THRESHOLD);
		only(kind, percent != null, "percentOff", CouponKind.PERCENT_OFF);
		only(kind, cap != null, "capFen", CouponKind.PERCENT_OFF, CouponKind.SHIPPING);
		only(kind, giftSku != null, "giftSku", CouponKind.FREE_GIFT);
		if (threshold < 0 || threshold > CouponRules.MAX_FEN) {
			throw ApiException.badRequest("invalid-amount", "thresholdFen",
					"thresholdFen must be between 0 and " + CouponRules.MAX_FEN + ", was " + threshold);
		}
		Long face;
		switch (kind) {
			case AMOUNT_OFF, NO_THRESHOLD -> {
				amount(discount, "discountFen");
				if (kind == CouponKind.AMOUNT_OFF && threshold <= 0) {
					throw ApiException.badRequest("invalid-amount", "thresholdFen",
							"An AMOUNT_OFF coupon (满减) needs thresholdFen > 0; without a threshold use NO_THRESHOLD");
				}
				if (kind == CouponKind.NO_THRESHOLD && threshold != 0) {
					throw ApiException.badRequest("invalid-amount", "thresholdFen",
							"A NO_THRESHOLD coupon has no threshold; with one use AMOUNT_OFF");
				}
				if (kind == CouponKind.AMOUNT_OFF && discount >= threshold) {
					throw ApiException.badRequest("invalid-amount", "discountFen",
							"discountFen must be below thresholdFen (" + threshold + "), was " + discount);
				}
				face = discount;
			}
			case PERCENT_OFF -> {
				if (percent == null || percent < 1 || percent > 99) {
					throw ApiException.badRequest("invalid-percent", "percentOff",
							"percentOff is the percentage taken off, 1-99 (9折 is 10), was " + percent);
				}
				if (cap != null) {
					amount(cap, "capFen");
				}
				face = cap;
			}
			case SHIPPING -> {
				if (cap != null) {
					amount(cap, "capFen");
				}
				face = cap;
			}
			case FREE_GIFT -> {
				String sku = externalId(giftSku, "giftSku");
				SkuView view = catalog.findSku(sku)
					.orElseThrow(() -> ApiException.badRequest("unknown-sku", "giftSku", "No SKU with external id '" + sku + "'"));
				giftSku = sku;
				face = view.priceFen();
			}
			default -> throw new IllegalStateException();
		}
		if (r.validFrom() == null || r.validUntil() == null) {
			throw ApiException.badRequest("validation-failed", r.validFrom() == null ? "validFrom" : "validUntil",
					"validFrom and validUntil are required (the window in which coupons are claimed)");
		}
		if (!r.validUntil().isAfter(r.validFrom())) {
			throw ApiException.badRequest("invalid-window", "validUntil",
					"validUntil (" + r.validUntil() + ") must be after validFrom (" + r.validFrom() + ")");
		}
		if (!r.validUntil().isAfter(now)) {
			throw ApiException.badRequest("invalid-window", "validUntil", "validUntil is in the past");
		}
		if (r.validDays() != null && (r.validDays() < 1 || r.validDays() > 3650)) {
			throw ApiException.badRequest("validation-failed", "validDays",
					"validDays must be between 1 and 3650, was " + r.validDays());
		}
		if (r.stock() == null || r.stock() < 1 || r.stock() > MAX_STOCK) {
			throw ApiException.badRequest("invalid-stock", "stock",
					"stock is required: the coupons that may be issued, 1-" + MAX_STOCK + ", was " + r.stock());
		}
		int stock = r.stock();
		Long budget = r.budgetFen();
		if (budget != null) {
			amount(budget, "budgetFen");
			if (face == null) {
				throw ApiException.badRequest("invalid-budget", "budgetFen",
						"A budget needs a bounded coupon: set capFen, so that each coupon's cost is known");
			}
			if (face > 0 && budget < face) {
				throw ApiException.badRequest("invalid-budget", "budgetFen",
						"budgetFen (" + budget + ") does not pay for a single coupon (" + face + ")");
			}
			if (face > 0) {
				// the budget caps issuance at face value: never more issued than it pays for
				stock = (int) Math.min(stock, budget / face);
			}
		}
		int limit = r.perCustomerLimit() == null ? 1 : r.perCustomerLimit();
		if (limit < 1 || limit > 1000) {
			throw ApiException.badRequest("invalid-customer-limit", "perCustomerLimit",
					"perCustomerLimit must be between 1 and 1000, was " + limit);
		}
		Integer daily = r.perCustomerDailyLimit();
		if (daily != null && (daily < 1 || daily > limit)) {
			throw ApiException.badRequest("invalid-customer-limit", "perCustomerDailyLimit",
					"perCustomerDailyLimit must be between 1 and perCustomerLimit (" + limit + "), was " + daily);
		}
		List<String> products = distinct(r.products(), "products", 500, (v, f) -> externalId(v, f));
		List<String> categories = distinct(r.categories(), "categories", 100,
				(v, f) -> TextFields.required(v, f, 64));
		List<OrgNodeId> stores = new ArrayList<>();
		if (r.stores() != null) {
			if (r.stores().size() > 500) {
				throw ApiException.badRequest("validation-failed", "stores", "At most 500 stores");
			}
			for (int i = 0; i < r.stores().size(); i++) {
				OrgNodeId id = r.stores().get(i);
				String field = "stores[" + i + "]";
				if (id == null || org.find(id).isEmpty()) {
					throw ApiException.badRequest("unknown-org-node", field, "No store or region " + id);
				}
				if (!stores.contains(id)) {
					stores.add(id);
				}
			}
		}
		Stacking stacking = r.stacking() == null ? new Stacking(true, null, null) : r.stacking();
		boolean exclusive = stacking.exclusive() == null || stacking.exclusive();
		String group = exclusive ? null : TextFields.optional(stacking.group(), "stacking.group", 32);
		int maxPerOrder = stacking.maxPerOrder() == null ? 1 : stacking.maxPerOrder();
		if (maxPerOrder < 1 || maxPerOrder > 20) {
			throw ApiException.badRequest("validation-failed", "stacking.maxPerOrder",
					"stacking.maxPerOrder must be between 1 and 20, was " + maxPerOrder);
		}
		if (exclusive && (stacking.group() != null || stacking.maxPerOrder() != null)) {
			throw ApiException.badRequest("validation-failed", "stacking.exclusive",
					"An exclusive coupon combines with nothing: set exclusive to false to give a group and maxPerOrder");
		}
		Audience audience = r.audience() == null ? new Audience(false, List.of(), false) : r.audience();
		Set<String> levels = new LinkedHashSet<>(distinct(audience.memberLevels(), "audience.memberLevels", 20,
				(v, f) -> TextFields.required(v, f, 32)));
		boolean newOnly = Boolean.TRUE.equals(audience.newCustomersOnly());
		boolean winBack = Boolean.TRUE.equals(audience.winBack());
		if (newOnly && winBack) {
			throw ApiException.badRequest("validation-failed", "audience.winBack",
					"A coupon is for new customers or for dormant ones (win-back), not both");
		}
		CouponTemplateId id = new CouponTemplateId(Ids.newId());
		return new Template(id, name, description, kind, discount, threshold, percent, cap, giftSku, face,
				r.validFrom(), r.validUntil(), r.validDays(), stock, budget, settings.slotsFor(stock), limit, daily,
				products, categories, stores, exclusive, group, maxPerOrder, newOnly, levels, winBack,
				Template.Status.ACTIVE, createdBy, now, now);
	}

	private static void only(CouponKind kind, boolean present, String field, CouponKind... kinds) {
		if (present && !List.of(kinds).contains(kind)) {
			throw ApiException.badRequest("validation-failed", field, field + " is not used by a " + kind + " coupon");
		}
	}

	private static void amount(@Nullable Long fen, String field) {
		if (fen == null || fen <= 0 || fen > CouponRules.MAX_FEN) {
			throw ApiException.badRequest("invalid-amount", field,
					field + " is required and must be between 1 and " + CouponRules.MAX_FEN + " fen, was " + fen);
		}
	}

	private static String externalId(@Nullable String value, String field) {
		if (value == null || !CouponRules.EXTERNAL_ID.matcher(value).matches()) {
			throw ApiException.badRequest("invalid-external-id", field,
					field + " must be an external id: 1-64 letters, digits, '.', '_' or '-', was '" + value + "'");
		}
		return value;
	}

	private static List<String> distinct(@Nullable List<String> values, String field, int max,
			java.util.function.BiFunction<String, String, String> check) {
		if (values == null) {
			return List.of();
		}
		if (values.size() > max) {
			throw ApiException.badRequest("validation-failed", field, "At most " + max + " " + field);
		}
		List<String> out = new ArrayList<>();
		for (int i = 0; i < values.size(); i++) {
			String v = check.apply(values.get(i), field + "[" + i + "]");
			if (!out.contains(v)) {
				out.add(v);
			}
		}
		return out;
	}

	/** Whether the template applies at the store: it names no store, or the store or a region above it. */
	boolean appliesAt(Template t, @Nullable OrgNodeId store) {
		if (t.stores().isEmpty()) {
			return true;
		}
		if (store == null) {
			return false;
		}
		Optional<OrgNode> node = org.find(store);
		if (node.isEmpty()) {
			return false;
		}
		for (OrgNodeId allowed : t.stores()) {
			if (allowed.equals(store)) {
				return true;
			}
			Optional<OrgNode> area = org.find(allowed);
			if (area.isPresent() && area.get().contains(node.get())) {
				return true;
			}
		}
		return false;
	}
}
