package io.storecast.coupons.internal;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.dao.PessimisticLockingFailureException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import io.storecast.coupons.CouponClaimed;
import io.storecast.coupons.CouponGranted;
import io.storecast.coupons.CouponStatus;
import io.storecast.coupons.CouponTemplateId;
import io.storecast.coupons.IssueChannel;
import io.storecast.identity.CustomerDirectory;
import io.storecast.identity.CustomerId;
import io.storecast.identity.CustomerProfile;
import io.storecast.identity.OrgDirectory;
import io.storecast.platform.ApiException;
import io.storecast.platform.Ids;

/**
 * Issues coupons — claims by customers, grants by the merchant's systems — without ever passing a
 * template's stock or a customer's limits, under any number of concurrent requests.
 * <p>
 * One transaction per coupon, in this order: count it against the customer's holding (an upsert
 * that refuses past the limit, under that customer's row lock), take one unit from a stock slot
 * with room (a striped counter: slots are tried from a random one, skipping slots another claim
 * holds, so concurrent claims rarely wait on each other), write the coupon, publish the event,
 * commit. The slot's lock is the last one taken and is held only for the coupon's insert and the
 * commit. Any refusal rolls the whole transaction back, so a refused claim changes nothing; a crash
 * at any point leaves either the whole claim or nothing. A retry with the same request key finds the
 * coupon by the key's unique index and returns it.
 * <p>
 * Claims arriving together go through {@link BatchClaims}, which shares this class's checks, caches
 * and refusals and issues a template's claims in one transaction; whatever it cannot decide comes
 * here, one claim at a time.
 */
@Service
class CouponIssuing {

	/** A coupon issued by this call, or found as issued by an earlier call with the same key. */
	record Issued(CouponRow coupon, boolean replayed) {
	}

	/**
	 * One coupon asked for, its inputs checked: by whom and under which key ({@code issueKey}, scoped to
	 * the asker), and whether the template's audience rules apply (claims) or not (grants).
	 */
	record Request(Template template, CustomerId customer, IssueChannel channel, String issueKey, String issuedBy,
			@Nullable String source, @Nullable String sourceRef, boolean audience) {
	}

	private static final class Refused extends RuntimeException {

		private final String reason;

		Refused(String reason) {
			super(reason, null, false, false);
			this.reason = reason;
		}
	}

	private final Templates templates;
	private final IssuedCoupons coupons;
	private final Redemptions redemptions;
	private final TemplateManagement management;
	private final CustomerDirectory customers;
	private final OrgDirectory org;
	private final CouponSettings settings;
	private final ApplicationEventPublisher events;
	private final TransactionTemplate tx;
	private final Clock clock;
	private final CouponCodes codes = new CouponCodes(new SecureRandom());
	/** Templates found sold out: stock never comes back, so later claims are refused without a query. */
	private final Cache<CouponTemplateId, Boolean> soldOut = Caffeine.newBuilder().maximumSize(10_000).build();
	/**
	 * Customers found holding a template's whole per-customer limit: holdings only ever grow, so
	 * their later claims are refused after one lookup (an idempotent replay) instead of a
	 * transaction that locks the holding to find it full.
	 */
	private final Cache<Holder, Boolean> full = Caffeine.newBuilder().maximumSize(200_000).build();
	private final Cache<CustomerId, Optional<CustomerProfile>> profiles = Caffeine.newBuilder()
		.maximumSize(100_000)
		.expireAfterWrite(Duration.ofSeconds(30))
		.build();
	private volatile @Nullable ZoneId zone;

	CouponIssuing(Templates templates, IssuedCoupons coupons, Redemptions redemptions, TemplateManagement management,
			CustomerDirectory customers, OrgDirectory org, CouponSettings settings, ApplicationEventPublisher events,
			TransactionTemplate tx, Clock clock) {
		this.templates = templates;
		this.coupons = coupons;
		this.redemptions = redemptions;
		this.management = management;
		this.customers = customers;
		this.org = org;
		this.settings = settings;
		this.events = events;
		this.tx = nested(tx);
		this.clock = clock;
	}

	/**
	 * Issuing's transactions: nested, so that inside a caller's transaction (a listener, the demo) a
	 * refusal rolls back to a savepoint and leaves the caller's transaction usable; on its own it is a
	 * plain transaction.
	 */
	static TransactionTemplate nested(TransactionTemplate tx) {
		TransactionTemplate nested = new TransactionTemplate(Objects.requireNonNull(tx.getTransactionManager()));
		nested.setPropagationBehavior(TransactionDefinition.PROPAGATION_NESTED);
		return nested;
	}

	/** A customer claims (audience rules apply); the key is scoped to the customer. */
	Issued claim(CustomerId customer, CouponTemplateId templateId, String key, @Nullable String source,
			@Nullable String sourceRef) {
		return issue(claimRequest(customer, templateId, key, source, sourceRef));
	}

	/**
	 * A customer's claim, its key checked (400) and its template found (404): what {@link #issue}
	 * takes, alone or in a batch ({@link BatchClaims}).
	 */
	Request claimRequest(CustomerId customer, CouponTemplateId templateId, @Nullable String key, @Nullable String source,
			@Nullable String sourceRef) {
		String requestKey = CouponRules.requestKey(key);
		Template t = management.require(templateId);
		String who = "customer:" + customer;
		return new Request(t, customer, IssueChannel.CLAIM, who + "|" + requestKey, who, source, sourceRef, true);
	}

	/** The merchant's system grants (no audience rules); the key is scoped to the granter. */
	Issued grant(CouponTemplateId templateId, CustomerId customer, String key, String grantedBy,
			@Nullable String source, @Nullable String sourceRef) {
		String requestKey = CouponRules.requestKey(key);
		Template t = management.require(templateId);
		if (profile(customer).isEmpty()) {
			throw ApiException.badRequest("unknown-customer", "customerId", "No customer " + customer);
		}
		return issue(new Request(t, customer, IssueChannel.GRANT, "grant:" + grantedBy + "|" + requestKey, grantedBy,
				source, sourceRef, false));
	}

	/** Issues one coupon in a transaction of its own, or answers the earlier coupon of its key, or refuses. */
	Issued issue(Request r) {
		Template t = r.template();
		CustomerId customer = r.customer();
		// to the microsecond, as PostgreSQL keeps it: the answer shows what a later read shows
		Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
		Supplier<ApiException> early = cachedRefusal(r, now);
		if (early != null) {
			return replayOr(r, early);
		}
		ApiException audience = audienceRefusal(r, now);
		if (audience != null) {
			throw audience;
		}
		Instant[] validity = t.validityFor(now);
		LocalDate today = today(now);
		for (int attempt = 0;; attempt++) {
			CouponRow draft = draft(r, now, validity);
			try {
				int[] holding = new int[1];
				CouponRow issued = tx.execute(s -> {
					OptionalInt held = coupons.hold(t.id(), customer, t.perCustomerLimit(), t.perCustomerDailyLimit(), today);
					if (held.isEmpty()) {
						throw new Refused("limit");
					}
					holding[0] = held.getAsInt();
					int slot = templates.takeOne(t.id(), t.slots(), ThreadLocalRandom.current().nextInt(t.slots()), s)
						.orElseThrow(() -> new Refused("stock"));
					CouponRow row = withSlot(draft, slot);
					coupons.insert(row);
					publish(t, row);
					return row;
				});
				if (holding[0] >= t.perCustomerLimit()) {
					rememberFull(t.id(), customer);
				}
				return new Issued(Objects.requireNonNull(issued), false);
			}
			catch (Refused refused) {
				return replayOr(r, () -> refused.reason.equals("limit") ? limitReached(t, customer, today) : outOfStock(t));
			}
			catch (PessimisticLockingFailureException deadlock) {
				// a lock cycle PostgreSQL broke by aborting this transaction (rare: a slot filled while
				// locked by a first attempt); nothing was written, so it is tried again
				if (attempt >= 5) {
					throw deadlock;
				}
			}
			catch (DuplicateKeyException duplicate) {
				Optional<CouponRow> earlier = coupons.findByIssueKey(r.issueKey());
				if (earlier.isPresent()) {
					return replay(earlier.get(), r);
				}
				if (attempt >= 2) {
					throw duplicate;
				}
				// a code collision (1 in 2^75 per pair): draw another
			}
		}
	}

	/**
	 * What refuses the request without a transaction, from what this node remembers and the cached
	 * template: sold out, not claimable now (paused, before or after the window), the customer's
	 * whole limit held. Null when it may go on. The refusal yields to an earlier coupon of the same key
	 * (a replay), so it is given lazily.
	 */
	@Nullable Supplier<ApiException> cachedRefusal(Request r, Instant now) {
		Template t = r.template();
		if (soldOut.getIfPresent(t.id()) != null) {
			return () -> soldOut(t);
		}
		if (!t.claimableAt(now)) {
			return () -> notClaimable(t, now);
		}
		if (full.getIfPresent(new Holder(t.id(), r.customer())) != null) {
			return () -> limitReached(t);
		}
		return null;
	}

	/** A new coupon for the request, not yet in a slot ({@code slot} -1) nor stored. */
	CouponRow draft(Request r, Instant now, Instant[] validity) {
		return new CouponRow(Ids.newId(), codes.next(), r.template().id(), r.customer(), -1, CouponStatus.ISSUED,
				r.channel(), r.source(), r.sourceRef(), r.issueKey(), r.issuedBy(), validity[0], validity[1], now, null,
				null, null);
	}

	/** The merchant's calendar day at {@code now} (per-day limits count in it). */
	LocalDate today(Instant now) {
		return LocalDate.ofInstant(now, zone());
	}

	/** The coupon's event, heard by synchronous listeners inside the issuing transaction. */
	void publish(Template t, CouponRow c) {
		if (c.channel() == IssueChannel.CLAIM) {
			events.publishEvent(new CouponClaimed(c.id(), CouponCodes.display(c.code()), t.id(), t.kind(), c.customerId(),
					c.source(), c.sourceRef(), c.validUntil(), c.issuedAt()));
		}
		else {
			events.publishEvent(new CouponGranted(c.id(), CouponCodes.display(c.code()), t.id(), t.kind(), c.customerId(),
					c.issuedBy(), c.source(), c.sourceRef(), c.validUntil(), c.issuedAt()));
		}
	}

	private Issued replayOr(Request r, Supplier<ApiException> refusal) {
		Optional<CouponRow> earlier = coupons.findByIssueKey(r.issueKey());
		if (earlier.isPresent()) {
			return replay(earlier.get(), r);
		}
		throw refusal.get();
	}

	/** The earlier coupon of the request's key, replayed; 409 when the key was used for another coupon. */
	static Issued replay(CouponRow earlier, Request r) {
		if (!earlier.templateId().equals(r.template().id()) || !earlier.customerId().equals(r.customer())) {
			throw ApiException.conflict("idempotency-key-reused",
					"This Idempotency-Key was used for another coupon (" + CouponCodes.display(earlier.code()) + ")");
		}
		return new Issued(earlier, true);
	}

	/** No stock for the claim: sold out (remembered), or the template was paused meanwhile. */
	ApiException outOfStock(Template t) {
		// no slot had room, or the template was paused meanwhile (the claim's SQL checks both)
		Template fresh = templates.find(t.id()).orElse(t);
		if (fresh.status() != Template.Status.ACTIVE) {
			return ApiException.conflict("template-paused", "'" + t.name() + "' is paused: no coupons are issued");
		}
		soldOut.put(t.id(), Boolean.TRUE);
		return soldOut(t);
	}

	private static ApiException soldOut(Template t) {
		return ApiException.conflict("sold-out", "All " + t.stock() + " coupons of '" + t.name() + "' have been issued");
	}

	private static ApiException notClaimable(Template t, Instant now) {
		if (t.status() != Template.Status.ACTIVE) {
			return ApiException.conflict("template-paused", "'" + t.name() + "' is paused: no coupons are issued");
		}
		if (now.isBefore(t.validFrom())) {
			return ApiException.conflict("claim-not-open", "'" + t.name() + "' can be claimed from " + t.validFrom());
		}
		return ApiException.conflict("claim-closed", "'" + t.name() + "' could be claimed until " + t.validUntil());
	}

	/**
	 * The customer now holds the template's whole per-customer limit (a committed claim filled it):
	 * their next claims are refused without a transaction, as after a refusal.
	 */
	void rememberFull(CouponTemplateId template, CustomerId customer) {
		full.put(new Holder(template, customer), Boolean.TRUE);
	}

	/** The holding refused the claim: which limit it reached (a full holding is remembered). */
	ApiException limitReached(Template t, CustomerId customer, LocalDate today) {
		// which limit: only a template with a daily limit needs to look
		IssuedCoupons.Holding h = t.perCustomerDailyLimit() == null ? null : coupons.holding(t.id(), customer).orElse(null);
		if (h != null && h.issued() < h.limit() && t.perCustomerDailyLimit() != null && h.day().equals(today)) {
			return ApiException.conflict("daily-limit-reached", "You have claimed " + h.dayIssued() + " of '" + t.name()
					+ "' today; the limit is " + t.perCustomerDailyLimit() + " a day");
		}
		if (t.perCustomerDailyLimit() == null || (h != null && h.issued() >= h.limit())) {
			full.put(new Holder(t.id(), customer), Boolean.TRUE);
		}
		return limitReached(t);
	}

	private static ApiException limitReached(Template t) {
		return ApiException.conflict("limit-reached",
				"You already hold " + t.perCustomerLimit() + " of '" + t.name() + "', the most one customer may have");
	}

	/** A customer's holding of a template. */
	record Holder(CouponTemplateId template, CustomerId customer) {
	}

	/**
	 * The audience rules of claims, or null when they let the customer claim (or do not apply: grants,
	 * templates without an audience). Until an audience module knows orders: new = registered within
	 * {@code new-customer-days} and never redeemed a coupon; dormant = registered before
	 * {@code dormant-days} and no redemption within them.
	 */
	@Nullable ApiException audienceRefusal(Request r, Instant now) {
		Template t = r.template();
		CustomerId customer = r.customer();
		if (!r.audience() || !t.hasAudience()) {
			return null;
		}
		Optional<CustomerProfile> profile = profile(customer);
		if (profile.isEmpty()) {
			return ApiException.badRequest("unknown-customer", "customerId", "No customer " + customer);
		}
		CustomerProfile p = profile.get();
		if (!t.memberLevels().isEmpty() && (p.memberLevel() == null || !t.memberLevels().contains(p.memberLevel()))) {
			return ApiException.conflict("not-eligible", "'" + t.name() + "' is for members of level "
					+ String.join(", ", t.memberLevels()) + " only");
		}
		if (t.newCustomersOnly()) {
			boolean recent = p.createdAt().isAfter(now.minus(Duration.ofDays(settings.newCustomerDays())));
			if (!recent || redemptions.lastRedemption(customer).isPresent()) {
				return ApiException.conflict("not-eligible", "'" + t.name() + "' is for new customers only (registered"
						+ " within " + settings.newCustomerDays() + " days, no coupon used yet)");
			}
		}
		if (t.winBack()) {
			Instant since = now.minus(Duration.ofDays(settings.dormantDays()));
			boolean old = p.createdAt().isBefore(since);
			Optional<Instant> last = redemptions.lastRedemption(customer);
			if (!old || (last.isPresent() && last.get().isAfter(since))) {
				return ApiException.conflict("not-eligible", "'" + t.name() + "' welcomes back customers who have not"
						+ " used a coupon in " + settings.dormantDays() + " days");
			}
		}
		return null;
	}

	Optional<CustomerProfile> profile(CustomerId customer) {
		Optional<CustomerProfile> p = profiles.get(customer, customers::find);
		if (p.isEmpty()) {
			profiles.invalidate(customer);
		}
		return p;
	}

	/** The merchant's zone (the head office's), for per-day limits. */
	ZoneId zone() {
		ZoneId z = zone;
		if (z == null) {
			z = org.headOffice().timeZone();
			zone = z;
		}
		return z;
	}

	static CouponRow withSlot(CouponRow c, int slot) {
		return new CouponRow(c.id(), c.code(), c.templateId(), c.customerId(), slot, c.status(), c.channel(), c.source(),
				c.sourceRef(), c.issueKey(), c.issuedBy(), c.validFrom(), c.validUntil(), c.issuedAt(), c.redeemedAt(),
				c.expiredAt(), c.revokedAt());
	}
}
