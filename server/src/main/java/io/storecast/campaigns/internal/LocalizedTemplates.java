package io.storecast.campaigns.internal;

import java.util.HashMap;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * One channel's templates by locale. A customer reads the template in their language (identity's
 * {@code locale}) when there is one, else the zh-CN one every campaign and trigger has.
 */
record LocalizedTemplates(Map<String, MessageTemplate> byLocale) {

	static final LocalizedTemplates NONE = new LocalizedTemplates(Map.of());

	static LocalizedTemplates parse(@Nullable Map<String, String> texts) {
		if (texts == null || texts.isEmpty()) {
			return NONE;
		}
		Map<String, MessageTemplate> parsed = new HashMap<>();
		texts.forEach((locale, text) -> parsed.put(locale, MessageTemplate.parse(text)));
		return new LocalizedTemplates(Map.copyOf(parsed));
	}

	/** The locale a customer who reads {@code wanted} gets: theirs when there is a template in it, else zh-CN. */
	String localeFor(@Nullable String wanted) {
		return wanted != null && byLocale.containsKey(wanted) ? wanted : CampaignManagement.LOCALE;
	}

	/** The template for a customer who reads {@code wanted}; null when the channel has no template. */
	@Nullable MessageTemplate forReader(@Nullable String wanted) {
		return byLocale.get(localeFor(wanted));
	}

	boolean uses(String variable) {
		return byLocale.values().stream().anyMatch(t -> t.variables().contains(variable));
	}
}
