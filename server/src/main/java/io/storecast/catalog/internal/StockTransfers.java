package io.storecast.catalog.internal;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import io.storecast.catalog.AdjustmentReason;
import io.storecast.catalog.SkuId;
import io.storecast.catalog.StockLevel;
import io.storecast.catalog.StockTransfer;
import io.storecast.catalog.StockTransferApproved;
import io.storecast.catalog.StockTransferRejected;
import io.storecast.catalog.StockTransferRequested;
import io.storecast.identity.AccessPolicy;
import io.storecast.identity.Actor;
import io.storecast.identity.OrgNode;
import io.storecast.identity.OrgNodeId;
import io.storecast.identity.Permission;
import io.storecast.platform.ApiException;
import io.storecast.platform.CursorPage;
import io.storecast.platform.Ids;
import io.storecast.platform.TextFields;

/**
 * Stock transfers between stores. The asking side (STOCK_TRANSFER at the destination) requests;
 * the source side (STOCK_TRANSFER at the source, not the requester) approves or rejects; approval
 * moves the units in one transaction, or not at all when the source no longer has them.
 */
@Service
class StockTransfers {

	record RequestBody(@Nullable String sku, @Nullable OrgNodeId fromStoreId, @Nullable OrgNodeId toStoreId,
			@Nullable Long quantity, @Nullable String note) {
	}

	record Requested(StockTransfer transfer, boolean replayed) {
	}

	private final Transfers transfers;
	private final Stock stock;
	private final StockKeeping keeping;
	private final Stores stores;
	private final AccessPolicy access;
	private final ApplicationEventPublisher events;
	private final TransactionTemplate tx;
	private final Clock clock;

	StockTransfers(Transfers transfers, Stock stock, StockKeeping keeping, Stores stores, AccessPolicy access,
			ApplicationEventPublisher events, TransactionTemplate tx, Clock clock) {
		this.transfers = transfers;
		this.stock = stock;
		this.keeping = keeping;
		this.stores = stores;
		this.access = access;
		this.events = events;
		this.tx = tx;
		this.clock = clock;
	}

	/** A request over the API; {@code key} (the Idempotency-Key) makes a retry return the first request. */
	Requested request(Actor actor, RequestBody body, @Nullable String key) {
		if (key != null && !StockKeeping.IDEMPOTENCY_KEY.matcher(key).matches()) {
			throw ApiException.badRequest("invalid-idempotency-key", "Idempotency-Key",
					"An Idempotency-Key has 1-64 letters, digits, '.', '_', ':' or '-'");
		}
		return requestWithKey(actor, body, key == null ? null : StockKeeping.who(actor) + "|" + key);
	}

	/** A request with a key of the caller's making (a card button: one transfer per alert and source store). */
	Requested requestWithKey(Actor actor, RequestBody body, @Nullable String requestKey) {
		if (body.toStoreId() == null) {
			throw ApiException.badRequest("validation-failed", "toStoreId", "toStoreId (the store that needs the units) is required");
		}
		if (body.fromStoreId() == null) {
			throw ApiException.badRequest("validation-failed", "fromStoreId", "fromStoreId (the store that has them) is required");
		}
		OrgNode to = stores.require(body.toStoreId(), "toStoreId");
		OrgNode from = stores.require(body.fromStoreId(), "fromStoreId");
		access.requireAt(actor, Permission.STOCK_TRANSFER, to.id());
		if (from.id().equals(to.id())) {
			throw ApiException.badRequest("same-store", "fromStoreId", "A transfer moves units between two different stores");
		}
		if (body.quantity() == null || body.quantity() <= 0 || body.quantity() > CatalogRules.MAX_QUANTITY) {
			throw ApiException.badRequest("invalid-quantity", "quantity",
					"quantity must be between 1 and " + CatalogRules.MAX_QUANTITY);
		}
		String skuExternal = CatalogRules.externalId(body.sku(), "sku");
		SkuId sku = keeping.skuId(skuExternal, "sku");
		String note = TextFields.optional(body.note(), "note", 500);
		if (requestKey != null) {
			var earlier = transfers.findByKey(requestKey);
			if (earlier.isPresent()) {
				return replay(earlier.get(), sku, from.id(), to.id(), body.quantity());
			}
		}
		long available = keeping.level(sku, from.id()).onHand();
		if (available < body.quantity()) {
			throw ApiException.conflict("insufficient-stock", from.name() + " has only " + available + " of " + skuExternal
					+ "; cannot transfer " + body.quantity());
		}
		Instant now = clock.instant();
		StockTransfer transfer = new StockTransfer(Ids.newId(), sku, skuExternal, from.id(), to.id(), body.quantity(),
				StockTransfer.Status.REQUESTED, note, StockKeeping.who(actor), StockKeeping.nameOf(actor), now, null, null,
				null, null);
		Boolean inserted = tx.execute(s -> {
			if (!transfers.insert(transfer, requestKey)) {
				return false;
			}
			events.publishEvent(new StockTransferRequested(transfer.id(), sku, from.id(), to.id(), transfer.quantity(),
					transfer.requestedBy(), now));
			return true;
		});
		if (!Boolean.TRUE.equals(inserted)) {
			// the same key at the same moment from another call: that one is the request
			return replay(transfers.findByKey(Objects.requireNonNull(requestKey)).orElseThrow(), sku, from.id(), to.id(),
					body.quantity());
		}
		return new Requested(transfer, false);
	}

	private static Requested replay(StockTransfer earlier, SkuId sku, OrgNodeId from, OrgNodeId to, long quantity) {
		if (!earlier.skuId().equals(sku) || !earlier.fromStoreId().equals(from) || !earlier.toStoreId().equals(to)
				|| earlier.quantity() != quantity) {
			throw ApiException.conflict("idempotency-key-reused",
					"This Idempotency-Key was used for a different transfer (" + earlier.id() + ")");
		}
		return new Requested(earlier, true);
	}

	/** Approves and moves the units, both sides in one transaction. */
	StockTransfer approve(Actor actor, UUID id, @Nullable String note) {
		StockTransfer t = requireDecider(actor, id);
		String decisionNote = TextFields.optional(note, "note", 500);
		Instant now = clock.instant();
		tx.executeWithoutResult(s -> {
			StockTransfer locked = pending(id);
			// both levels locked in one order (by store id) so two transfers in opposite directions cannot deadlock
			boolean fromFirst = locked.fromStoreId().value().compareTo(locked.toStoreId().value()) < 0;
			Stock.Locked first = stock.lock(locked.skuId(), fromFirst ? locked.fromStoreId() : locked.toStoreId(), now);
			Stock.Locked second = stock.lock(locked.skuId(), fromFirst ? locked.toStoreId() : locked.fromStoreId(), now);
			Stock.Locked source = fromFirst ? first : second;
			Stock.Locked destination = fromFirst ? second : first;
			String who = StockKeeping.who(actor);
			String name = StockKeeping.nameOf(actor);
			keeping.move(source, locked.sku(), -locked.quantity(), AdjustmentReason.TRANSFER_OUT, decisionNote, who, name,
					id, now);
			keeping.move(destination, locked.sku(), locked.quantity(), AdjustmentReason.TRANSFER_IN, decisionNote, who,
					name, id, now);
			transfers.decide(id, StockTransfer.Status.APPROVED, who, name, decisionNote, now);
			events.publishEvent(new StockTransferApproved(id, locked.skuId(), locked.fromStoreId(), locked.toStoreId(),
					locked.quantity(), who, now));
		});
		return transfers.find(t.id()).orElseThrow();
	}

	StockTransfer reject(Actor actor, UUID id, @Nullable String note) {
		requireDecider(actor, id);
		return close(actor, id, StockTransfer.Status.REJECTED, note);
	}

	/** Withdraws a request: its requester, or whoever may transfer at the destination. */
	StockTransfer cancel(Actor actor, UUID id, @Nullable String note) {
		StockTransfer t = get(actor, id);
		if (!StockKeeping.who(actor).equals(t.requestedBy())) {
			access.requireAt(actor, Permission.STOCK_TRANSFER, t.toStoreId());
		}
		return close(actor, id, StockTransfer.Status.CANCELLED, note);
	}

	private StockTransfer close(Actor actor, UUID id, StockTransfer.Status status, @Nullable String note) {
		String decisionNote = TextFields.optional(note, "note", 500);
		Instant now = clock.instant();
		tx.executeWithoutResult(s -> {
			StockTransfer locked = pending(id);
			String who = StockKeeping.who(actor);
			transfers.decide(id, status, who, StockKeeping.nameOf(actor), decisionNote, now);
			events.publishEvent(new StockTransferRejected(id, locked.skuId(), locked.fromStoreId(), locked.toStoreId(),
					locked.quantity(), who, status == StockTransfer.Status.CANCELLED, decisionNote, now));
		});
		return transfers.find(id).orElseThrow();
	}

	/** The transfer, if the actor may decide it: STOCK_TRANSFER at the source, and not its requester. */
	private StockTransfer requireDecider(Actor actor, UUID id) {
		StockTransfer t = transfers.find(id)
			.orElseThrow(() -> ApiException.notFound("transfer-not-found", "No transfer " + id));
		if (StockKeeping.who(actor).equals(t.requestedBy())) {
			throw new ApiException(HttpStatus.FORBIDDEN, "own-transfer",
					"A transfer is decided by the source store's side, not by whoever requested it");
		}
		access.requireAt(actor, Permission.STOCK_TRANSFER, t.fromStoreId());
		return t;
	}

	private StockTransfer pending(UUID id) {
		StockTransfer locked = transfers.lock(id).orElseThrow();
		if (locked.status() != StockTransfer.Status.REQUESTED) {
			throw ApiException.conflict("transfer-not-pending", "The transfer is already " + locked.status());
		}
		return locked;
	}

	StockTransfer get(Actor actor, UUID id) {
		access.require(actor, Permission.CATALOG_READ);
		StockTransfer t = transfers.find(id)
			.orElseThrow(() -> ApiException.notFound("transfer-not-found", "No transfer " + id));
		if (!access.reaches(actor, t.fromStoreId()) && !access.reaches(actor, t.toStoreId())) {
			throw ApiException.notFound("transfer-not-found", "No transfer " + id);
		}
		return t;
	}

	CursorPage<StockTransfer> list(Actor actor, @Nullable OrgNodeId storeId, StockTransfer.@Nullable Status status,
			@Nullable String after, int limit) {
		access.require(actor, Permission.CATALOG_READ);
		List<OrgNodeId> visible;
		if (storeId != null) {
			access.requireAt(actor, Permission.CATALOG_READ, stores.require(storeId, "storeId").id());
			visible = List.of(storeId);
		}
		else {
			visible = stores.all().stream().map(OrgNode::id).filter(s -> access.reaches(actor, s)).toList();
		}
		UUID before;
		try {
			before = after == null || after.isBlank() ? null : UUID.fromString(after);
		}
		catch (IllegalArgumentException e) {
			throw ApiException.badRequest("invalid-cursor", "after", "after must be a nextCursor from an earlier page");
		}
		return CursorPage.of(transfers.list(visible, status, before, limit + 1), limit, t -> t.id().toString());
	}

	/** What the source store has now, for cards. */
	StockLevel sourceLevel(StockTransfer t) {
		return keeping.level(t.skuId(), t.fromStoreId());
	}
}
