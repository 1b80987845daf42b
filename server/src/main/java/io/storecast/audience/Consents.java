package io.storecast.audience;

import java.time.Instant;
import java.util.List;

import org.jspecify.annotations.Nullable;

import io.storecast.identity.CustomerId;

/**
 * Consent for other modules: reading it, withdrawing it when a customer replies an unsubscribe word
 * on a channel (delivery calls this for SMS replies; chat replies are handled here), and signed
 * one-click unsubscribe links for messages. These calls trust their caller.
 */
public interface Consents {

	/** The customer's consent for the channel and purpose, explicit or by default. */
	ConsentState consentOf(CustomerId customer, Channel channel, Purpose purpose);

	/**
	 * Which of the customers the channel may carry a message of this purpose to, in one query: the
	 * purpose's consent (explicit or by default), and no withdrawal of the channel altogether (a
	 * withdrawn TRANSACTIONAL consent stops marketing too). Customers not allowed map to the reason
	 * ({@code no-consent} or {@code consent-withdrawn}); allowed ones are absent.
	 */
	java.util.Map<CustomerId, String> refusals(java.util.Collection<CustomerId> customers, Channel channel,
			Purpose purpose);

	/**
	 * If {@code text} is an unsubscribe word, withdraws the customer's marketing consent for the
	 * channel at once and records how; a reply that is not one changes nothing.
	 */
	ReplyOutcome unsubscribeByReply(Channel channel, CustomerId customer, String text, Instant at);

	/**
	 * The same for a reply from a phone number (an SMS MO): every customer with that number.
	 *
	 * @param phone E.164 or an 11-digit mainland mobile number
	 */
	ReplyOutcome unsubscribeByReply(Channel channel, String phone, String text, Instant at);

	/** Whether the text is one of the configured unsubscribe words (after trimming, case and width folding). */
	boolean isUnsubscribeWord(String text);

	/**
	 * A one-click unsubscribe link for messages to this customer on this channel: the path
	 * {@code /api/v1/unsubscribe/<token>}, signed with a key kept in the database (prefix it with
	 * the server's public address). GET shows a confirmation page; only POST withdraws.
	 */
	String unsubscribeLink(CustomerId customer, Channel channel);

	/** The customer's consent history, oldest first (the evidence: who, when, how). */
	List<ConsentRecord> history(CustomerId customer);

	/** One entry of the append-only consent history. */
	record ConsentRecord(long id, CustomerId customerId, Channel channel, Purpose purpose, boolean granted,
			String source, String actor, @Nullable String evidence, Instant at) {
	}
}
