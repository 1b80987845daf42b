package io.storecast.messaging.internal;

import java.time.Duration;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Limits and word lists of conversations and messages, kept in one place so operators tune them
 * without a release.
 *
 * @param rejectWords words that make a message be refused (matched case-insensitively, across
 * full-width, traditional Chinese and inserted separators)
 * @param maskWords words that are replaced by '*' before a message is stored (matched the same way)
 * @param defaultMemberLimit members a group or channel may have unless it says otherwise
 * @param maxTextLength characters a text message may have
 * @param recallWindow how long after sending its sender may recall a message
 * @param maxReactionsPerMessage distinct reactions one message may carry
 * @param syncBatchSize messages returned by one sync request at most
 */
@ConfigurationProperties("storecast.messaging")
record MessagingSettings(@DefaultValue List<String> rejectWords, @DefaultValue List<String> maskWords,
		@DefaultValue("2000") int defaultMemberLimit, @DefaultValue("4000") int maxTextLength,
		@DefaultValue("2m") Duration recallWindow, @DefaultValue("20") int maxReactionsPerMessage,
		@DefaultValue("100") int syncBatchSize) {

	MessagingSettings {
		// immutable so the filter's automaton cannot drift from the lists it was built from
		rejectWords = List.copyOf(rejectWords);
		maskWords = List.copyOf(maskWords);
	}
}
