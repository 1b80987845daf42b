package io.storecast.audience.internal;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import io.storecast.audience.SegmentId;
import io.storecast.audience.SegmentSnapshot;
import io.storecast.audience.Segments;
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
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Segments: stored condition trees, checked when saved (fields, operators, names, cycles through
 * other segments) and evaluated as one SQL query each time: a count, a sample, one customer, or a
 * snapshot written with one {@code INSERT ... SELECT}.
 */
@Service
class SegmentManagement implements Segments {

	static final int MAX_NAME = 100;
	static final int SAMPLE = 20;
	static final Pattern KEY = Pattern.compile("[A-Za-z0-9._:@-]{1,128}");

	/** A segment as the API shows it. */
	record SegmentView(UUID id, String name, @Nullable String description, JsonNode condition, String createdBy,
			Instant createdAt, Instant updatedAt) {
	}

	/** A request to create or replace a segment. */
	record SegmentBody(@Nullable String name, @Nullable String description, @Nullable JsonNode condition) {
	}

	/** A count with a few members. */
	record Preview(long count, List<Member> sample, long millis) {
	}

	/** A sampled member. */
	record Member(UUID customerId, @Nullable String externalId, @Nullable String nickname, @Nullable UUID homeStoreId) {
	}

	private final StoredSegments segments;
	private final Conditions conditions;
	private final AudienceAccess access;
	private final CustomerDirectory customers;
	private final OrgDirectory org;
	private final JsonMapper json;
	private final TransactionTemplate tx;
	private final Clock clock;

	SegmentManagement(StoredSegments segments, Conditions conditions, AudienceAccess access, CustomerDirectory customers,
			OrgDirectory org, JsonMapper json, TransactionTemplate tx, Clock clock) {
		this.segments = segments;
		this.conditions = conditions;
		this.access = access;
		this.customers = customers;
		this.org = org;
		this.json = json;
		this.tx = tx;
		this.clock = clock;
	}

	// --- for the REST API -------------------------------------------------------------------------

	List<SegmentView> list(Actor actor) {
		access.require(actor, Permission.AUDIENCE_READ);
		return segments.list().stream().map(this::view).toList();
	}

	SegmentView get(Actor actor, UUID id) {
		access.require(actor, Permission.AUDIENCE_READ);
		return view(row(id));
	}

	SegmentView create(Actor actor, SegmentBody body) {
		access.requireHeadOffice(actor, Permission.AUDIENCE_WRITE);
		return tx.execute(s -> {
			segments.lockAll();
			UUID id = Ids.newId();
			String name = name(body.name());
			if (segments.findByName(name).isPresent()) {
				throw ApiException.conflict("segment-name-taken", "A segment named '" + name + "' exists");
			}
			JsonNode condition = checked(new SegmentId(id), body.condition());
			Instant now = clock.instant();
			segments.insert(new StoredSegments.Row(id, name, description(body.description()), json.writeValueAsString(condition),
					AudienceAccess.who(actor), now, now));
			return view(row(id));
		});
	}

	SegmentView update(Actor actor, UUID id, SegmentBody body) {
		access.requireHeadOffice(actor, Permission.AUDIENCE_WRITE);
		return tx.execute(s -> {
			segments.lockAll();
			StoredSegments.Row current = row(id);
			String name = body.name() == null ? current.name() : name(body.name());
			if (!name.equalsIgnoreCase(current.name()) && segments.findByName(name).isPresent()) {
				throw ApiException.conflict("segment-name-taken", "A segment named '" + name + "' exists");
			}
			JsonNode condition = body.condition() == null ? json.readTree(current.condition())
					: checked(new SegmentId(id), body.condition());
			segments.update(new StoredSegments.Row(id, name,
					body.description() == null ? current.description() : description(body.description()),
					json.writeValueAsString(condition), current.createdBy(), current.createdAt(), clock.instant()));
			return view(row(id));
		});
	}

	void delete(Actor actor, UUID id) {
		access.requireHeadOffice(actor, Permission.AUDIENCE_WRITE);
		tx.executeWithoutResult(s -> {
			segments.lockAll();
			StoredSegments.Row row = row(id);
			for (StoredSegments.Row other : segments.list()) {
				if (!other.id().equals(id) && References.segments(json.readTree(other.condition())).contains(id.toString())) {
					throw ApiException.conflict("segment-in-use",
							"Segment '" + row.name() + "' is used by segment '" + other.name() + "'; change that one first");
				}
			}
			if (!segments.delete(id)) {
				throw ApiException.conflict("segment-in-use", "Segment '" + row.name()
						+ "' is being sent to by a campaign that has not listed all its recipients yet; delete it once that send has");
			}
		});
	}

	/** Count and sample of a stored segment, within the actor's stores. */
	Preview preview(Actor actor, UUID id) {
		access.require(actor, Permission.AUDIENCE_READ);
		row(id);
		return preview(actor, conditions.conditionOf(new SegmentId(id), "segment"), new SegmentId(id));
	}

	/** Count and sample of a condition not saved (nothing is written). */
	Preview preview(Actor actor, @Nullable JsonNode condition) {
		access.require(actor, Permission.AUDIENCE_READ);
		if (condition == null) {
			throw ApiException.badRequest("validation-failed", "condition", "condition is required");
		}
		return preview(actor, conditions.parseSegment(References.normalised(condition, conditions)), null);
	}

	private Preview preview(Actor actor, Condition condition, @Nullable SegmentId self) {
		long started = System.nanoTime();
		SqlCompiler.Sql where = Conditions.within(conditions.compile(condition, SqlCompiler.Mode.SET, self), access.scope(actor));
		long count = segments.count(where);
		long millis = (System.nanoTime() - started) / 1_000_000;
		List<Member> sample = new ArrayList<>();
		for (UUID customer : segments.sample(where, SAMPLE)) {
			var c = customers.find(new CustomerId(customer));
			sample.add(new Member(customer, c.map(x -> x.externalId()).orElse(null), c.map(x -> x.nickname()).orElse(null),
					c.map(x -> x.homeStoreId() == null ? null : x.homeStoreId().value()).orElse(null)));
		}
		return new Preview(count, sample, millis);
	}

	/** The count alone (what the segment-count benchmark measures). */
	long count(Actor actor, UUID id) {
		access.require(actor, Permission.AUDIENCE_READ);
		row(id);
		return segments.count(Conditions.within(compiled(new SegmentId(id)), access.scope(actor)));
	}

	/** EXPLAIN ANALYZE of the segment's count: for operators (owner and head office). */
	List<String> explain(Actor actor, UUID id) {
		access.requireHeadOffice(actor, Permission.AUDIENCE_WRITE);
		row(id);
		return segments.explainCount(compiled(new SegmentId(id)));
	}

	SegmentSnapshot snapshot(Actor actor, UUID id, @Nullable String key, @Nullable OrgNodeId scope) {
		access.require(actor, Permission.AUDIENCE_WRITE);
		if (key == null || !KEY.matcher(key).matches()) {
			throw ApiException.badRequest("validation-failed", "key", "key must be 1-128 of A-Z a-z 0-9 . _ : @ -");
		}
		OrgNodeId within = scope;
		if (actor instanceof Actor.Staff staff && !staff.orgPath().equals(org.headOffice().path())) {
			within = scope == null ? staff.orgNodeId() : scope;
		}
		if (within != null) {
			OrgNode node = org.find(within)
				.orElseThrow(() -> ApiException.badRequest("unknown-org-node", "scope", "No org node " + scope));
			if (!access.reaches(actor, node)) {
				throw ApiException.forbidden("forbidden", "The scope lies outside your part of the organisation");
			}
		}
		row(id);
		return snapshot(new SegmentId(id), key, within);
	}

	SegmentSnapshot snapshotView(Actor actor, UUID snapshot) {
		access.require(actor, Permission.AUDIENCE_READ);
		return view(segments.findSnapshot(snapshot)
			.orElseThrow(() -> ApiException.notFound("not-found", "No snapshot " + snapshot)));
	}

	List<UUID> snapshotMembers(Actor actor, UUID snapshot, @Nullable UUID after, int limit) {
		access.require(actor, Permission.AUDIENCE_READ);
		segments.findSnapshot(snapshot).orElseThrow(() -> ApiException.notFound("not-found", "No snapshot " + snapshot));
		return segments.members(snapshot, after, limit);
	}

	// --- Segments (for other modules) -------------------------------------------------------------

	@Override
	public Optional<Segment> find(SegmentId id) {
		return segments.find(id.value())
			.map(r -> new Segment(id, r.name(), r.description(), json.readTree(r.condition())));
	}

	@Override
	public long count(SegmentId id, @Nullable OrgNodeId scope) {
		return segments.count(Conditions.within(compiled(id), stores(scope)));
	}

	@Override
	public boolean contains(SegmentId id, CustomerId customer) {
		Condition condition = conditions.conditionOf(id, "segment");
		return segments.contains(conditions.compile(condition, SqlCompiler.Mode.ROW, id), customer.value());
	}

	@Override
	public SegmentSnapshot snapshot(SegmentId id, String key, @Nullable OrgNodeId scope) {
		return snapshot(id, key, scope, false);
	}

	@Override
	public SegmentSnapshot heldSnapshot(SegmentId id, String key, @Nullable OrgNodeId scope) {
		return snapshot(id, key, scope, true);
	}

	@Override
	public void release(SegmentId id, String key) {
		segments.release(id.value(), key);
	}

	/** The snapshot under (segment, key), written first if there is none, and held when {@code held}. */
	private SegmentSnapshot snapshot(SegmentId id, String key, @Nullable OrgNodeId scope, boolean held) {
		SqlCompiler.Sql where = Conditions.within(compiled(id), stores(scope));
		return tx.execute(s -> {
			UUID snapshot = Ids.newId();
			if (segments.claimSnapshot(snapshot, id.value(), key, scope == null ? null : scope.value(), clock.instant())) {
				segments.fillSnapshot(snapshot, where);
			}
			if (held) {
				// a snapshot taken before under the key (over REST, or by a send planned before V33) included
				segments.hold(id.value(), key);
			}
			return view(segments.findSnapshot(id.value(), key).orElseThrow());
		});
	}

	@Override
	public List<CustomerId> members(SnapshotId snapshot, @Nullable CustomerId after, int limit) {
		return segments.members(snapshot.value(), after == null ? null : after.value(), limit)
			.stream()
			.map(CustomerId::new)
			.toList();
	}

	// --- helpers ----------------------------------------------------------------------------------

	private SqlCompiler.Sql compiled(SegmentId id) {
		return conditions.compile(conditions.conditionOf(id, "segment"), SqlCompiler.Mode.SET, id);
	}

	private @Nullable List<UUID> stores(@Nullable OrgNodeId scope) {
		return scope == null ? null : org.storesUnder(scope).stream().map(n -> n.id().value()).toList();
	}

	/** Parses and compiles the condition as segment {@code self} (a reference back to it is a cycle); the normalised JSON. */
	private JsonNode checked(SegmentId self, @Nullable JsonNode condition) {
		if (condition == null || condition.isNull()) {
			throw ApiException.badRequest("validation-failed", "condition", "condition is required");
		}
		JsonNode normalised = References.normalised(condition, conditions);
		conditions.compile(conditions.parseSegment(normalised), SqlCompiler.Mode.SET, self);
		return normalised;
	}

	private StoredSegments.Row row(UUID id) {
		return segments.find(id).orElseThrow(() -> ApiException.notFound("not-found", "No segment " + id));
	}

	private SegmentView view(StoredSegments.Row r) {
		return new SegmentView(r.id(), r.name(), r.description(), json.readTree(r.condition()), r.createdBy(),
				r.createdAt(), r.updatedAt());
	}

	private static SegmentSnapshot view(StoredSegments.Snapshot s) {
		return new SegmentSnapshot(new SnapshotId(s.id()), new SegmentId(s.segmentId()), s.key(),
				s.scopeNode() == null ? null : new OrgNodeId(s.scopeNode()), s.memberCount(), s.createdAt());
	}

	static String name(@Nullable String name) {
		if (name == null || name.isBlank() || name.strip().length() > MAX_NAME || name.chars().anyMatch(Character::isISOControl)) {
			throw ApiException.badRequest("validation-failed", "name", "name must be 1-" + MAX_NAME + " printable characters");
		}
		return name.strip();
	}

	static @Nullable String description(@Nullable String d) {
		if (d != null && d.length() > 1000) {
			throw ApiException.badRequest("validation-failed", "description", "description must be at most 1000 characters");
		}
		return d == null || d.isBlank() ? null : d.strip();
	}
}
