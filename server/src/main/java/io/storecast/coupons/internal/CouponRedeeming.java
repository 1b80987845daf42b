package io.storecast.coupons.internal;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

import io.storecast.coupons.Cart;
import io.storecast.coupons.CartPricing;
import io.storecast.coupons.CouponExpired;
import io.storecast.coupons.CouponRedeemed;
import io.storecast.coupons.CouponRevoked;
import io.storecast.coupons.CouponRolledBack;
import io.storecast.coupons.CouponStatus;
import io.storecast.coupons.RedeemRequest;
import io.storecast.coupons.Redemption;
import io.storecast.coupons.Rollback;
import io.storecast.identity.CustomerId;
import io.storecast.identity.OrgNodeId;
import io.storecast.platform.ApiException;
import io.storecast.platform.Ids;
import io.storecast.platform.TextFields;

/**
 * Prices carts, redeems coupons against orders exactly once, rolls redemptions back, and revokes.
 * A redemption locks its coupons (in code order, so concurrent redemptions never deadlock), decides
 * under those locks, and writes the redemption, the coupon's new state and the slot's counters in
 * one transaction; a unique index on the active redemption of a coupon backs the rule in the
 * database itself. These methods trust their caller; the controllers check permissions.
 */
@Service
class CouponRedeeming {

	private final IssuedCoupons coupons;
	private final Redemptions redemptions;
	private final Templates templates;
	private final TemplateManagement management;
	private final CartLines cartLines;
	private final ApplicationEventPublisher events;
	private final TransactionTemplate tx;
	private final Clock clock;

	CouponRedeeming(IssuedCoupons coupons, Redemptions redemptions, Templates templates,
			TemplateManagement management, CartLines cartLines, ApplicationEventPublisher events,
			TransactionTemplate tx, Clock clock) {
		this.coupons = coupons;
		this.redemptions = redemptions;
		this.templates = templates;
		this.management = management;
		this.cartLines = cartLines;
		this.events = events;
		// nested: inside a caller's transaction (a listener, the demo) a refusal rolls back to a savepoint
		// and leaves the caller's transaction usable; on its own it is a plain transaction
		this.tx = new TransactionTemplate(Objects.requireNonNull(tx.getTransactionManager()));
		this.tx.setPropagationBehavior(TransactionDefinition.PROPAGATION_NESTED);
		this.clock = clock;
	}

	// --- pricing ------------------------------------------------------------------------------------

	/** Which codes apply to the cart and why the others do not; changes nothing. */
	CartPricing price(@Nullable CustomerId customer, @Nullable OrgNodeId store, @Nullable List<String> codes,
			@Nullable Cart cart) {
		List<Pricing.Line> lines = cartLines.resolve(cart, "cart");
		long shipping = CartLines.shipping(Objects.requireNonNull(cart), "cart");
		List<String> typed = codeList(codes);
		Instant now = clock.instant();
		List<String> normal = new ArrayList<>();
		for (String c : typed) {
			CouponCodes.normalise(c).ifPresent(normal::add);
		}
		Map<String, CouponRow> found = new HashMap<>();
		coupons.findByCodes(normal).forEach(r -> found.put(r.code(), r));
		List<Pricing.Candidate> candidates = new ArrayList<>();
		Set<String> seen = new HashSet<>();
		for (String c : typed) {
			String code = CouponCodes.normalise(c).orElse(null);
			if (code == null) {
				candidates.add(Pricing.Candidate.refused(c, "invalid-code",
						"Not a coupon code (wrong length, a character that is not used, or a typo the check character caught)"));
				continue;
			}
			if (!seen.add(code)) {
				candidates.add(Pricing.Candidate.refused(c, "duplicate-code", "The code is listed twice"));
				continue;
			}
			CouponRow row = found.get(code);
			Template t = row == null ? null : management.cached(row.templateId()).orElse(null);
			if (row == null || t == null) {
				candidates.add(Pricing.Candidate.refused(c, "unknown-code", "No coupon has this code"));
				continue;
			}
			String[] problem = problem(row, t, customer, store, now);
			candidates.add(problem == null ? Pricing.Candidate.of(code, t)
					: Pricing.Candidate.refused(CouponCodes.display(code), problem[0], problem[1]));
		}
		return Pricing.price(lines, shipping, candidates);
	}

	/** Why a coupon cannot be used here and now ({reason, detail}), or null when it can. */
	private String @Nullable [] problem(CouponRow row, Template t, @Nullable CustomerId customer,
			@Nullable OrgNodeId store, Instant now) {
		if (customer != null && !row.customerId().equals(customer)) {
			return new String[] { "not-your-coupon", "This coupon belongs to another customer" };
		}
		switch (row.status()) {
			case REDEEMED -> {
				return new String[] { "coupon-redeemed", "This coupon has already been used" };
			}
			case REVOKED -> {
				return new String[] { "coupon-revoked", "This coupon was revoked by the merchant" };
			}
			case EXPIRED -> {
				return new String[] { "coupon-expired", "This coupon expired at " + row.validUntil() };
			}
			case ISSUED -> {
			}
		}
		if (!now.isBefore(row.validUntil())) {
			return new String[] { "coupon-expired", "This coupon expired at " + row.validUntil() };
		}
		if (now.isBefore(row.validFrom())) {
			return new String[] { "coupon-not-yet-valid", "This coupon can be used from " + row.validFrom() };
		}
		if (!management.appliesAt(t, store)) {
			return new String[] { "store-not-applicable", store == null
					? "'" + t.name() + "' is for some stores only: name the store"
					: "'" + t.name() + "' cannot be used at this store" };
		}
		return null;
	}

	private static List<String> codeList(@Nullable List<String> codes) {
		if (codes == null || codes.isEmpty()) {
			throw ApiException.badRequest("validation-failed", "codes", "codes is required: 1-" + CouponRules.MAX_CODES
					+ " coupon codes");
		}
		if (codes.size() > CouponRules.MAX_CODES) {
			throw ApiException.badRequest("validation-failed", "codes", "At most " + CouponRules.MAX_CODES + " codes");
		}
		for (int i = 0; i < codes.size(); i++) {
			if (codes.get(i) == null) {
				throw ApiException.badRequest("validation-failed", "codes[" + i + "]", "A code must not be null");
			}
		}
		return codes;
	}

	// --- redeeming ----------------------------------------------------------------------------------

	Redemption redeem(RedeemRequest r, String redeemedBy) {
		String order = CouponRules.orderId(r.orderExternalId(), "orderExternalId");
		if (r.customerId() == null) {
			throw ApiException.badRequest("validation-failed", "customerId", "customerId is required");
		}
		List<String> typed = codeList(r.codes());
		List<String> normal = new ArrayList<>();
		for (int i = 0; i < typed.size(); i++) {
			String code = CouponRules.code(typed.get(i), "codes[" + i + "]");
			if (normal.contains(code)) {
				throw ApiException.badRequest("duplicate-code", "codes[" + i + "]", "The code is listed twice");
			}
			normal.add(code);
		}
		List<Pricing.Line> lines = cartLines.resolve(r.cart(), "cart");
		long shipping = CartLines.shipping(r.cart(), "cart");
		return Objects.requireNonNull(tx.execute(s -> redeemLocked(r, order, normal, lines, shipping, redeemedBy)));
	}

	private Redemption redeemLocked(RedeemRequest r, String order, List<String> normal, List<Pricing.Line> lines,
			long shipping, String redeemedBy) {
		Instant now = clock.instant();
		Map<String, CouponRow> locked = new HashMap<>();
		coupons.lockByCodes(normal).forEach(row -> locked.put(row.code(), row));
		for (int i = 0; i < normal.size(); i++) {
			if (!locked.containsKey(normal.get(i))) {
				throw ApiException.badRequest("unknown-code", "codes[" + i + "]",
						"No coupon has the code " + CouponCodes.display(normal.get(i)));
			}
		}
		List<CouponRow> rows = normal.stream().map(locked::get).toList();
		Map<UUID, Redemptions.Row> active = new HashMap<>();
		redemptions.activeOfCoupons(rows.stream().map(CouponRow::id).toList()).forEach(a -> active.put(a.couponId(), a));
		List<String> mine = new ArrayList<>();
		for (CouponRow row : rows) {
			if (!row.customerId().equals(r.customerId())) {
				throw ApiException.forbidden("not-your-coupon",
						"The coupon " + CouponCodes.display(row.code()) + " belongs to another customer");
			}
			Redemptions.Row a = active.get(row.id());
			if (a != null && !a.orderExternalId().equals(order)) {
				throw ApiException.conflict("already-redeemed", "The coupon " + CouponCodes.display(row.code())
						+ " was redeemed by order " + a.orderExternalId() + " at " + a.redeemedAt());
			}
			if (a != null) {
				mine.add(row.code());
			}
		}
		if (!mine.isEmpty()) {
			List<Redemptions.Row> ofOrder = redemptions.activeOfOrder(order);
			if (mine.size() == rows.size() && ofOrder.size() == rows.size()) {
				return earlier(r, order, rows, active);
			}
			throw ApiException.conflict("duplicate-redemption", "Order " + order + " has already redeemed "
					+ String.join(", ", mine.stream().map(CouponCodes::display).toList())
					+ "; roll it back first to redeem a different set");
		}
		List<Pricing.Candidate> candidates = new ArrayList<>();
		Map<String, Template> byCode = new LinkedHashMap<>();
		for (CouponRow row : rows) {
			Template t = management.cached(row.templateId()).orElseThrow();
			String[] problem = problem(row, t, r.customerId(), r.storeId(), now);
			if (problem != null) {
				throw ApiException.conflict(problem[0], CouponCodes.display(row.code()) + ": " + problem[1]);
			}
			candidates.add(Pricing.Candidate.of(row.code(), t));
			byCode.put(row.code(), t);
		}
		CartPricing priced = Pricing.price(lines, shipping, candidates);
		if (!priced.rejected().isEmpty()) {
			CartPricing.Rejected first = priced.rejected().getFirst();
			throw ApiException.conflict(first.reason(), first.code() + ": " + first.detail());
		}
		List<Redemption.Coupon> done = new ArrayList<>();
		for (int i = 0; i < rows.size(); i++) {
			CouponRow row = rows.get(i);
			Template t = byCode.get(row.code());
			long discount = priced.applied().get(i).discountFen();
			UUID id = Ids.newId();
			redemptions.insert(new Redemptions.Row(id, row.id(), row.templateId(), row.customerId(), order, r.storeId(),
					discount, true, redeemedBy, now, null, null));
			coupons.markRedeemed(row.id(), now);
			templates.countRedemption(row.templateId(), row.slot(), 1, discount);
			events.publishEvent(new CouponRedeemed(row.id(), CouponCodes.display(row.code()), row.templateId(), t.kind(),
					row.customerId(), order, r.storeId(), discount, now));
			done.add(new Redemption.Coupon(id, row.id(), CouponCodes.display(row.code()), row.templateId(), discount, now));
		}
		return new Redemption(order, r.customerId(), r.storeId(), priced.discountFen(), done, false);
	}

	private static Redemption earlier(RedeemRequest r, String order, List<CouponRow> rows,
			Map<UUID, Redemptions.Row> active) {
		List<Redemption.Coupon> list = new ArrayList<>();
		long total = 0;
		OrgNodeId store = null;
		for (CouponRow row : rows) {
			Redemptions.Row a = active.get(row.id());
			list.add(new Redemption.Coupon(a.id(), row.id(), CouponCodes.display(row.code()), row.templateId(),
					a.discountFen(), a.redeemedAt()));
			total += a.discountFen();
			store = a.storeId();
		}
		return new Redemption(order, r.customerId(), store, total, list, true);
	}

	// --- rolling back -------------------------------------------------------------------------------

	/** The order's active redemptions (to check a caller's rights before rolling them back). */
	List<Redemptions.Row> activeOfOrder(String orderExternalId) {
		return redemptions.activeOfOrder(CouponRules.orderId(orderExternalId, "orderExternalId"));
	}

	Rollback rollback(String orderExternalId, String reason) {
		String order = CouponRules.orderId(orderExternalId, "orderExternalId");
		String why = TextFields.required(reason, "reason", 200);
		return Objects.requireNonNull(tx.execute(s -> {
			List<Redemptions.Row> before = redemptions.activeOfOrder(order);
			if (before.isEmpty()) {
				return new Rollback(order, List.of());
			}
			Map<UUID, CouponRow> locked = new HashMap<>();
			coupons.lockByIds(before.stream().map(Redemptions.Row::couponId).toList())
				.forEach(c -> locked.put(c.id(), c));
			Instant now = clock.instant();
			List<Rollback.Coupon> undone = new ArrayList<>();
			// read again under the coupons' locks: a concurrent rollback may have taken some
			for (Redemptions.Row red : redemptions.activeOfOrder(order)) {
				CouponRow c = locked.get(red.couponId());
				if (c == null || !redemptions.rollBack(red.id(), why, now)) {
					continue;
				}
				boolean usable = now.isBefore(c.validUntil());
				CouponStatus after = usable ? CouponStatus.ISSUED : CouponStatus.EXPIRED;
				coupons.markReturned(c.id(), after, now);
				templates.countRedemption(c.templateId(), c.slot(), -1, red.discountFen());
				String code = CouponCodes.display(c.code());
				events.publishEvent(new CouponRolledBack(c.id(), code, c.templateId(), c.customerId(), order,
						red.discountFen(), why, usable, now));
				if (!usable) {
					events.publishEvent(new CouponExpired(c.id(), code, c.templateId(), c.customerId(), c.validUntil(), now));
				}
				undone.add(new Rollback.Coupon(red.id(), c.id(), code, c.templateId(), red.discountFen(), after));
			}
			return new Rollback(order, undone);
		}));
	}

	// --- revoking -----------------------------------------------------------------------------------

	CouponRow revoke(String code, String reason, String revokedBy) {
		String normal = CouponRules.code(code, "code");
		String why = TextFields.required(reason, "reason", 200);
		return Objects.requireNonNull(tx.execute(s -> {
			CouponRow row = coupons.lockByCodes(List.of(normal))
				.stream()
				.findFirst()
				.orElseThrow(() -> ApiException.notFound("unknown-code", "No coupon has the code " + code));
			Instant now = clock.instant();
			if (!coupons.revoke(row.id(), why, now)) {
				throw ApiException.conflict("not-revocable",
						"Only an unused coupon can be revoked; this one is " + row.status());
			}
			events.publishEvent(new CouponRevoked(row.id(), CouponCodes.display(row.code()), row.templateId(),
					row.customerId(), why, revokedBy, now));
			return coupons.findByCode(normal).orElseThrow();
		}));
	}
}
