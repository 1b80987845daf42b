package io.storecast.catalog.internal;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Async;
import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionalEventListener;

import io.storecast.catalog.SkuView;
import io.storecast.catalog.StockFellBelowThreshold;
import io.storecast.catalog.StockLevel;
import io.storecast.catalog.StockRestored;
import io.storecast.catalog.StockTransfer;
import io.storecast.catalog.StockTransferApproved;
import io.storecast.catalog.StockTransferRejected;
import io.storecast.catalog.StockTransferRequested;
import io.storecast.identity.Actor;
import io.storecast.identity.OrgNode;
import io.storecast.identity.OrgNodeId;
import io.storecast.identity.StaffDirectory;
import io.storecast.identity.StaffId;
import io.storecast.messaging.CardActionClicked;
import io.storecast.messaging.ConversationId;
import io.storecast.messaging.MerchantMessaging;
import io.storecast.messaging.MessageDraft;
import io.storecast.messaging.MessageKind;
import io.storecast.messaging.Participant;
import io.storecast.messaging.SendResult;
import io.storecast.platform.ApiException;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Stock in the managers' chat: each store has a {@code stock-alerts} staff room (its store managers
 * and its region's managers). A low-stock alert arrives there as an action card offering transfers
 * from the stores with the most to spare; a transfer request arrives in the source store's room as
 * an approve / reject card; both rooms hear the outcome.
 * <p>
 * The listeners run after the commit that published the event, each in transactions of their own,
 * and are idempotent (message keys derived from the event), so a listener the event registry runs
 * again after a crash posts nothing twice. A button counts only on the card it was sent on: a card
 * found by its conversation and sequence number, never by ids written on the button alone, so a
 * look-alike card cannot approve anything.
 */
@Component
class StockChat {

	static final String PURPOSE = "stock-alerts";
	static final String TRANSFER_ACTION = "transfer-";
	static final String APPROVE_ACTION = "approve-";
	static final String REJECT_ACTION = "reject-";
	static final String DISMISS_ACTION = "dismiss";
	static final int MAX_SUGGESTIONS = 2;

	private static final Logger log = LoggerFactory.getLogger(StockChat.class);

	private final MerchantMessaging messaging;
	private final Stores stores;
	private final StaffDirectory staff;
	private final Products products;
	private final StockKeeping keeping;
	private final StockTransfers transfers;
	private final Transfers transferRows;
	private final StockAlerts alerts;
	private final JsonMapper json;
	private final Clock clock;

	StockChat(MerchantMessaging messaging, Stores stores, StaffDirectory staff, Products products,
			StockKeeping keeping, StockTransfers transfers, Transfers transferRows, StockAlerts alerts, JsonMapper json,
			Clock clock) {
		this.messaging = messaging;
		this.stores = stores;
		this.staff = staff;
		this.products = products;
		this.keeping = keeping;
		this.transfers = transfers;
		this.transferRows = transferRows;
		this.alerts = alerts;
		this.json = json;
		this.clock = clock;
	}

	// --- low stock --------------------------------------------------------------------------------

	@Async
	@TransactionalEventListener
	void on(StockFellBelowThreshold event) {
		Optional<OrgNode> store = stores.find(event.storeId());
		Optional<SkuView> sku = products.findSku(event.skuId());
		if (store.isEmpty() || sku.isEmpty()) {
			return;
		}
		UUID alertId = UUID.nameUUIDFromBytes(("alert|" + event.skuId() + "|" + event.storeId() + "|" + event.at())
			.getBytes(StandardCharsets.UTF_8));
		StockAlerts.Alert alert = alerts.insertIfAbsent(new StockAlerts.Alert(alertId, event.skuId(), event.storeId(),
				event.level(), event.threshold(), suggest(sku.get(), store.get(), event.level(), event.threshold())),
				clock.instant());
		StringBuilder text = new StringBuilder().append(store.get().name())
			.append(":")
			.append(sku.get().displayName())
			.append("(")
			.append(sku.get().externalId())
			.append(")库存 ")
			.append(event.level())
			.append(" 件,低于预警线 ")
			.append(event.threshold())
			.append(" 件。");
		List<ObjectNode> buttons = new ArrayList<>();
		for (StockAlerts.Suggestion s : alert.suggestions()) {
			String donor = stores.find(s.storeId()).map(OrgNode::name).orElse("?");
			text.append("可从").append(donor).append("调 ").append(s.quantity()).append(" 件(该店现有 ").append(s.onHand())
				.append(" 件)。");
			buttons.add(button(TRANSFER_ACTION + s.storeId(), "从" + shorten(donor, 8) + "调" + s.quantity() + "件"));
		}
		if (alert.suggestions().isEmpty()) {
			text.append("其他门店也没有富余库存,请安排补货。");
		}
		buttons.add(button(DISMISS_ACTION, "知道了"));
		ConversationId room = room(store.get());
		SendResult posted = messaging.post(room, "stock-alert-" + alertId,
				actionCard("库存预警 · " + sku.get().displayName(), text.toString(), buttons));
		alerts.cardPosted(alertId, room, posted.message().seq());
	}

	/** Tells the room that an alert is over, so nobody acts on it any more. */
	@Async
	@TransactionalEventListener
	void on(StockRestored event) {
		Optional<OrgNode> store = stores.find(event.storeId());
		Optional<SkuView> sku = products.findSku(event.skuId());
		if (store.isEmpty() || sku.isEmpty()) {
			return;
		}
		String key = "stock-restored-" + UUID.nameUUIDFromBytes(("restored|" + event.skuId() + "|" + event.storeId() + "|"
				+ event.at()).getBytes(StandardCharsets.UTF_8));
		post(room(store.get()), key, "库存已恢复:" + sku.get().displayName() + "(" + sku.get().externalId() + ")现有 "
				+ event.level() + " 件,不低于预警线 " + event.threshold() + " 件。");
	}

	/**
	 * Transfers worth offering: other stores' spare units (above their own threshold), stores of the
	 * same region first, then by how much they have; enough to bring this store back to twice its threshold.
	 */
	List<StockAlerts.Suggestion> suggest(SkuView sku, OrgNode store, long level, int threshold) {
		OrgNodeId region = stores.regionOf(store).map(OrgNode::id).orElse(null);
		long wanted = Math.max(1, 2L * threshold - level);
		record Candidate(OrgNode store, boolean sameRegion, long onHand, long spare) {
		}
		List<Candidate> candidates = new ArrayList<>();
		for (StockLevel l : keeping.levels(sku.id())) {
			if (l.storeId().equals(store.id())) {
				continue;
			}
			Optional<OrgNode> other = stores.find(l.storeId());
			long spare = l.onHand() - (l.threshold() == null ? 0 : l.threshold());
			if (other.isPresent() && spare > 0) {
				boolean sameRegion = region != null && region.equals(other.get().parentId());
				candidates.add(new Candidate(other.get(), sameRegion, l.onHand(), spare));
			}
		}
		return candidates.stream()
			.sorted(Comparator.comparing(Candidate::sameRegion).reversed().thenComparing(Candidate::onHand,
					Comparator.reverseOrder()))
			.limit(MAX_SUGGESTIONS)
			.map(c -> new StockAlerts.Suggestion(c.store().id(), Math.min(c.spare(), wanted), c.onHand()))
			.toList();
	}

	// --- transfers --------------------------------------------------------------------------------

	@Async
	@TransactionalEventListener
	void on(StockTransferRequested event) {
		parties(event.transferId()).ifPresent(p -> tellRequested(p.transfer(), p.from(), p.to(), p.sku(), event));
	}

	private void tellRequested(StockTransfer t, OrgNode from, OrgNode to, SkuView sku, StockTransferRequested event) {
		long available = transfers.sourceLevel(t).onHand();
		String text = to.name() + " 申请从 " + from.name() + " 调 " + t.quantity() + " 件 "
				+ sku.displayName() + "(" + t.sku() + ")。" + from.name() + "现有 " + available + " 件。申请人:"
				+ (t.requestedByName() == null ? t.requestedBy() : t.requestedByName())
				+ (t.note() == null ? "" : "。备注:" + t.note());
		ConversationId sourceRoom = room(from);
		SendResult card = messaging.post(sourceRoom, "transfer-" + t.id(),
				actionCard("调货申请 · " + sku.displayName(), text,
						List.of(button(APPROVE_ACTION + t.id(), "同意调货"), button(REJECT_ACTION + t.id(), "拒绝"))));
		transferRows.cardPosted(t.id(), sourceRoom, card.message().seq());
		post(room(to), "transfer-asked-" + t.id(), "已向" + from.name() + "申请调 " + t.quantity() + " 件 "
				+ sku.displayName() + ",等待对方确认。");
	}

	@Async
	@TransactionalEventListener
	void on(StockTransferApproved event) {
		parties(event.transferId()).ifPresent(p -> tellApproved(p.transfer(), p.from(), p.to(), p.sku(), event));
	}

	private void tellApproved(StockTransfer t, OrgNode from, OrgNode to, SkuView sku, StockTransferApproved event) {
		String text = "调货已批准:" + sku.displayName() + " " + t.quantity() + " 件,从" + from.name() + "调往"
				+ to.name() + "。" + from.name() + "现有 " + keeping.level(t.skuId(), t.fromStoreId()).onHand()
				+ " 件," + to.name() + "现有 " + keeping.level(t.skuId(), t.toStoreId()).onHand() + " 件。批准人:"
				+ (t.decidedByName() == null ? t.decidedBy() : t.decidedByName());
		post(room(from), "transfer-done-" + t.id(), text);
		post(room(to), "transfer-done-" + t.id(), text);
	}

	@Async
	@TransactionalEventListener
	void on(StockTransferRejected event) {
		parties(event.transferId()).ifPresent(p -> tellClosed(p.transfer(), p.from(), p.to(), p.sku(), event));
	}

	private void tellClosed(StockTransfer t, OrgNode from, OrgNode to, SkuView sku, StockTransferRejected event) {
		String who = t.decidedByName() == null ? String.valueOf(t.decidedBy()) : t.decidedByName();
		String text = (event.cancelled() ? "调货申请已撤回:" : "调货申请被拒绝:") + from.name() + " → " + to.name()
				+ " " + t.quantity() + " 件 " + sku.displayName() + "。操作人:" + who
				+ (t.decisionNote() == null ? "" : "。说明:" + t.decisionNote());
		post(room(from), "transfer-closed-" + t.id(), text);
		post(room(to), "transfer-closed-" + t.id(), text);
	}

	/** A transfer with its two stores and its SKU, as the chat tells of it. */
	private record Parties(StockTransfer transfer, OrgNode from, OrgNode to, SkuView sku) {
	}

	/** The transfer and what it names; empty when a store or the SKU is gone (nothing to tell then). */
	private Optional<Parties> parties(UUID transferId) {
		StockTransfer t = transferRows.find(transferId).orElseThrow();
		Optional<OrgNode> from = stores.find(t.fromStoreId());
		Optional<OrgNode> to = stores.find(t.toStoreId());
		Optional<SkuView> sku = products.findSku(t.skuId());
		if (from.isEmpty() || to.isEmpty() || sku.isEmpty()) {
			return Optional.empty();
		}
		return Optional.of(new Parties(t, from.get(), to.get(), sku.get()));
	}

	// --- buttons ----------------------------------------------------------------------------------

	@Async
	@TransactionalEventListener
	void on(CardActionClicked click) {
		String action = click.actionId();
		if (action.startsWith(TRANSFER_ACTION)) {
			alerts.findByCard(click.conversationId(), click.seq())
				.ifPresent(alert -> requestFromAlert(click, alert, action.substring(TRANSFER_ACTION.length())));
		}
		else if (action.startsWith(APPROVE_ACTION) || action.startsWith(REJECT_ACTION)) {
			boolean approve = action.startsWith(APPROVE_ACTION);
			transferRows.findByCard(click.conversationId(), click.seq())
				.or(() -> cardNotYetRecorded(click, action.substring((approve ? APPROVE_ACTION : REJECT_ACTION).length())))
				.filter(t -> action.endsWith(t.id().toString()))
				.ifPresent(t -> decide(click, t, approve));
		}
	}

	/**
	 * The transfer a button names, when its approval card is posted but not yet recorded against it
	 * (the card is visible, and pressed, the moment it is posted): only in the source store's room.
	 */
	private Optional<StockTransfer> cardNotYetRecorded(CardActionClicked click, String transferId) {
		UUID id;
		try {
			id = UUID.fromString(transferId);
		}
		catch (IllegalArgumentException e) {
			return Optional.empty();
		}
		return transferRows.find(id).filter(t -> transferRows.findCard(t.id()).isEmpty()).filter(t -> stores
			.find(t.fromStoreId())
			.map(from -> room(from).equals(click.conversationId()))
			.orElse(false));
	}

	private void requestFromAlert(CardActionClicked click, StockAlerts.Alert alert, String donor) {
		Optional<StockAlerts.Suggestion> suggestion;
		try {
			suggestion = alert.suggestionFrom(OrgNodeId.valueOf(donor));
		}
		catch (IllegalArgumentException e) {
			return;
		}
		if (suggestion.isEmpty()) {
			return;
		}
		Optional<Actor.Staff> actor = actorOf(click.by());
		if (actor.isEmpty()) {
			return;
		}
		SkuView sku = products.findSku(alert.skuId()).orElseThrow();
		try {
			transfers.requestWithKey(actor.get(),
					new StockTransfers.RequestBody(sku.externalId(), suggestion.get().storeId(), alert.storeId(),
							suggestion.get().quantity(), "来自库存预警"),
					"alert:" + alert.id() + ":" + suggestion.get().storeId());
		}
		catch (ApiException refused) {
			feedback(click, actor.get(), "无法申请调货:" + refused.getMessage());
		}
	}

	private void decide(CardActionClicked click, StockTransfer transfer, boolean approve) {
		Optional<Actor.Staff> actor = actorOf(click.by());
		if (actor.isEmpty()) {
			return;
		}
		try {
			if (approve) {
				transfers.approve(actor.get(), transfer.id(), null);
			}
			else {
				transfers.reject(actor.get(), transfer.id(), null);
			}
		}
		catch (ApiException refused) {
			feedback(click, actor.get(), (approve ? "无法批准调货:" : "无法拒绝调货:") + refused.getMessage());
		}
	}

	/** The staff member who pressed a button, as an actor the access policy can judge. */
	private Optional<Actor.Staff> actorOf(Participant presser) {
		if (presser.kind() != Participant.Kind.STAFF) {
			return Optional.empty();
		}
		return staff.actorOf(new StaffId(presser.id()));
	}

	private void feedback(CardActionClicked click, Actor.Staff actor, String text) {
		log.info("Card button {} by {} refused: {}", click.actionId(), actor.username(), text);
		post(click.conversationId(), "refused-" + click.seq() + "-" + actor.id(), actor.username() + " " + text);
	}

	// --- messages ---------------------------------------------------------------------------------

	/** The store's stock room, with its current managers in it. */
	ConversationId room(OrgNode store) {
		return messaging.staffRoom(store.id(), PURPOSE, shorten(store.name(), 60) + " · 库存提醒",
				stores.managersOf(store));
	}

	private void post(ConversationId room, String key, String text) {
		messaging.post(room, key, new MessageDraft(MessageKind.TEXT, json.createObjectNode().put("text", text), false));
	}

	private MessageDraft actionCard(String title, String text, List<ObjectNode> buttons) {
		ObjectNode payload = json.createObjectNode().put("title", shorten(title, 100)).put("text", shorten(text, 1000));
		ArrayNode array = payload.putArray("buttons");
		buttons.forEach(array::add);
		ObjectNode body = json.createObjectNode().put("card", "action");
		body.set("payload", payload);
		return new MessageDraft(MessageKind.CARD, body, false);
	}

	private ObjectNode button(String id, String label) {
		return json.createObjectNode().put("id", id).put("label", shorten(label, 20));
	}

	static String shorten(@Nullable String text, int max) {
		if (text == null) {
			return "";
		}
		return text.codePointCount(0, text.length()) <= max ? text
				: text.substring(0, text.offsetByCodePoints(0, max - 1)) + "…";
	}
}
