package io.storecast.delivery.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

import io.storecast.audience.Channel;
import io.storecast.delivery.Delivery;
import io.storecast.delivery.DeliveryId;
import io.storecast.delivery.DeliveryRequest;
import io.storecast.delivery.DeliveryView;
import io.storecast.delivery.internal.channel.ChannelAdapter;
import io.storecast.delivery.internal.channel.Outgoing;
import io.storecast.identity.CustomerDirectory;
import io.storecast.identity.CustomerId;
import io.storecast.identity.CustomerProfile;
import io.storecast.identity.OrgDirectory;
import io.storecast.identity.OrgNode;
import io.storecast.identity.OrgNodeId;
import io.storecast.identity.OrgNodeKind;
import io.storecast.platform.ApiException;
import io.storecast.platform.Ids;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** Validates and stores deliveries (the outbox), then wakes the workers after commit. */
@Service
class DeliveryService implements Delivery {

	static final Pattern SOURCE = Pattern.compile("[a-z0-9-]{1,20}(:[A-Za-z0-9._-]{1,60})?");
	static final Pattern KEY = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
	static final int MAX_STEPS = 3;
	static final int MAX_TEXT = 4000;
	static final Duration MIN_FALLBACK = Duration.ofSeconds(1);
	static final Duration MAX_FALLBACK = Duration.ofDays(7);
	static final Duration MAX_NOT_BEFORE = Duration.ofDays(60);

	private final Outbox outbox;
	private final OutboxBatches batches;
	private final DeliveryWorkers workers;
	private final Addresses addresses;
	private final CustomerDirectory customers;
	private final OrgDirectory org;
	private final TransactionTemplate tx;
	private final JsonMapper json;
	private final Clock clock;

	DeliveryService(Outbox outbox, OutboxBatches batches, DeliveryWorkers workers, Addresses addresses,
			CustomerDirectory customers, OrgDirectory org, TransactionTemplate tx, JsonMapper json, Clock clock) {
		this.outbox = outbox;
		this.batches = batches;
		this.workers = workers;
		this.addresses = addresses;
		this.customers = customers;
		this.org = org;
		this.tx = tx;
		this.json = json;
		this.clock = clock;
	}

	@Override
	public void holdBulk(Instant until) {
		workers.holdBulk(until);
	}

	@Override
	public DeliveryId enqueue(DeliveryRequest request) {
		return enqueue(List.of(request), "").getFirst();
	}

	@Override
	public List<DeliveryId> enqueueAll(List<DeliveryRequest> requests) {
		return enqueue(requests, "requests", List.of(), false);
	}

	@Override
	public List<DeliveryId> enqueueAll(List<DeliveryRequest> requests, Collection<CustomerProfile> known) {
		return enqueue(requests, "requests", known, false);
	}

	@Override
	public List<DeliveryId> enqueueNew(List<DeliveryRequest> requests, Collection<CustomerProfile> known) {
		return enqueue(requests, "requests", known, true);
	}

	/** @param path the JSON path of the list, for errors ({@code requests[3].route}) */
	List<DeliveryId> enqueue(List<DeliveryRequest> requests, String path) {
		return enqueue(requests, path, List.of(), false);
	}

	/**
	 * @param known customers the caller has just read in its transaction; the others are read here
	 * @param allNew the caller vouches that no key was used before ({@link Delivery#enqueueNew}): bulk
	 * in-app messages due now are stored as batches
	 */
	private List<DeliveryId> enqueue(List<DeliveryRequest> requests, String path, Collection<CustomerProfile> known,
			boolean allNew) {
		Instant now = clock.instant();
		List<Outbox.MessageRow> rows = new ArrayList<>(requests.size());
		List<Outbox.NewAttempt> first = new ArrayList<>(requests.size());
		Map<String, Integer> keys = new HashMap<>();
		Map<CustomerId, CustomerProfile> profiles = new HashMap<>();
		known.forEach(c -> profiles.put(c.id(), c));
		List<CustomerId> unknown = requests.stream()
			.map(DeliveryRequest::customerId)
			.filter(c -> c != null && !profiles.containsKey(c))
			.distinct()
			.toList();
		if (!unknown.isEmpty()) {
			customers.findAll(unknown).forEach(c -> profiles.put(c.id(), c));
		}
		Map<OrgNodeId, Optional<OrgNode>> stores = new HashMap<>();
		// the sources already checked: a chunk's requests share one
		Set<String> sources = new HashSet<>();
		for (int i = 0; i < requests.size(); i++) {
			String at = path.isEmpty() ? "" : path + "[" + i + "].";
			DeliveryRequest r = requests.get(i);
			Integer earlier = keys.putIfAbsent(r.source() + "\n" + r.key(), i);
			if (earlier != null) {
				throw ApiException.badRequest("duplicate-key", at + "key",
						"The key '" + r.key() + "' is used twice in one request (also at " + earlier + ")");
			}
			Prepared p = prepare(r, at, now, profiles, stores, sources);
			rows.add(p.row());
			first.add(p.firstAttempt());
		}
		List<DeliveryId> ids = tx.execute(s -> store(rows, first, allNew, now));
		if (TransactionSynchronizationManager.isSynchronizationActive()) {
			TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
				@Override
				public void afterCommit() {
					workers.wake();
				}
			});
		}
		else {
			workers.wake();
		}
		return ids;
	}

	/**
	 * Stores the prepared requests, in the caller's transaction: as messages with their first attempts
	 * (a key used before gives back its first delivery), or, when {@code allNew}, the bulk in-app ones
	 * due now as batches (per source, purpose and route, in the order given).
	 */
	private List<DeliveryId> store(List<Outbox.MessageRow> rows, List<Outbox.NewAttempt> first, boolean allNew,
			Instant now) {
		Map<List<Object>, List<Outbox.MessageRow>> groups = new java.util.LinkedHashMap<>();
		List<Outbox.MessageRow> single = new ArrayList<>(rows.size());
		List<Outbox.NewAttempt> attempts = new ArrayList<>(rows.size());
		for (int i = 0; i < rows.size(); i++) {
			Outbox.MessageRow row = rows.get(i);
			Outbox.NewAttempt attempt = first.get(i);
			if (allNew && row.bulk() && attempt.channel() == Channel.IN_APP && !attempt.dueAt().isAfter(now)) {
				groups.computeIfAbsent(List.of(row.source(), row.purpose(), row.route()), k -> new ArrayList<>()).add(row);
			}
			else {
				single.add(row);
				attempts.add(attempt);
			}
		}
		groups.values().forEach(group -> batches.insert(group, now));
		Set<UUID> inserted = single.isEmpty() ? Set.of() : outbox.insertMessages(single, now);
		outbox.insertAttempts(attempts.stream().filter(a -> inserted.contains(a.deliveryId())).toList(), now);
		List<Outbox.MessageRow> used = single.stream().filter(r -> !inserted.contains(r.id())).toList();
		Map<UUID, UUID> earlier = outbox.earlierIds(used);
		if (earlier.size() != used.size()) {
			throw new IllegalStateException("A delivery key was taken and is not found: " + used.stream()
				.filter(r -> !earlier.containsKey(r.id())).map(r -> r.source() + "/" + r.key()).toList());
		}
		return rows.stream().map(r -> new DeliveryId(earlier.getOrDefault(r.id(), r.id()))).toList();
	}

	private record Prepared(Outbox.MessageRow row, Outbox.NewAttempt firstAttempt) {
	}

	private Prepared prepare(DeliveryRequest r, String at, Instant now, Map<CustomerId, CustomerProfile> profiles,
			Map<OrgNodeId, Optional<OrgNode>> stores, Set<String> sources) {
		if (r.source() == null || !sources.contains(r.source()) && !SOURCE.matcher(r.source()).matches()) {
			throw ApiException.badRequest("validation-failed", at + "source",
					"A source is [a-z0-9-]{1,20}, optionally ':' and [A-Za-z0-9._-]{1,60}, e.g. campaign:42");
		}
		sources.add(r.source());
		if (r.key() == null || !validKey(r.key())) {
			throw ApiException.badRequest("validation-failed", at + "key", "A key is 1-64 characters of A-Z a-z 0-9 . _ : -");
		}
		if (r.customerId() == null) {
			throw ApiException.badRequest("validation-failed", at + "customerId", "customerId is required");
		}
		if (r.store() == null) {
			throw ApiException.badRequest("validation-failed", at + "storeId", "storeId is required");
		}
		if (r.purpose() == null) {
			throw ApiException.badRequest("validation-failed", at + "purpose", "purpose is MARKETING or TRANSACTIONAL");
		}
		CustomerProfile customer = profiles.get(r.customerId());
		if (customer == null) {
			throw ApiException.badRequest("unknown-customer", at + "customerId", "No customer " + r.customerId());
		}
		OrgNode store = stores.computeIfAbsent(r.store(), org::find)
			.filter(n -> n.kind() == OrgNodeKind.STORE)
			.orElseThrow(() -> ApiException.badRequest("unknown-store", at + "storeId", "No store " + r.store()));
		List<Route.Step> route = route(r, at);
		DeliveryRequest.Content content = r.content();
		if (content == null || content.text() == null || content.text().isBlank()) {
			throw ApiException.badRequest("validation-failed", at + "content.text", "content.text is required");
		}
		if (content.text().length() > MAX_TEXT) {
			throw ApiException.badRequest("text-too-long", at + "content.text", "content.text is at most " + MAX_TEXT + " characters");
		}
		if (content.smsText() != null && content.smsText().isBlank()) {
			throw ApiException.badRequest("validation-failed", at + "content.smsText", "content.smsText may not be blank");
		}
		Instant due = now;
		if (r.notBefore() != null) {
			if (r.notBefore().isAfter(now.plus(MAX_NOT_BEFORE))) {
				throw ApiException.badRequest("validation-failed", at + "notBefore", "notBefore is at most 60 days ahead");
			}
			due = r.notBefore().isAfter(now) ? r.notBefore() : now;
		}
		UUID id = Ids.newId();
		Map<String, Object> data = content.data() == null ? Map.of() : content.data();
		// the card and data are written as they are when the row is stored (no tree copied first)
		ObjectNode stored = json.createObjectNode().put("text", content.text());
		if (content.smsText() != null) {
			stored.put("smsText", content.smsText());
		}
		if (content.card() != null) {
			stored.putPOJO("card", content.card());
		}
		stored.putPOJO("data", data);
		Outbox.MessageRow row = new Outbox.MessageRow(id, r.source(), r.key(), r.customerId(), r.store(), r.purpose(),
				route, stored, io.storecast.delivery.DeliveryStatus.QUEUED, 0, r.bulk());
		// every channel of the route must be able to carry it
		String firstAddress = null;
		for (int i = 0; i < route.size(); i++) {
			Channel channel = route.get(i).channel();
			ChannelAdapter adapter = workers.adapter(channel).orElseThrow();
			String address = addresses.of(channel, customer);
			if (i == 0) {
				firstAddress = address;
			}
			if (channel == Channel.SMS && address == null && route.size() == 1) {
				throw ApiException.badRequest("no-phone", at + "customerId",
						"The customer has no valid mobile number to text (" + customer.externalId() + ")");
			}
			// what the worker would send on this step (as DeliveryWorkers.outgoing makes it from the stored row)
			String text = channel == Channel.SMS && content.smsText() != null ? content.smsText() : content.text();
			Outgoing probe = new Outgoing(0, id.toString(), id + ":" + i, 1, r.customerId(), r.store(),
					workers.storeName(r.store()), r.purpose(), address, text, content.card(), data);
			try {
				adapter.check(probe);
			}
			catch (ApiException e) {
				String field = e.fieldProblems().isEmpty() ? "route[" + i + "]" : e.fieldProblems().getFirst().field();
				throw ApiException.badRequest(e.code(), at + field, e.getMessage() + " (channel " + channel + ")");
			}
		}
		Outbox.NewAttempt attempt = new Outbox.NewAttempt(id, 0, 1, route.getFirst().channel(), "QUEUED", due, firstAddress,
				null, null, r.bulk());
		return new Prepared(row, attempt);
	}

	/** {@link #KEY} without a regular expression (checked for every request). */
	static boolean validKey(String key) {
		int n = key.length();
		if (n < 1 || n > 64) {
			return false;
		}
		for (int i = 0; i < n; i++) {
			char ch = key.charAt(i);
			boolean ok = ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || ch == '.'
					|| ch == '_' || ch == ':' || ch == '-';
			if (!ok) {
				return false;
			}
		}
		return true;
	}

	private List<Route.Step> route(DeliveryRequest r, String at) {
		if (r.route() == null || r.route().isEmpty()) {
			throw ApiException.badRequest("validation-failed", at + "route", "A route names at least one channel");
		}
		if (r.route().size() > MAX_STEPS) {
			throw ApiException.badRequest("validation-failed", at + "route", "A route has at most " + MAX_STEPS + " steps");
		}
		Set<Channel> seen = EnumSet.noneOf(Channel.class);
		List<Route.Step> steps = new ArrayList<>();
		for (int i = 0; i < r.route().size(); i++) {
			DeliveryRequest.Step step = r.route().get(i);
			String field = at + "route[" + i + "]";
			if (step == null || step.channel() == null) {
				throw ApiException.badRequest("validation-failed", field + ".channel", "channel is IN_APP, SMS or WEBHOOK");
			}
			if (!seen.add(step.channel())) {
				throw ApiException.badRequest("validation-failed", field + ".channel", step.channel() + " is in the route twice");
			}
			if (workers.adapter(step.channel()).isEmpty()) {
				throw ApiException.badRequest("channel-unavailable", field + ".channel", step.channel()
						+ " is not configured on this server (for SMS: storecast.delivery.sms.smpp.host)");
			}
			Long fallback = null;
			if (step.fallbackAfter() != null) {
				if (step.channel() != Channel.IN_APP) {
					throw ApiException.badRequest("validation-failed", field + ".fallbackAfter",
							"Only IN_APP can fall back when unread (other channels fall back when they fail)");
				}
				if (i == r.route().size() - 1) {
					throw ApiException.badRequest("validation-failed", field + ".fallbackAfter",
							"The last step has nothing to fall back to");
				}
				if (step.fallbackAfter().compareTo(MIN_FALLBACK) < 0 || step.fallbackAfter().compareTo(MAX_FALLBACK) > 0) {
					throw ApiException.badRequest("validation-failed", field + ".fallbackAfter",
							"fallbackAfter is between 1 second and 7 days");
				}
				fallback = step.fallbackAfter().toSeconds();
			}
			steps.add(new Route.Step(step.channel(), fallback));
		}
		return steps;
	}

	@Override
	public Optional<DeliveryView> find(DeliveryId id) {
		return outbox.view(id).or(() -> batches.find(id.value())
			.map(w -> new DeliveryView(id, w.message().source(), w.message().key(), w.message().customerId(),
					w.message().purpose(), io.storecast.delivery.DeliveryStatus.QUEUED, null, w.createdAt(), true, List.of())));
	}
}
