package io.storecast.campaigns.internal;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

import org.jspecify.annotations.Nullable;
import org.springframework.modulith.events.ApplicationModuleListener;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.support.TransactionTemplate;

import io.storecast.identity.CustomerDirectory;
import io.storecast.identity.CustomerId;
import io.storecast.identity.CustomerProfile;
import io.storecast.messaging.CardActionClicked;
import io.storecast.messaging.MerchantMessaging;
import io.storecast.messaging.MessageDraft;
import io.storecast.messaging.MessageKind;
import io.storecast.messaging.Participant;
import tools.jackson.databind.json.JsonMapper;

/**
 * A survey in the chat: each question is an action card whose buttons are its options. Messaging
 * takes one press per member and card, so every press is answered with a new card: a single choice
 * moves on to the next question; a multiple choice records the option and shows the card again
 * without it, with 下一题 (提交 on the last question) to finish the question. An action card has at
 * most 5 buttons: more options are shown 3 or 4 at a time with 更多选项. After the last question the
 * customer is thanked and given the reward. Everything is said in the customer's language (identity's
 * locale) where the survey has it ({@link Survey#locale}), zh-CN otherwise; a press on a closed
 * survey is answered that it is closed.
 * <p>
 * A button's id names the survey, question and option ({@code sv<survey>q<n>o<n>}, {@code …n} for
 * next, {@code …m<n>} for more from option n), so a press needs no lookup of the card. A press counts
 * only from a customer the survey was sent to, for the question they are at; the listener runs after
 * the click's commit and again after a crash, and a press already counted changes nothing.
 */
@Component
class SurveyCards {

	private static final Pattern BUTTON = Pattern.compile("sv([A-Za-z0-9_-]{22})q(\\d)(?:o(\\d)|(n)|m(\\d))");
	private static final int MAX_BUTTONS = 5;

	/** What the chat says around the survey's own texts, in zh-CN and en. */
	private record Words(String more, String next, String submit, String multiple, String chosen, String chooseOn,
			String thanks, String coupon, String code, String soldOut, String closed) {
	}

	private static final Map<String, Words> WORDS = Map.of(CampaignManagement.LOCALE,
			new Words("更多选项", "下一题", "提交", "(可多选)", "已选:%s。可以继续选,选好了请点「%s」", "、", "感谢您完成问卷「%s」!",
					"送您一张优惠券「%s」,券码 %s。", "您的奖励码:%s。", "很抱歉,奖励已发完。", "问卷「%s」已结束,不再收集回答。感谢您的关注!"),
			Survey.EN,
			new Words("More options", "Next", "Submit", " (choose any)", "Chosen: %s. Choose more, or press \"%s\" when done.",
					", ", "Thank you for completing the survey \"%s\"!", " Here is a coupon \"%s\": %s.",
					" Your reward code: %s.", " Sorry, the rewards have run out.",
					"The survey \"%s\" has closed and takes no more answers. Thank you!"));

	private static Words words(String locale) {
		return WORDS.getOrDefault(locale, WORDS.get(CampaignManagement.LOCALE));
	}

	private final Surveys surveys;
	private final SurveyManagement management;
	private final MerchantMessaging messaging;
	private final TransactionTemplate tx;
	private final JsonMapper json;
	private final CustomerDirectory customers;
	private final java.time.Clock clock;

	SurveyCards(Surveys surveys, SurveyManagement management, MerchantMessaging messaging, TransactionTemplate tx,
			JsonMapper json, CustomerDirectory customers, java.time.Clock clock) {
		this.customers = customers;
		this.surveys = surveys;
		this.management = management;
		this.messaging = messaging;
		this.tx = tx;
		this.json = json;
		this.clock = clock;
	}

	// ---- the cards

	/**
	 * The action card of question {@code q} ({@code type}, {@code title}, {@code text}, {@code buttons}):
	 * the options not chosen yet from {@code offset}, and 下一题 / 提交 once a multiple choice has one;
	 * in {@code locale} (as {@link Survey#locale} picked it).
	 */
	static Map<String, Object> card(Survey s, int q, List<Integer> chosen, int offset, String text, String locale) {
		Words words = words(locale);
		Survey.Question question = s.questions().get(q);
		boolean multiple = question.kind() == Survey.Kind.MULTIPLE;
		boolean last = q == s.questions().size() - 1;
		List<Integer> open = IntStream.range(0, question.options().size()).filter(o -> !chosen.contains(o)).boxed().toList();
		List<Map<String, String>> buttons = new ArrayList<>();
		String prefix = "sv" + TriggerRendering.compact(s.id()) + "q" + q;
		int slots = MAX_BUTTONS - (multiple && !chosen.isEmpty() ? 1 : 0);
		int from = offset < open.size() ? offset : 0;
		int shown = open.size() <= slots ? open.size() : slots - 1;
		if (open.size() <= slots) {
			from = 0;
		}
		for (int o : open.subList(from, Math.min(from + shown, open.size()))) {
			buttons.add(button(prefix + "o" + o, question.option(o, locale)));
		}
		if (open.size() > slots) {
			buttons.add(button(prefix + "m" + (from + shown < open.size() ? from + shown : 0), words.more()));
		}
		if (multiple && !chosen.isEmpty()) {
			buttons.add(button(prefix + "n", last ? words.submit() : words.next()));
		}
		Map<String, Object> card = new LinkedHashMap<>();
		card.put("type", "action");
		card.put("title", (q + 1) + "/" + s.questions().size() + " " + question.text(locale) + (multiple ? words.multiple() : ""));
		card.put("text", text);
		card.put("buttons", buttons);
		return card;
	}

	private static Map<String, String> button(String id, String label) {
		Map<String, String> b = new LinkedHashMap<>();
		b.put("id", id);
		b.put("label", label);
		return b;
	}

	/**
	 * The invitation a trigger or campaign sends: the first question's card (the in-app text becomes
	 * its text), in the language of a reader of {@code customerLocale}.
	 */
	static Map<String, Object> invitation(Survey s, @Nullable String customerLocale) {
		Map<String, Object> card = card(s, 0, List.of(), 0, "", s.locale(customerLocale));
		card.remove("text");
		return card;
	}

	static UUID uncompact(String compact) {
		ByteBuffer bytes = ByteBuffer.wrap(Base64.getUrlDecoder().decode(compact));
		return new UUID(bytes.getLong(), bytes.getLong());
	}

	// ---- the presses

	@ApplicationModuleListener(propagation = Propagation.NOT_SUPPORTED)
	void on(CardActionClicked click) {
		Matcher m = BUTTON.matcher(click.actionId());
		if (!m.matches() || click.by().kind() != Participant.Kind.CUSTOMER) {
			return;
		}
		CustomerId customer = new CustomerId(click.by().id());
		Optional<Survey> found = surveys.find(uncompact(m.group(1)));
		if (found.isEmpty() || !surveys.invited(found.get().id(), customer)) {
			return;
		}
		Survey s = found.get();
		String locale = s.locale(customers.find(customer).map(CustomerProfile::locale).orElse(null));
		if (s.closed()) {
			say(click, "-closed", words(locale).closed().formatted(s.title()));
			return;
		}
		int q = Integer.parseInt(m.group(2));
		Integer option = m.group(3) == null ? null : Integer.valueOf(m.group(3));
		Integer more = m.group(5) == null ? null : Integer.valueOf(m.group(5));
		boolean finished = Boolean.TRUE.equals(tx.execute(status -> press(s, customer, click, q, option, more, locale)));
		if (finished) {
			finish(s, customer, click, locale);
		}
	}

	/** Records the press and shows the next card; true when every question is answered (and the response not completed). */
	private boolean press(Survey s, CustomerId customer, CardActionClicked click, int q, @Nullable Integer option,
			@Nullable Integer more, String locale) {
		surveys.start(s.id(), customer, "CHAT", clock.instant());
		Surveys.Response response = surveys.lockResponse(s.id(), customer).orElseThrow();
		if (response.completedAt() != null) {
			return false;
		}
		Map<Integer, Surveys.Answer> answers = surveys.answers(s.id(), customer);
		int at = IntStream.range(0, s.questions().size())
			.filter(i -> answers.get(i) == null || !answers.get(i).fin())
			.findFirst()
			.orElse(s.questions().size());
		if (at == s.questions().size()) {
			return true;
		}
		if (q != at) {
			// an old card, or one of a question not reached yet
			return false;
		}
		Survey.Question question = s.questions().get(q);
		List<Integer> chosen = answers.get(q) == null ? List.of() : answers.get(q).options();
		if (more != null) {
			show(click, s, q, chosen, more, locale);
			return false;
		}
		if (option != null && option >= question.options().size()) {
			return false;
		}
		if (option != null && question.kind() == Survey.Kind.MULTIPLE) {
			List<Integer> next = new ArrayList<>(chosen);
			if (!next.contains(option)) {
				next.add(option);
			}
			surveys.answer(s.id(), customer, new Surveys.Answer(q, List.copyOf(next), false), clock.instant());
			show(click, s, q, next, 0, locale);
			return false;
		}
		if (option == null && chosen.isEmpty()) {
			return false;
		}
		surveys.answer(s.id(), customer, new Surveys.Answer(q, option == null ? chosen : List.of(option), true), clock.instant());
		if (q + 1 < s.questions().size()) {
			show(click, s, q + 1, List.of(), 0, locale);
			return false;
		}
		return true;
	}

	private void show(CardActionClicked click, Survey s, int q, List<Integer> chosen, int offset, String locale) {
		Survey.Question question = s.questions().get(q);
		Words words = words(locale);
		String text = chosen.isEmpty() ? s.title()
				: words.chosen().formatted(String.join(words.chooseOn(), chosen.stream().map(o -> question.option(o, locale)).toList()),
						q == s.questions().size() - 1 ? words.submit() : words.next());
		Map<String, Object> card = card(s, q, chosen, offset, text, locale);
		card.remove("type");
		messaging.post(click.conversationId(), "survey-" + click.seq(),
				new MessageDraft(MessageKind.CARD, json.createObjectNode().put("card", "action").set("payload", json.valueToTree(card)),
						false));
	}

	/** The reward (granted once: its key is the customer), the response completed, the customer thanked. */
	private void finish(Survey s, CustomerId customer, CardActionClicked click, String locale) {
		SurveyManagement.Reward reward = management.reward(s, customer);
		Words words = words(locale);
		tx.executeWithoutResult(status -> {
			surveys.lockResponse(s.id(), customer);
			surveys.complete(s.id(), customer, reward.coupon() == null ? null : reward.coupon().id(), reward.code(),
					clock.instant());
			String thanks = words.thanks().formatted(s.title()) + (reward.coupon() != null
					? words.coupon().formatted(reward.coupon().templateName(), reward.coupon().code())
					: reward.code() != null ? words.code().formatted(reward.code()) : "")
					+ (reward.problem() != null ? words.soldOut() : "");
			say(click, "-done", thanks);
		});
	}

	/** A text in the chat, once per press ({@code suffix} tells the texts of one press apart). */
	private void say(CardActionClicked click, String suffix, String text) {
		messaging.post(click.conversationId(), "survey-" + click.seq() + suffix,
				new MessageDraft(MessageKind.TEXT, json.createObjectNode().put("text", text), false));
	}
}
