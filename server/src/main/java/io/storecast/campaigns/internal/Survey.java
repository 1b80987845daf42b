package io.storecast.campaigns.internal;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

import io.storecast.coupons.CouponTemplateId;
import io.storecast.identity.OrgNodeId;

/**
 * A survey as stored: a title, 1-5 questions answered by choosing options (addressed by their
 * 0-based index, which is why a survey never changes), and an optional reward on completion.
 */
record Survey(UUID id, String title, List<Question> questions, @Nullable CouponTemplateId couponTemplateId,
		@Nullable String rewardCode, OrgNodeId scopeNodeId, String scopePath, String createdBy, Instant createdAt,
		@Nullable Instant closedAt, @Nullable String closedBy) {

	static final String EN = "en";

	enum Kind {
		/** One option. */
		SINGLE,
		/** One option or more. */
		MULTIPLE
	}

	/** @param text zh-CN, optionally en; {@code options} likewise, each a text per locale */
	record Question(Map<String, String> text, Kind kind, List<Map<String, String>> options) {

		String zh() {
			return text.get(CampaignManagement.LOCALE);
		}

		String option(int index) {
			return options.get(index).get(CampaignManagement.LOCALE);
		}

		/** The question in {@code locale} (zh-CN or en, as {@link Survey#locale} picked it). */
		String text(String locale) {
			return text.getOrDefault(locale, zh());
		}

		String option(int index, String locale) {
			return options.get(index).getOrDefault(locale, option(index));
		}

		boolean hasEnglish() {
			return text.containsKey(EN) && options.stream().allMatch(o -> o.containsKey(EN));
		}
	}

	/**
	 * The language the survey speaks to a reader of {@code customerLocale}: en for an en reader when
	 * every question and option has its English text (a card half in each language is worse than one
	 * in zh-CN), zh-CN otherwise.
	 */
	String locale(@Nullable String customerLocale) {
		return EN.equals(customerLocale) && questions.stream().allMatch(Question::hasEnglish) ? EN
				: CampaignManagement.LOCALE;
	}

	boolean closed() {
		return closedAt != null;
	}

	/** Who grants this survey's coupons, for the coupon's record; the grant key is the customer. */
	String grantedBy() {
		return "survey:" + id;
	}
}
