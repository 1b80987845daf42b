package io.storecast.audience.internal;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Service;

import io.storecast.audience.Channel;
import io.storecast.audience.Decision;
import io.storecast.audience.Purpose;
import io.storecast.audience.SnapshotId;
import io.storecast.identity.Actor;
import io.storecast.identity.CustomerDirectory;
import io.storecast.identity.CustomerId;
import io.storecast.identity.OrgDirectory;
import io.storecast.identity.OrgNode;
import io.storecast.identity.OrgNodeId;
import io.storecast.identity.Permission;
import io.storecast.platform.ApiException;
import io.storecast.platform.Ids;

/** The contact policy's settings (send windows, caps, holidays) over REST, and decisions for the merchant's backend. */
@Service
class PolicyManagement {

	static final int MAX_INLINE = 10_000;

	record WindowBody(@Nullable String start, @Nullable String end) {
	}

	/** A node's own settings (null: inherited); {@code clear} removes them all. */
	record SettingsBody(@Nullable WindowBody sendWindow, @Nullable Integer cap, @Nullable Integer capDays) {
	}

	/** A node's settings and what applies there after inheritance. */
	record SettingsView(UUID orgNodeId, String code, @Nullable Own own, Effective effective) {
	}

	record Own(@Nullable String windowStart, @Nullable String windowEnd, @Nullable Integer cap, @Nullable Integer capDays,
			String updatedBy, Instant updatedAt) {
	}

	record Effective(String timeZone, String windowStart, String windowEnd, int cap, int capDays) {
	}

	record HolidayBody(@Nullable String day, @Nullable String name, @Nullable String orgNodeId,
			@Nullable WindowBody sendWindow) {
	}

	record HolidayView(UUID id, LocalDate day, String name, @Nullable UUID orgNodeId, @Nullable String windowStart,
			@Nullable String windowEnd, boolean configured) {
	}

	/** Decide for customers (by id or external id, at most 10,000) or for a snapshot's members. */
	record DecideBody(@Nullable List<String> customerIds, @Nullable List<String> customerExternalIds,
			@Nullable String snapshotId, @Nullable Channel channel, @Nullable Purpose purpose, @Nullable Instant at,
			@Nullable String campaignKey) {
	}

	record DecideAnswer(@Nullable List<Decision> decisions, long decided, long sendNow, long deferred, long dropped,
			Map<String, Long> reasons, long millis) {
	}

	private final PolicySettings stored;
	private final PolicyEngine engine;
	private final DecisionLog log;
	private final AudienceAccess access;
	private final OrgDirectory org;
	private final CustomerDirectory customers;
	private final AudienceSettings settings;
	private final Clock clock;

	PolicyManagement(PolicySettings stored, PolicyEngine engine, DecisionLog log, AudienceAccess access, OrgDirectory org,
			CustomerDirectory customers, AudienceSettings settings, Clock clock) {
		this.stored = stored;
		this.engine = engine;
		this.log = log;
		this.access = access;
		this.org = org;
		this.customers = customers;
		this.settings = settings;
		this.clock = clock;
	}

	SettingsView get(Actor actor, OrgNodeId nodeId) {
		access.require(actor, Permission.AUDIENCE_READ);
		OrgNode node = node(nodeId, "orgNodeId");
		return view(node);
	}

	SettingsView put(Actor actor, OrgNodeId nodeId, SettingsBody body) {
		access.requireHeadOffice(actor, Permission.AUDIENCE_WRITE);
		OrgNode node = node(nodeId, "orgNodeId");
		LocalTime start = null;
		LocalTime end = null;
		if (body.sendWindow() != null) {
			start = time(body.sendWindow().start(), "sendWindow.start");
			end = time(body.sendWindow().end(), "sendWindow.end");
			if (!end.isAfter(start)) {
				throw ApiException.badRequest("invalid-send-window", "sendWindow",
						"The send window must end after it starts, on the same day (" + start + "-" + end + ")");
			}
		}
		if (body.cap() != null && (body.cap() < 0 || body.cap() > 1000)) {
			throw ApiException.badRequest("invalid-value", "cap", "cap must be between 0 and 1000");
		}
		if (body.capDays() != null && (body.capDays() < 1 || body.capDays() > 366)) {
			throw ApiException.badRequest("invalid-value", "capDays", "capDays must be between 1 and 366");
		}
		if (body.sendWindow() == null && body.cap() == null && body.capDays() == null) {
			stored.delete(node.id().value());
		}
		else {
			stored.save(new PolicySettings.NodeSettings(node.id().value(), start, end, body.cap(), body.capDays(),
					AudienceAccess.who(actor), clock.instant()));
		}
		return view(node);
	}

	List<HolidayView> holidays(Actor actor) {
		access.require(actor, Permission.AUDIENCE_READ);
		List<HolidayView> out = new ArrayList<>();
		settings.holidays().forEach(d -> out.add(new HolidayView(new UUID(0, d.toEpochDay()), d, "(storecast.audience.holidays)",
				null, null, null, true)));
		stored.holidays(null).forEach(h -> out.add(new HolidayView(h.id(), h.day(), h.name(), h.orgNodeId(),
				h.windowStart() == null ? null : h.windowStart().toString(), h.windowEnd() == null ? null : h.windowEnd().toString(),
				false)));
		out.sort(java.util.Comparator.comparing(HolidayView::day));
		return out;
	}

	HolidayView addHoliday(Actor actor, HolidayBody body) {
		access.requireHeadOffice(actor, Permission.AUDIENCE_WRITE);
		if (body.day() == null) {
			throw ApiException.badRequest("validation-failed", "day", "day is required (2026-10-01)");
		}
		LocalDate day;
		try {
			day = LocalDate.parse(body.day());
		}
		catch (DateTimeParseException e) {
			throw ApiException.badRequest("invalid-value", "day", "'" + body.day() + "' is not a date such as 2026-10-01");
		}
		String name = body.name() == null || body.name().isBlank() || body.name().length() > 100
				? null : body.name().strip();
		if (name == null) {
			throw ApiException.badRequest("validation-failed", "name", "name is required (1-100 characters), e.g. 国庆节");
		}
		UUID nodeId = null;
		if (body.orgNodeId() != null) {
			try {
				nodeId = node(OrgNodeId.valueOf(body.orgNodeId()), "orgNodeId").id().value();
			}
			catch (IllegalArgumentException e) {
				throw ApiException.badRequest("unknown-org-node", "orgNodeId", "No org node " + body.orgNodeId());
			}
		}
		LocalTime start = null;
		LocalTime end = null;
		if (body.sendWindow() != null) {
			start = time(body.sendWindow().start(), "sendWindow.start");
			end = time(body.sendWindow().end(), "sendWindow.end");
			if (!end.isAfter(start)) {
				throw ApiException.badRequest("invalid-send-window", "sendWindow", "The send window must end after it starts");
			}
		}
		PolicySettings.Holiday h = new PolicySettings.Holiday(Ids.newId(), day, nodeId, name, start, end, clock.instant());
		if (!stored.insertHoliday(h)) {
			throw ApiException.conflict("holiday-exists", "There is already a holiday on " + day + " for this node");
		}
		return new HolidayView(h.id(), day, name, nodeId, start == null ? null : start.toString(),
				end == null ? null : end.toString(), false);
	}

	void deleteHoliday(Actor actor, UUID id) {
		access.requireHeadOffice(actor, Permission.AUDIENCE_WRITE);
		if (!stored.deleteHoliday(id)) {
			throw ApiException.notFound("not-found", "No holiday " + id + " (configured ones are changed in the settings)");
		}
	}

	DecideAnswer decide(Actor actor, DecideBody body) {
		access.requireHeadOffice(actor, Permission.AUDIENCE_WRITE);
		if (body.channel() == null) {
			throw ApiException.badRequest("validation-failed", "channel", "channel is required: IN_APP, SMS or WEBHOOK");
		}
		if (body.purpose() == null) {
			throw ApiException.badRequest("validation-failed", "purpose", "purpose is required: MARKETING or TRANSACTIONAL");
		}
		Instant at = body.at() == null ? clock.instant() : body.at();
		String key = body.campaignKey();
		long started = System.nanoTime();
		int sources = (body.customerIds() != null ? 1 : 0) + (body.customerExternalIds() != null ? 1 : 0)
				+ (body.snapshotId() != null ? 1 : 0);
		if (sources != 1) {
			throw ApiException.badRequest("validation-failed", "customerIds",
					"Give exactly one of customerIds, customerExternalIds or snapshotId");
		}
		if (body.snapshotId() != null) {
			SnapshotId snapshot;
			try {
				snapshot = SnapshotId.valueOf(body.snapshotId());
			}
			catch (IllegalArgumentException e) {
				throw ApiException.badRequest("invalid-value", "snapshotId", "not a snapshot id");
			}
			var summary = engine.decideSnapshot(snapshot, body.channel(), body.purpose(), at, key == null ? "" : key, d -> {
			});
			return new DecideAnswer(null, summary.decided(), summary.sendNow(), summary.deferred(), summary.dropped(),
					summary.reasons(), (System.nanoTime() - started) / 1_000_000);
		}
		List<CustomerId> ids = new ArrayList<>();
		List<String> given = body.customerIds() != null ? body.customerIds() : body.customerExternalIds();
		String field = body.customerIds() != null ? "customerIds" : "customerExternalIds";
		if (given.isEmpty() || given.size() > MAX_INLINE) {
			throw ApiException.badRequest("validation-failed", field, "between 1 and " + MAX_INLINE
					+ " customers per request (use a snapshot for more)");
		}
		for (int i = 0; i < given.size(); i++) {
			String g = given.get(i);
			if (body.customerIds() != null) {
				try {
					ids.add(CustomerId.valueOf(g));
				}
				catch (IllegalArgumentException | NullPointerException e) {
					throw ApiException.badRequest("invalid-value", field + "[" + i + "]", "not a customer id");
				}
			}
			else {
				int index = i;
				ids.add(customers.findByExternalId(g == null ? "" : g)
					.orElseThrow(() -> ApiException.badRequest("unknown-customer", field + "[" + index + "]",
							"No customer with external id " + g))
					.id());
			}
		}
		List<Decision> decisions = engine.decideAll(ids, body.channel(), body.purpose(), at, key == null ? "" : key);
		Map<String, Long> reasons = new java.util.TreeMap<>();
		long send = 0;
		long defer = 0;
		long drop = 0;
		for (Decision d : decisions) {
			reasons.merge(d.reason(), 1L, Long::sum);
			switch (d.outcome()) {
				case SEND_NOW -> send++;
				case DEFER -> defer++;
				case DROP -> drop++;
			}
		}
		return new DecideAnswer(decisions, decisions.size(), send, defer, drop, reasons, (System.nanoTime() - started) / 1_000_000);
	}

	List<DecisionLog.Entry> decisions(Actor actor, String key, @Nullable CustomerId customer, @Nullable String after,
			int limit) {
		access.requireHeadOffice(actor, Permission.AUDIENCE_READ);
		return log.list(key, customer == null ? null : customer.value(), after, limit);
	}

	private SettingsView view(OrgNode node) {
		PolicyEngine.Policy p = engine.policies().forNode(node);
		Own own = stored.find(node.id().value())
			.map(s -> new Own(s.windowStart() == null ? null : s.windowStart().toString(),
					s.windowEnd() == null ? null : s.windowEnd().toString(), s.cap(), s.capDays(), s.updatedBy(), s.updatedAt()))
			.orElse(null);
		return new SettingsView(node.id().value(), node.code(), own, new Effective(p.zone().getId(),
				p.window().start().toString(), p.window().end().toString(), p.cap(), p.capDays()));
	}

	private OrgNode node(OrgNodeId id, String field) {
		return org.find(id).orElseThrow(() -> ApiException.badRequest("unknown-org-node", field, "No org node " + id));
	}

	private static LocalTime time(@Nullable String text, String field) {
		if (text == null) {
			throw ApiException.badRequest("validation-failed", field, "a time such as 09:00 is required");
		}
		try {
			return LocalTime.parse(text);
		}
		catch (DateTimeParseException e) {
			throw ApiException.badRequest("invalid-send-window", field, "'" + text + "' is not a time such as 09:00");
		}
	}
}
