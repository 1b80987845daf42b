package io.storecast.messaging.internal;

import java.util.List;

/**
 * The sensitive-word filter applied to text before it is stored: a message with a word of the
 * reject list is refused; words of the mask list are replaced by asterisks and the sender is told.
 */
interface ContentFilter {

	/**
	 * @param rejected words that make the message unacceptable (empty when it may be stored)
	 * @param text the text to store, with masked words replaced by '*' (one per character)
	 * @param masked the words that were masked
	 */
	record Verdict(List<String> rejected, String text, List<String> masked) {

		boolean accepted() {
			return rejected.isEmpty();
		}
	}

	Verdict check(String text);
}
