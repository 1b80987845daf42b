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
		@Nullable String rewardCode, OrgNodeId scopeNodeId, String scopePath, String createdBy, Instant createdAt) {

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
	}

	/** Who grants this survey's coupons, for the coupon's record; the grant key is the customer. */
	String grantedBy() {
		return "survey:" + id;
	}
}
