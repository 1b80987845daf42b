package io.storecast.audience.internal;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

import io.storecast.audience.SegmentId;
import io.storecast.audience.Topic;
import io.storecast.identity.OrgDirectory;
import io.storecast.identity.OrgNode;
import io.storecast.identity.OrgNodeKind;
import io.storecast.platform.ApiException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The condition language wired to this module's data: parses conditions (resolving tag names, org
 * codes and segments) and compiles them to SQL with the current time and settings.
 */
@Component
class Conditions implements ConditionParser.Resolver, SqlCompiler.SegmentSource {

	private final Tags tags;
	private final StoredSegments segments;
	private final OrgDirectory org;
	private final AudienceSettings settings;
	private final JsonMapper json;
	private final Clock clock;

	Conditions(Tags tags, StoredSegments segments, OrgDirectory org, AudienceSettings settings, JsonMapper json,
			Clock clock) {
		this.tags = tags;
		this.segments = segments;
		this.org = org;
		this.settings = settings;
		this.json = json;
		this.clock = clock;
	}

	Condition parseSegment(JsonNode condition) {
		return ConditionParser.segment(condition, "condition", this);
	}

	Condition parseRule(JsonNode condition) {
		return ConditionParser.rule(condition, "rule", this);
	}

	/** A segment's predicate over {@code audience_profiles p}, now. */
	SqlCompiler.Sql compile(Condition condition, SqlCompiler.Mode mode, @Nullable SegmentId self) {
		return compile(condition, mode, self, clock.instant());
	}

	SqlCompiler.Sql compile(Condition condition, SqlCompiler.Mode mode, @Nullable SegmentId self, Instant now) {
		SqlCompiler.Context ctx = new SqlCompiler.Context(now, now.atZone(zone()).toLocalDate(), settings.newWithin(),
				settings.dormantAfter(), settings.impliedConsentChannels(), mode, this);
		return self == null ? SqlCompiler.compile(condition, ctx) : SqlCompiler.compileSegment(self, condition, ctx);
	}

	/** The predicate limited to the customers of these stores (null: no limit). */
	static SqlCompiler.Sql within(SqlCompiler.Sql where, @Nullable Collection<UUID> stores) {
		if (stores == null) {
			return where;
		}
		List<Object> params = new ArrayList<>(where.params());
		params.add(Rows.uuids(stores));
		return new SqlCompiler.Sql("(" + where.text() + ") AND p.home_store_id = ANY(CAST(? AS uuid[]))", params);
	}

	// --- SegmentSource ----------------------------------------------------------------------------

	@Override
	public Condition conditionOf(SegmentId id, String path) {
		StoredSegments.Row row = segments.find(id.value())
			.orElseThrow(() -> ApiException.badRequest("unknown-segment", path + ".value",
					"The segment " + id + " referred to at " + path + " no longer exists"));
		return ConditionParser.segment(json.readTree(row.condition()), "segment '" + row.name() + "'.condition", this);
	}

	// --- Resolver ---------------------------------------------------------------------------------

	@Override
	public Optional<UUID> tagId(String name) {
		return tags.findByName(name).map(Tags.Tag::id);
	}

	@Override
	public Optional<ConditionParser.SegmentRefTarget> segment(String idOrName) {
		Optional<StoredSegments.Row> row = Optional.empty();
		try {
			row = segments.find(UUID.fromString(idOrName));
		}
		catch (IllegalArgumentException notAnId) {
			// a name
		}
		return row.or(() -> segments.findByName(idOrName))
			.map(r -> new ConditionParser.SegmentRefTarget(new SegmentId(r.id()), r.name()));
	}

	@Override
	public Optional<ConditionParser.OrgTarget> org(String codeOrId) {
		return node(codeOrId).map(n -> new ConditionParser.OrgTarget(n.code(), n.kind() == OrgNodeKind.HEAD_OFFICE,
				org.storesUnder(n.id()).stream().map(s -> s.id().value()).toList()));
	}

	@Override
	public Optional<Topic> topic(Topic topic) {
		if (topic.kind() != Topic.Kind.STORE) {
			return Optional.of(topic);
		}
		return node(topic.value()).filter(n -> n.kind() == OrgNodeKind.STORE)
			.map(n -> new Topic(Topic.Kind.STORE, n.id().toString()));
	}

	@Override
	public ZoneId zone() {
		return org.headOffice().timeZone();
	}

	/** An org node by code (case-insensitive) or id. */
	Optional<OrgNode> node(String codeOrId) {
		try {
			Optional<OrgNode> byId = org.find(io.storecast.identity.OrgNodeId.valueOf(codeOrId));
			if (byId.isPresent()) {
				return byId;
			}
		}
		catch (IllegalArgumentException notAnId) {
			// a code
		}
		String code = codeOrId.toLowerCase(Locale.ROOT);
		return org.subtree(org.headOffice().id()).stream().filter(n -> n.code().toLowerCase(Locale.ROOT).equals(code)).findFirst();
	}
}
