package io.storecast.campaigns.internal;

import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Async;
import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionalEventListener;

import io.storecast.identity.Actor;
import io.storecast.identity.StaffDirectory;
import io.storecast.identity.StaffId;
import io.storecast.messaging.CardActionClicked;
import io.storecast.messaging.ConversationId;
import io.storecast.messaging.MerchantMessaging;
import io.storecast.messaging.MessageDraft;
import io.storecast.messaging.MessageKind;
import io.storecast.messaging.Participant;
import io.storecast.platform.ApiException;
import tools.jackson.databind.json.JsonMapper;

/**
 * The buttons of a staff notice's cards in the chat: 一切正常 / 需要支援 on a check-in card answer
 * that round for the presser's store; 转发给本店顾客 on a cascade's notice forwards the campaign to
 * the presser's store's customers. A button counts only on a card the notice posted (found by its
 * conversation and sequence number), pressed by a recipient. What cannot be done is said in the room.
 * <p>
 * The listener runs after the click's commit, in transactions of its own (not one around it all: a
 * refused forward must not take the room's explanation down with it); the event registry runs it
 * again after a crash, and answers and forwards are once per store, so nothing happens twice.
 */
@Component
class StaffNoticeCards {

	private static final Logger log = LoggerFactory.getLogger(StaffNoticeCards.class);

	private final StaffNotices notices;
	private final StaffNoticeManagement management;
	private final CascadeForwarding cascades;
	private final StaffDirectory staff;
	private final MerchantMessaging messaging;
	private final JsonMapper json;

	StaffNoticeCards(StaffNotices notices, StaffNoticeManagement management, CascadeForwarding cascades,
			StaffDirectory staff, MerchantMessaging messaging, JsonMapper json) {
		this.notices = notices;
		this.management = management;
		this.cascades = cascades;
		this.staff = staff;
		this.messaging = messaging;
		this.json = json;
	}

	@Async
	@TransactionalEventListener
	void on(CardActionClicked click) {
		Optional<StaffNotices.Post> post = notices.post(click.conversationId(), click.seq());
		if (post.isEmpty() || click.by().kind() != Participant.Kind.STAFF) {
			return;
		}
		StaffNotice n = notices.find(post.get().noticeId()).orElseThrow();
		StaffId presser = new StaffId(click.by().id());
		String action = click.actionId();
		try {
			switch (post.get().kind()) {
				case CHECK_IN -> {
					if (!action.equals(StaffNoticeRuns.OK_ACTION) && !action.equals(StaffNoticeRuns.HELP_ACTION)) {
						return;
					}
					StaffNotices.Recipient r = notices.recipient(n.id(), presser)
						.orElseThrow(() -> ApiException.forbidden("not-a-recipient", "这条通知不是发给您的"));
					management.answer(n, r, post.get().round(), action.equals(StaffNoticeRuns.OK_ACTION)
							? StaffNoticeManagement.Answer.OK : StaffNoticeManagement.Answer.NEEDS_HELP, null);
				}
				case NOTICE -> {
					if (!action.equals(StaffNoticeRuns.FORWARD_ACTION) || n.campaignId() == null) {
						return;
					}
					Actor.Staff actor = staff.actorOf(presser).orElseThrow(() -> ApiException.forbidden("forbidden", "账号已停用"));
					CascadeForwarding.ForwardView forward = cascades.forward(actor, n.campaignId(), null);
					say(click.conversationId(), "forwarded-" + forward.childId(),
							forward.forwardedByName() + " 已将「" + n.title() + "」转发给" + forward.store().name() + "的顾客。");
				}
				case REMINDER -> {
				}
			}
		}
		catch (ApiException refused) {
			log.info("Staff notice {} button {} by {} refused: {}", n.id(), action, presser, refused.getMessage());
			String who = staff.findActive(presser).map(StaffDirectory.StaffMemberView::displayName).orElse("");
			say(click.conversationId(), "refused-" + click.seq() + "-" + presser, who + ":" + refused.getMessage());
		}
	}

	private void say(ConversationId room, String key, String text) {
		messaging.post(room, StaffNoticeRuns.shorten(key, 64),
				new MessageDraft(MessageKind.TEXT, json.createObjectNode().put("text", text), false));
	}
}
