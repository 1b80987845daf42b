package io.storecast.campaigns.internal;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import io.storecast.coupons.CouponTemplateId;
import io.storecast.coupons.Coupons;
import io.storecast.coupons.IssuedCoupon;
import io.storecast.identity.AccessPolicy;
import io.storecast.identity.Actor;
import io.storecast.identity.CustomerId;
import io.storecast.identity.CustomerProfile;
import io.storecast.identity.OrgDirectory;
import io.storecast.identity.OrgNode;
import io.storecast.identity.Permission;
import io.storecast.platform.ApiException;
import io.storecast.platform.CursorPage;
import io.storecast.platform.Ids;
import io.storecast.platform.TextFields;

/**
 * Defining surveys (every check made before anything is stored), taking a customer's answers all at
 * once from an app, finishing a response with its reward (a coupon granted once per customer and
 * survey: the grant's key is the customer) and the results. The chat's buttons are {@link SurveyCards}.
 */
@Service
class SurveyManagement {

	private static final Logger log = LoggerFactory.getLogger(SurveyManagement.class);
	static final int MAX_QUESTIONS = 5;
	static final int MIN_OPTIONS = 2;
	static final int MAX_OPTIONS = 8;
	/** A question is a card's title (100) with its number and 可多选. */
	static final int MAX_QUESTION = 80;
	/** An option is a card's button label. */
	static final int MAX_OPTION = 20;

	record QuestionRequest(@Nullable Map<String, String> text, Survey.@Nullable Kind kind,
			@Nullable List<Map<String, String>> options) {
	}

	/** @param code a fixed reward code shown on completion, instead of a coupon granted from {@code couponTemplateId} */
	record RewardRequest(@Nullable CouponTemplateId couponTemplateId, @Nullable String code) {
	}

	record SurveyRequest(@Nullable String title, @Nullable List<QuestionRequest> questions, @Nullable RewardRequest reward) {
	}

	record RewardView(@Nullable CouponTemplateId couponTemplateId, @Nullable String couponTemplateName, @Nullable String code) {
	}

	/** @param closedAt when it was closed (no more answers or invitations), by {@code closedBy}; null: open */
	record SurveyView(UUID id, String title, List<Survey.Question> questions, @Nullable RewardView reward,
			io.storecast.identity.OrgNodeId scopeNodeId, String createdBy, Instant createdAt, @Nullable Instant closedAt,
			@Nullable String closedBy) {
	}

	/** One question's answer: the question's index and the chosen options' indexes (0-based). */
	record AnswerRequest(@Nullable Integer question, @Nullable List<Integer> options) {
	}

	record ResponseRequest(@Nullable List<AnswerRequest> answers) {
	}

	/**
	 * @param couponCode the granted coupon's code; {@code rewardCode} the survey's fixed code;
	 * {@code rewardProblem} why a coupon could not be granted (coupons' code, e.g. {@code sold-out})
	 */
	record ResponseView(UUID surveyId, Instant completedAt, @Nullable UUID couponId, @Nullable String couponCode,
			@Nullable String rewardCode, @Nullable String rewardProblem) {
	}

	record OptionResult(int option, String text, long count, double share) {
	}

	/** @param answers customers who answered the question (share = count / answers) */
	record QuestionResult(int question, String text, Survey.Kind kind, long answers, List<OptionResult> options) {
	}

	/** How results may be broken down. */
	enum By {
		/** The store of each customer's (first) invitation: the order's store of a trigger, the speaking store of a campaign. */
		STORE
	}

	/**
	 * @param invited customers a trigger or campaign handed the survey's card to; {@code completionRate} =
	 * completed / invited; {@code by} and {@code stores}: the same per store when asked ({@code by=STORE}),
	 * else null
	 */
	record Results(UUID surveyId, String title, @Nullable Instant closedAt, long invited, long started, long completed,
			double completionRate, long rewardsGranted, List<QuestionResult> questions, @Nullable By by,
			@Nullable List<StoreResults> stores) {
	}

	/** One store's part of the results (the store of the customers' first invitation). */
	record StoreResults(@Nullable UUID storeId, @Nullable String storeCode, @Nullable String storeName, long invited,
			long started, long completed, double completionRate, long rewardsGranted, List<QuestionResult> questions) {
	}

	/** What finishing a response gave: the coupon or fixed code, or why no coupon. */
	record Reward(@Nullable IssuedCoupon coupon, @Nullable String code, @Nullable String problem) {
	}

	private final Surveys surveys;
	private final AccessPolicy access;
	private final OrgDirectory org;
	private final Coupons coupons;
	private final TransactionTemplate tx;
	private final Clock clock;

	SurveyManagement(Surveys surveys, AccessPolicy access, OrgDirectory org, Coupons coupons, TransactionTemplate tx,
			Clock clock) {
		this.surveys = surveys;
		this.access = access;
		this.org = org;
		this.coupons = coupons;
		this.tx = tx;
		this.clock = clock;
	}

	SurveyView create(Actor actor, SurveyRequest request) {
		access.require(actor, Permission.CAMPAIGN_WRITE);
		String createdBy = CampaignManagement.createdBy(actor);
		String title = TextFields.required(request.title(), "title", 100);
		List<Survey.Question> questions = questions(request.questions());
		RewardRequest reward = request.reward();
		CouponTemplateId template = reward == null ? null : reward.couponTemplateId();
		String code = reward == null ? null : TextFields.optional(reward.code(), "reward.code", 64);
		if (template != null && code != null) {
			throw ApiException.badRequest("validation-failed", "reward", "A reward is a coupon template or a code, not both");
		}
		if (template != null && coupons.templateName(template).isEmpty()) {
			throw ApiException.badRequest("unknown-coupon-template", "reward.couponTemplateId", "No coupon template " + template);
		}
		OrgNode scope = switch (actor) {
			case Actor.Staff staff -> org.find(staff.orgNodeId()).orElseThrow();
			default -> org.headOffice();
		};
		access.requireAt(actor, Permission.CAMPAIGN_WRITE, scope.id());
		Survey s = new Survey(Ids.newId(), title, questions, template, code, scope.id(), scope.path(), createdBy,
				clock.instant(), null, null);
		surveys.insert(s);
		return view(s);
	}

	private static List<Survey.Question> questions(@Nullable List<QuestionRequest> given) {
		if (given == null || given.isEmpty() || given.size() > MAX_QUESTIONS) {
			throw ApiException.badRequest("validation-failed", "questions", "A survey has 1-" + MAX_QUESTIONS + " questions");
		}
		List<Survey.Question> out = new ArrayList<>();
		for (int i = 0; i < given.size(); i++) {
			String field = "questions[" + i + "]";
			QuestionRequest q = given.get(i);
			if (q == null) {
				throw ApiException.badRequest("validation-failed", field, field + " is required");
			}
			Map<String, String> text = texts(q.text(), field + ".text", MAX_QUESTION);
			if (q.kind() == null) {
				throw ApiException.badRequest("validation-failed", field + ".kind", field + ".kind is SINGLE or MULTIPLE");
			}
			List<Map<String, String>> options = q.options();
			if (options == null || options.size() < MIN_OPTIONS || options.size() > MAX_OPTIONS) {
				throw ApiException.badRequest("validation-failed", field + ".options",
						"A question has " + MIN_OPTIONS + "-" + MAX_OPTIONS + " options");
			}
			List<Map<String, String>> checked = new ArrayList<>();
			Set<String> seen = new HashSet<>();
			for (int o = 0; o < options.size(); o++) {
				Map<String, String> option = texts(options.get(o), field + ".options[" + o + "]", MAX_OPTION);
				if (!seen.add(option.get(CampaignManagement.LOCALE))) {
					throw ApiException.badRequest("duplicate-option", field + ".options[" + o + "]",
							"The option '" + option.get(CampaignManagement.LOCALE) + "' is there twice");
				}
				checked.add(option);
			}
			out.add(new Survey.Question(text, q.kind(), List.copyOf(checked)));
		}
		return List.copyOf(out);
	}

	/** A text per locale: zh-CN required, en optional, nothing else. */
	private static Map<String, String> texts(@Nullable Map<String, String> given, String field, int max) {
		if (given == null) {
			throw ApiException.badRequest("validation-failed", field + ".zh-CN", field + ".zh-CN is required");
		}
		for (String locale : given.keySet()) {
			if (!CustomerProfile.LOCALES.contains(locale)) {
				throw ApiException.badRequest("validation-failed", field + "." + locale, "Locales are zh-CN and en");
			}
		}
		Map<String, String> out = new LinkedHashMap<>();
		out.put(CampaignManagement.LOCALE,
				TextFields.required(given.get(CampaignManagement.LOCALE), field + "." + CampaignManagement.LOCALE, max));
		String en = TextFields.optional(given.get("en"), field + ".en", max);
		if (en != null) {
			out.put("en", en);
		}
		return out;
	}

	SurveyView get(Actor actor, UUID id) {
		return view(readable(actor, id));
	}

	CursorPage<SurveyView> list(Actor actor, @Nullable String after, int limit) {
		access.require(actor, Permission.CAMPAIGN_READ);
		NewestFirst from = NewestFirst.after(after);
		List<Survey> rows = surveys.list(access.scopePath(actor), from.createdAt(), from.id(), limit + 1);
		CursorPage<Survey> page = CursorPage.of(rows, limit, s -> NewestFirst.cursor(s.createdAt(), s.id()));
		return new CursorPage<>(page.items().stream().map(this::view).toList(), page.nextCursor());
	}

	/**
	 * The survey a campaign or trigger names in {@code field}: one the actor may read (else 400
	 * {@code unknown-survey}) and not closed (else 400 {@code survey-closed}).
	 */
	UUID sendable(Actor actor, UUID id, String field) {
		Survey s = surveys.find(id).filter(found -> access.reaches(actor, found.scopeNodeId()))
			.orElseThrow(() -> ApiException.badRequest("unknown-survey", field, "No survey " + id));
		if (s.closed()) {
			throw ApiException.badRequest("survey-closed", field, "The survey '" + s.title() + "' was closed at "
					+ s.closedAt() + ": it takes no more answers; make a new one");
		}
		return id;
	}

	/**
	 * Closes the survey: afterwards no answer is taken (app: 409 {@code survey-closed}; chat: a
	 * reply), no campaign or trigger may name it and no trigger invites to it; its results stay.
	 * Closing it again changes nothing.
	 */
	SurveyView close(Actor actor, UUID id) {
		Survey s = ScopedAccess.writable(access, actor, surveys.find(id), Survey::scopeNodeId, () -> notFound(id));
		surveys.close(s.id(), CampaignManagement.createdBy(actor), clock.instant());
		return view(surveys.find(id).orElseThrow());
	}

	/** 409 {@code survey-closed} when a draft saved before its survey was closed is sent. */
	void requireOpen(UUID id) {
		Survey s = surveys.find(id).orElseThrow(() -> notFound(id));
		if (s.closed()) {
			throw closedProblem(s);
		}
	}

	static ApiException closedProblem(Survey s) {
		return ApiException.conflict("survey-closed", "The survey '" + s.title() + "' is closed: it takes no more answers");
	}

	private Survey readable(Actor actor, UUID id) {
		return ScopedAccess.readable(access, actor, surveys.find(id), Survey::scopeNodeId, () -> notFound(id));
	}

	private static ApiException notFound(UUID id) {
		return ApiException.notFound("not-found", "No survey " + id);
	}

	SurveyView view(Survey s) {
		RewardView reward = s.couponTemplateId() != null
				? new RewardView(s.couponTemplateId(), coupons.templateName(s.couponTemplateId()).orElse(null), null)
				: s.rewardCode() != null ? new RewardView(null, null, s.rewardCode()) : null;
		return new SurveyView(s.id(), s.title(), s.questions(), reward, s.scopeNodeId(), s.createdBy(), s.createdAt(),
				s.closedAt(), s.closedBy());
	}

	// ---- answers from an app

	/** The survey's questions for a customer it was sent to (403 {@code not-invited} otherwise). */
	SurveyView forCustomer(Actor actor, UUID id) {
		return view(invitedTo(actor, id));
	}

	private Survey invitedTo(Actor actor, UUID id) {
		if (!(actor instanceof Actor.Customer customer)) {
			throw ApiException.forbidden("forbidden", "Only the customer answers a survey");
		}
		Survey s = surveys.find(id).orElseThrow(() -> notFound(id));
		if (!surveys.invited(s.id(), customer.id())) {
			throw ApiException.forbidden("not-invited", "This survey was not sent to you");
		}
		return s;
	}

	/**
	 * Every answer at once: each question once, known options, one for SINGLE. A customer who has
	 * answered (here or in the chat, even in part) gets 409 {@code survey-already-answered}.
	 */
	ResponseView respond(Actor actor, UUID id, ResponseRequest request) {
		Survey s = invitedTo(actor, id);
		if (s.closed()) {
			throw closedProblem(s);
		}
		CustomerId customer = ((Actor.Customer) actor).id();
		List<Surveys.Answer> answers = answers(s, request.answers());
		if (surveys.lockResponse(s.id(), customer).isPresent()) {
			throw alreadyAnswered();
		}
		Reward reward = reward(s, customer);
		Instant now = clock.instant();
		tx.executeWithoutResult(status -> {
			if (surveys.lockResponse(s.id(), customer).isPresent()) {
				throw alreadyAnswered();
			}
			surveys.start(s.id(), customer, "API", now);
			answers.forEach(a -> surveys.answer(s.id(), customer, a, now));
			surveys.complete(s.id(), customer, reward.coupon() == null ? null : reward.coupon().id(), reward.code(), now);
		});
		return new ResponseView(s.id(), now, reward.coupon() == null ? null : reward.coupon().id(),
				reward.coupon() == null ? null : reward.coupon().code(), reward.code(), reward.problem());
	}

	private static ApiException alreadyAnswered() {
		return ApiException.conflict("survey-already-answered", "You have already answered this survey");
	}

	private static List<Surveys.Answer> answers(Survey s, @Nullable List<AnswerRequest> given) {
		if (given == null || given.isEmpty()) {
			throw ApiException.badRequest("missing-answer", "answers", "answers holds one answer per question");
		}
		Map<Integer, Surveys.Answer> out = new java.util.TreeMap<>();
		for (int i = 0; i < given.size(); i++) {
			String field = "answers[" + i + "]";
			AnswerRequest a = given.get(i);
			Integer q = a == null ? null : a.question();
			if (q == null || q < 0 || q >= s.questions().size()) {
				throw ApiException.badRequest("unknown-question", field + ".question",
						"question is 0-" + (s.questions().size() - 1));
			}
			if (out.containsKey(q)) {
				throw ApiException.badRequest("validation-failed", field + ".question", "Question " + q + " is answered twice");
			}
			Survey.Question question = s.questions().get(q);
			List<Integer> options = a.options();
			if (options == null || options.isEmpty()) {
				throw ApiException.badRequest("validation-failed", field + ".options", "Choose at least one option");
			}
			for (int o = 0; o < options.size(); o++) {
				Integer option = options.get(o);
				if (option == null || option < 0 || option >= question.options().size()) {
					throw ApiException.badRequest("unknown-option", field + ".options[" + o + "]",
							"Question " + q + " has options 0-" + (question.options().size() - 1));
				}
			}
			if (new HashSet<>(options).size() != options.size()) {
				throw ApiException.badRequest("validation-failed", field + ".options", "An option is chosen twice");
			}
			if (question.kind() == Survey.Kind.SINGLE && options.size() > 1) {
				throw ApiException.badRequest("single-choice", field + ".options", "Question " + q + " takes one option");
			}
			out.put(q, new Surveys.Answer(q, List.copyOf(options), true));
		}
		for (int q = 0; q < s.questions().size(); q++) {
			if (!out.containsKey(q)) {
				throw ApiException.badRequest("missing-answer", "answers", "Question " + q + " is not answered");
			}
		}
		return List.copyOf(out.values());
	}

	/**
	 * The survey's reward for the customer: a coupon granted once (a second call, after a crash or
	 * a race, returns the same coupon), or the fixed code. A coupon that cannot be granted (sold out,
	 * over budget) is no reason to lose the answers: its problem code is returned instead.
	 */
	Reward reward(Survey s, CustomerId customer) {
		if (s.couponTemplateId() == null) {
			return new Reward(null, s.rewardCode(), null);
		}
		try {
			return new Reward(coupons.grant(s.couponTemplateId(), customer, customer.value().toString(), s.grantedBy(),
					"survey", s.id().toString()), null, null);
		}
		catch (ApiException refused) {
			log.info("Survey {} reward for customer {} not granted: {}", s.id(), customer, refused.getMessage());
			return new Reward(null, null, refused.code());
		}
	}

	// ---- results

	Results results(Actor actor, UUID id, @Nullable By by) {
		Survey s = readable(actor, id);
		Surveys.Totals totals = surveys.totals(s.id());
		Map<@Nullable UUID, Map<Integer, long[]>> counts = surveys.counts(s.id(), s.questions(), by == By.STORE);
		List<StoreResults> stores = null;
		if (by == By.STORE) {
			stores = surveys.totalsByStore(s.id()).stream().map(t -> {
				OrgNode store = t.store() == null ? null : org.find(new io.storecast.identity.OrgNodeId(t.store())).orElse(null);
				return new StoreResults(t.store(), store == null ? null : store.code(), store == null ? null : store.name(),
						t.invited(), t.started(), t.completed(), rate(t.completed(), t.invited()), t.rewarded(),
						questions(s, counts.get(t.store())));
			}).toList();
		}
		return new Results(s.id(), s.title(), s.closedAt(), totals.invited(), totals.started(), totals.completed(),
				rate(totals.completed(), totals.invited()), totals.rewarded(), questions(s, counts.get(null)), by, stores);
	}

	/** Each question's final answers and each option's count and share; {@code counts} null: none. */
	private static List<QuestionResult> questions(Survey s, @Nullable Map<Integer, long[]> counts) {
		List<QuestionResult> questions = new ArrayList<>();
		for (int q = 0; q < s.questions().size(); q++) {
			Survey.Question question = s.questions().get(q);
			long[] row = counts == null ? new long[question.options().size() + 1] : Objects.requireNonNull(counts.get(q));
			List<OptionResult> options = new ArrayList<>();
			for (int o = 0; o < question.options().size(); o++) {
				options.add(new OptionResult(o, question.option(o), row[o + 1], rate(row[o + 1], row[0])));
			}
			questions.add(new QuestionResult(q, question.zh(), question.kind(), row[0], options));
		}
		return questions;
	}

	/**
	 * The results as CSV ({@link Csv}): a row per store (with {@code by=STORE}) and the totals' row;
	 * the figures, then per question its answers and each option's count.
	 */
	static String csv(Results r) {
		StringBuilder out = Csv.document();
		out.append("store,label,invited,started,completed,completionRate,rewardsGranted");
		for (QuestionResult q : r.questions()) {
			out.append(',').append(Csv.cell("Q" + (q.question() + 1) + " " + q.text()));
			for (OptionResult o : q.options()) {
				out.append(',').append(Csv.cell("Q" + (q.question() + 1) + "." + (o.option() + 1) + " " + o.text()));
			}
		}
		out.append("\r\n");
		for (StoreResults st : r.stores() == null ? List.<StoreResults>of() : r.stores()) {
			line(out, st.storeId() == null ? null : st.storeId().toString(), st.storeName(), st.invited(), st.started(),
					st.completed(), st.completionRate(), st.rewardsGranted(), st.questions());
		}
		line(out, "total", Csv.TOTAL, r.invited(), r.started(), r.completed(), r.completionRate(), r.rewardsGranted(),
				r.questions());
		return out.toString();
	}

	private static void line(StringBuilder out, @Nullable String key, @Nullable String label, long invited, long started,
			long completed, double completionRate, long rewards, List<QuestionResult> questions) {
		out.append(Csv.cell(key)).append(',').append(Csv.cell(label));
		for (Object v : new Object[] { invited, started, completed, completionRate, rewards }) {
			out.append(',').append(v);
		}
		for (QuestionResult q : questions) {
			out.append(',').append(q.answers());
			q.options().forEach(o -> out.append(',').append(o.count()));
		}
		out.append("\r\n");
	}

	private static double rate(long part, long whole) {
		return whole == 0 ? 0 : Math.round(part * 10_000.0 / whole) / 10_000.0;
	}
}
