package io.storecast.audience.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import io.storecast.audience.Channel;
import io.storecast.audience.ConsentChanged;
import io.storecast.audience.ConsentState;
import io.storecast.audience.Consents;
import io.storecast.audience.Purpose;
import io.storecast.audience.ReplyOutcome;
import io.storecast.identity.CustomerId;
import io.storecast.identity.OrgNodeId;
import io.storecast.platform.ApiException;
import io.storecast.platform.PhoneNumbers;

/**
 * Consent: the state, every change appended to the history with who, when and how, and
 * {@link ConsentChanged} published with it (in the same transaction). Withdrawals by reply word or
 * link take effect in that transaction: the next contact-policy decision sees them.
 */
@Service
class ConsentKeeping implements Consents {

	/** Sources a change may name. */
	static final Set<String> SOURCES = Set.of("WIDGET", "QR", "GROUP", "API", "STAFF", "CHAT_REPLY", "SMS_REPLY", "REPLY",
			"LINK", "IMPORT", "DEMO", "PAPER_FORM", "POS");

	static final String CONFIRMATION = "您已退订本店的营销消息,之后不会再收到促销推送;订单、物流等服务通知不受影响。如需恢复,可在会员中心重新订阅。";

	private final ConsentLedger ledger;
	private final Profiles profiles;
	private final UnsubscribeWords words;
	private final UnsubscribeLinks links;
	private final AudienceSettings settings;
	private final ApplicationEventPublisher events;
	private final TransactionTemplate tx;
	/** For withdrawals by reply: committed on their own, whatever the caller's transaction does. */
	private final TransactionTemplate ownTx;

	ConsentKeeping(ConsentLedger ledger, Profiles profiles, UnsubscribeWords words, UnsubscribeLinks links,
			AudienceSettings settings, ApplicationEventPublisher events, TransactionTemplate tx) {
		this.ledger = ledger;
		this.profiles = profiles;
		this.words = words;
		this.links = links;
		this.settings = settings;
		this.events = events;
		this.tx = tx;
		this.ownTx = new TransactionTemplate(java.util.Objects.requireNonNull(tx.getTransactionManager()));
		this.ownTx.setPropagationBehavior(org.springframework.transaction.TransactionDefinition.PROPAGATION_REQUIRES_NEW);
	}

	@Override
	public ConsentState consentOf(CustomerId customer, Channel channel, Purpose purpose) {
		return ledger.current(customer.value(), channel, purpose)
			.map(c -> new ConsentState(channel, purpose, c.granted(), true, c.source(), c.changedAt()))
			.orElseGet(() -> new ConsentState(channel, purpose, byDefault(channel, purpose), false, null, null));
	}

	@Override
	public java.util.Map<CustomerId, String> refusals(java.util.Collection<CustomerId> customers, Channel channel,
			Purpose purpose) {
		java.util.Map<CustomerId, String> out = new java.util.HashMap<>();
		java.util.Map<java.util.UUID, ConsentLedger.Current[]> recorded = ledger.currentOf(
				customers.stream().map(CustomerId::value).distinct().toList(), channel);
		boolean implied = settings.impliedConsentChannels().contains(channel);
		for (CustomerId c : customers) {
			ConsentLedger.Current[] both = recorded.get(c.value());
			String refusal = both == null ? refusal(null, null, purpose, implied)
					: refusal(granted(both[Purpose.MARKETING.ordinal()]), granted(both[Purpose.TRANSACTIONAL.ordinal()]),
							purpose, implied);
			if (refusal != null) {
				out.put(c, refusal);
			}
		}
		return out;
	}

	private static @Nullable Boolean granted(ConsentLedger.@Nullable Current c) {
		return c == null ? null : c.granted();
	}

	/**
	 * The consent rule, for the contact policy and for delivery alike: a channel withdrawn altogether
	 * (its transactional consent) stops everything on it; marketing needs its own consent, recorded
	 * or implied on the channel. Null when the message may go.
	 *
	 * @param marketing, transactional the recorded consents, null when none is recorded
	 */
	static @Nullable String refusal(@Nullable Boolean marketing, @Nullable Boolean transactional, Purpose purpose,
			boolean impliedMarketing) {
		if (Boolean.FALSE.equals(transactional)) {
			return "consent-withdrawn";
		}
		if (purpose == Purpose.MARKETING) {
			if (Boolean.FALSE.equals(marketing)) {
				return "consent-withdrawn";
			}
			if (marketing == null && !impliedMarketing) {
				return "no-consent";
			}
		}
		return null;
	}

	/** Every channel and purpose, explicit or by default. */
	List<ConsentState> all(CustomerId customer) {
		List<ConsentState> out = new ArrayList<>();
		for (Channel c : Channel.values()) {
			for (Purpose p : Purpose.values()) {
				out.add(consentOf(customer, c, p));
			}
		}
		return out;
	}

	boolean byDefault(Channel channel, Purpose purpose) {
		return purpose == Purpose.TRANSACTIONAL || settings.impliedConsentChannels().contains(channel);
	}

	/**
	 * Records a change (in the caller's transaction, or one of its own); returns the history id when
	 * it changed anything, and publishes {@link ConsentChanged} then.
	 */
	OptionalLong change(CustomerId customer, Channel channel, Purpose purpose, boolean granted, String source, String actor,
			@Nullable String evidence, Instant at, @Nullable OrgNodeId store) {
		return change(tx, customer, channel, purpose, granted, source, actor, evidence, at, store);
	}

	private OptionalLong change(TransactionTemplate in, CustomerId customer, Channel channel, Purpose purpose,
			boolean granted, String source, String actor, @Nullable String evidence, Instant at, @Nullable OrgNodeId store) {
		return in.execute(s -> {
			OptionalLong id = ledger.change(customer.value(), channel, purpose, granted, source, actor, evidence, at);
			id.ifPresent(h -> events.publishEvent(new ConsentChanged(customer, channel, purpose, granted, source, h, store, at)));
			return id;
		});
	}

	@Override
	public ReplyOutcome unsubscribeByReply(Channel channel, CustomerId customer, String text, Instant at) {
		return unsubscribeByReply(channel, List.of(customer), text, at, null);
	}

	@Override
	public ReplyOutcome unsubscribeByReply(Channel channel, String phone, String text, Instant at) {
		String number = PhoneNumbers.normalize(phone, "phone");
		return unsubscribeByReply(channel, profiles.withPhone(number).stream().map(CustomerId::new).toList(), text, at, null);
	}

	/** A reply in a store's conversation (the store is where the confirmation goes). */
	ReplyOutcome unsubscribeByReply(Channel channel, List<CustomerId> customers, String text, Instant at,
			@Nullable OrgNodeId store) {
		if (!words.matches(text)) {
			return new ReplyOutcome(false, List.of(), null);
		}
		String source = switch (channel) {
			case IN_APP -> "CHAT_REPLY";
			case SMS -> "SMS_REPLY";
			case WEBHOOK -> "REPLY";
		};
		List<CustomerId> withdrawn = new ArrayList<>();
		for (CustomerId customer : customers) {
			// its own transaction: a reply may arrive in the after-commit phase of the sender's, or in a
			// caller's transaction that could still roll back; a withdrawal must stick either way
			if (change(ownTx, customer, channel, Purpose.MARKETING, false, source, "customer:" + customer,
					"reply: " + text.strip(), at, store).isPresent()) {
				withdrawn.add(customer);
			}
		}
		return new ReplyOutcome(true, List.copyOf(withdrawn), withdrawn.isEmpty() ? null : CONFIRMATION);
	}

	@Override
	public boolean isUnsubscribeWord(String text) {
		return words.matches(text);
	}

	@Override
	public String unsubscribeLink(CustomerId customer, Channel channel) {
		return links.path(customer, channel);
	}

	@Override
	public List<ConsentRecord> history(CustomerId customer) {
		return ledger.history(customer.value());
	}

	static String requireSource(@Nullable String source) {
		if (source == null || !SOURCES.contains(source)) {
			throw ApiException.badRequest("invalid-value", "source",
					"source must be one of " + String.join(", ", SOURCES.stream().sorted().toList()));
		}
		return source;
	}
}
