package io.storecast.coupons.internal;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import java.util.stream.IntStream;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.storecast.coupons.CouponTemplateId;
import io.storecast.identity.CustomerId;
import io.storecast.platform.ApiException;

/**
 * Issues many coupons at once (claims arriving together, e.g. from the gateway), each answered
 * exactly as {@link CouponIssuing#issue} would have answered it alone, at the cost of one
 * transaction per template with a fixed number of statements, however many claims the batch holds.
 * <p>
 * In a round: what the node knows refuses first (sold out, the window, a full holding, the audience
 * rules; {@link CouponIssuing#cachedRefusal}); one query finds the coupons earlier calls issued under
 * the round's keys (replays, and keys reused for another coupon). What is left is issued per
 * template in one transaction, by one statement ({@link IssuedCoupons#issueAll}): it counts every
 * customer's holding under the limits (row locks taken in customer order, so concurrent batches do
 * not deadlock on them), locks free slots with room for them ({@code SKIP LOCKED}), counts the units
 * taken and inserts the coupons; the events are published inside the transaction as a single
 * claim's are. Claims beyond the
 * locked room have their holding count taken back in the same transaction: they are refused
 * {@code sold-out} when no slot has room left at all, and otherwise (slots held by other claims
 * may have some) issued alone after the commit. A customer's (or a key's) second claim of a round
 * waits for the next round, so it sees the first as a later single claim would.
 * <p>
 * Correctness never depends on this path: a batch transaction that fails (in the database: a
 * concurrent retry inserting the same key, a deadlock, a code collision) is rolled back whole and
 * its claims are issued one by one by {@link CouponIssuing#issue}.
 */
@Service
class BatchClaims {

	private static final Logger log = LoggerFactory.getLogger(BatchClaims.class);

	/** What one request came to: a coupon (issued or replayed) or a refusal, exactly one. */
	record Result(CouponIssuing.@Nullable Issued issued, @Nullable ApiException refusal) {

		static Result of(CouponIssuing.Issued issued) {
			return new Result(issued, null);
		}

		static Result refused(ApiException refusal) {
			return new Result(null, refusal);
		}
	}

	/** What one template's transaction did, by position in its claims. */
	private record Done(List<CouponRow> issued, int[] issuedAt, List<Integer> overLimit, List<Integer> noStock,
			boolean soldOut, List<CustomerId> nowFull) {
	}

	private final CouponIssuing issuing;
	private final IssuedCoupons coupons;
	private final Templates templates;
	private final TransactionTemplate tx;
	private final Clock clock;
	/** Coupons issued in batch transactions, and claims the batch left to the single path. */
	private final Counter batched;
	private final Counter alone;

	BatchClaims(CouponIssuing issuing, IssuedCoupons coupons, Templates templates, TransactionTemplate tx,
			Clock clock, MeterRegistry meters) {
		this.issuing = issuing;
		this.coupons = coupons;
		this.templates = templates;
		this.tx = CouponIssuing.nested(tx);
		this.clock = clock;
		this.batched = Counter.builder(METER).tag("path", "batch")
			.description("Coupons issued by batched claims in a template's batch transaction")
			.register(meters);
		this.alone = Counter.builder(METER).tag("path", "alone")
			.description("Batched claims the batch could not decide, issued one by one")
			.register(meters);
	}

	static final String METER = "storecast.coupons.claims.batched";

	/** The requests' results, in their order. */
	List<Result> issue(List<CouponIssuing.Request> requests) {
		Result[] results = new Result[requests.size()];
		List<Integer> todo = IntStream.range(0, requests.size()).boxed().toList();
		while (!todo.isEmpty()) {
			todo = round(requests, todo, results);
		}
		return Arrays.asList(results);
	}

	/** Decides the requests {@code todo}; answers those left for the next round. */
	private List<Integer> round(List<CouponIssuing.Request> requests, List<Integer> todo, Result[] results) {
		// to the microsecond, as PostgreSQL keeps it: the answer shows what a later read shows
		Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
		Map<String, CouponRow> earlier = coupons.findByIssueKeys(keys(requests, todo));
		List<Integer> nextRound = new ArrayList<>();
		Set<String> keys = new HashSet<>();
		Set<CouponIssuing.Holder> holders = new HashSet<>();
		Map<CouponTemplateId, List<Integer>> toIssue = new LinkedHashMap<>();
		for (int i : todo) {
			CouponIssuing.Request r = requests.get(i);
			Result early = beforeIssuing(r, earlier.get(r.issueKey()), now);
			if (early != null) {
				results[i] = early;
			}
			else if (!keys.add(r.issueKey()) || !holders.add(new CouponIssuing.Holder(r.template().id(), r.customer()))) {
				nextRound.add(i);
			}
			else {
				toIssue.computeIfAbsent(r.template().id(), id -> new ArrayList<>()).add(i);
			}
		}
		Map<Integer, Supplier<ApiException>> refused = new LinkedHashMap<>();
		List<Integer> alone = new ArrayList<>();
		for (List<Integer> claims : toIssue.values()) {
			issueOneTemplate(requests, claims, now, results, refused, alone);
		}
		// a refusal yields to a coupon issued meanwhile under the same key (a concurrent retry), as a single claim's does
		Map<String, CouponRow> meanwhile = coupons.findByIssueKeys(keys(requests, refused.keySet()));
		refused.forEach((i, refusal) -> results[i] = replayOr(requests.get(i),
				meanwhile.get(requests.get(i).issueKey()), refusal));
		this.alone.increment(alone.size());
		for (int i : alone) {
			results[i] = alone(requests.get(i));
		}
		return nextRound;
	}

	/**
	 * The result a request has before any transaction, or null when it is to be issued: what the node
	 * knows refuses it unless its key has an earlier coupon; the audience rules refuse it even then
	 * (as a single claim checks them before its transaction); an earlier coupon is replayed.
	 */
	private @Nullable Result beforeIssuing(CouponIssuing.Request r, @Nullable CouponRow earlier, Instant now) {
		try {
			Supplier<ApiException> cached = issuing.cachedRefusal(r, now);
			if (cached != null) {
				return replayOr(r, earlier, cached);
			}
			ApiException audience = issuing.audienceRefusal(r, now);
			if (audience != null) {
				return Result.refused(audience);
			}
			return earlier == null ? null : Result.of(CouponIssuing.replay(earlier, r));
		}
		catch (ApiException refusal) {
			return Result.refused(refusal);
		}
	}

	private static Result replayOr(CouponIssuing.Request r, @Nullable CouponRow earlier,
			Supplier<ApiException> refusal) {
		try {
			return earlier != null ? Result.of(CouponIssuing.replay(earlier, r)) : Result.refused(refusal.get());
		}
		catch (ApiException e) {
			return Result.refused(e);
		}
	}

	/**
	 * Issues the claims (one template, each customer and key once) in one transaction; the results of
	 * those it issued, and of refusals and claims to issue alone (after the commit) into the maps.
	 */
	private void issueOneTemplate(List<CouponIssuing.Request> requests, List<Integer> claims, Instant now,
			Result[] results, Map<Integer, Supplier<ApiException>> refused, List<Integer> alone) {
		Template t = requests.get(claims.getFirst()).template();
		LocalDate today = issuing.today(now);
		Instant[] validity = t.validityFor(now);
		List<CouponRow> drafts = claims.stream().map(i -> issuing.draft(requests.get(i), now, validity)).toList();
		Done done;
		try {
			done = Objects.requireNonNull(tx.execute(s -> issueInTransaction(t, drafts, today)));
		}
		catch (RuntimeException e) {
			// rolled back whole: a concurrent retry of one of the keys, a deadlock, a code collision (or
			// something unforeseen, e.g. a listener failing: then the single path meets it claim by claim)
			if (e instanceof DataAccessException) {
				log.debug("A batch of {} claims of template {} is issued one by one: {}", claims.size(), t.id(),
						e.getMessage());
			}
			else {
				log.warn("A batch of {} claims of template {} failed; they are issued one by one", claims.size(), t.id(), e);
			}
			alone.addAll(claims);
			return;
		}
		batched.increment(done.issued().size());
		done.nowFull().forEach(customer -> issuing.rememberFull(t.id(), customer));
		for (int k = 0; k < done.issued().size(); k++) {
			results[claims.get(done.issuedAt()[k])] = Result.of(new CouponIssuing.Issued(done.issued().get(k), false));
		}
		for (int k : done.overLimit()) {
			CustomerId customer = drafts.get(k).customerId();
			refused.put(claims.get(k), () -> issuing.limitReached(t, customer, today));
		}
		if (done.soldOut()) {
			Supplier<ApiException> outOfStock = new OutOfStock(t);
			done.noStock().forEach(k -> refused.put(claims.get(k), outOfStock));
		}
		else if (!done.noStock().isEmpty()) {
			log.debug("{} claims of template {} found no free slot with room and are issued one by one",
					done.noStock().size(), t.id());
			done.noStock().forEach(k -> alone.add(claims.get(k)));
		}
	}

	/** The transaction of {@link #issueOneTemplate}: holdings, stock and coupons in one statement, then events. */
	private Done issueInTransaction(Template t, List<CouponRow> drafts, LocalDate today) {
		List<IssuedCoupons.Counted> counted = coupons.issueAll(t, drafts, today,
				ThreadLocalRandom.current().nextInt(t.slots()));
		boolean[] isCounted = new boolean[drafts.size()];
		List<CouponRow> rows = new ArrayList<>();
		List<Integer> issuedAt = new ArrayList<>();
		List<Integer> noStock = new ArrayList<>();
		List<CustomerId> nowFull = new ArrayList<>();
		for (IssuedCoupons.Counted c : counted) {
			isCounted[c.draft()] = true;
			CouponRow draft = drafts.get(c.draft());
			if (c.slot() == null) {
				noStock.add(c.draft());
				continue;
			}
			rows.add(CouponIssuing.withSlot(draft, c.slot()));
			issuedAt.add(c.draft());
			if (c.full()) {
				// holdings these coupons filled: once committed, the customers' next claims need no transaction
				nowFull.add(draft.customerId());
			}
		}
		List<Integer> overLimit = IntStream.range(0, drafts.size()).filter(k -> !isCounted[k]).boxed().toList();
		boolean soldOut = false;
		if (!noStock.isEmpty()) {
			coupons.release(t.id(), noStock.stream().map(k -> drafts.get(k).customerId()).toList());
			// the slots just filled count as full: room left anywhere is in slots other claims hold
			soldOut = !templates.hasRoom(t.id());
		}
		rows.forEach(c -> issuing.publish(t, c));
		return new Done(rows, issuedAt.stream().mapToInt(Integer::intValue).toArray(), overLimit, noStock, soldOut,
				nowFull);
	}

	/** A claim the batch could not decide, issued alone; a failure of the database answers 500 for it only. */
	private Result alone(CouponIssuing.Request r) {
		try {
			return Result.of(issuing.issue(r));
		}
		catch (ApiException refusal) {
			return Result.refused(refusal);
		}
		catch (RuntimeException e) {
			log.error("A claim of template {} by {} failed", r.template().id(), r.customer(), e);
			return Result.refused(new ApiException(HttpStatus.INTERNAL_SERVER_ERROR, "internal-error",
					"An unexpected error occurred; it has been logged"));
		}
	}

	private static Set<String> keys(List<CouponIssuing.Request> requests, Iterable<Integer> which) {
		Set<String> keys = new HashSet<>();
		which.forEach(i -> keys.add(requests.get(i).issueKey()));
		return keys;
	}

	/**
	 * The refusal of claims the stock's end left out: {@link CouponIssuing#outOfStock} once (it reads
	 * the template to tell sold out from paused, and remembers sold out), then copies of its answer.
	 */
	private final class OutOfStock implements Supplier<ApiException> {

		private final Template template;
		private @Nullable ApiException first;

		OutOfStock(Template template) {
			this.template = template;
		}

		@Override
		public ApiException get() {
			ApiException f = first;
			if (f == null) {
				first = issuing.outOfStock(template);
				return first;
			}
			return new ApiException(f.status(), f.code(), Objects.requireNonNullElse(f.getMessage(), f.code()));
		}
	}
}
