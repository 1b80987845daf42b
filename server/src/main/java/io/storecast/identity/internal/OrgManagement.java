package io.storecast.identity.internal;

import java.time.Clock;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import io.storecast.identity.AccessPolicy;
import io.storecast.identity.Actor;
import io.storecast.identity.OpeningHours;
import io.storecast.identity.OrgNode;
import io.storecast.identity.OrgNodeId;
import io.storecast.identity.OrgNodeKind;
import io.storecast.identity.Permission;
import io.storecast.platform.ApiException;
import io.storecast.platform.Ids;

/** Creates, changes and lists nodes of the org tree, within the caller's part of it. */
@Service
class OrgManagement {

	static final ZoneId DEFAULT_ZONE = ZoneId.of("Asia/Shanghai");
	static final OpeningHours DEFAULT_STORE_HOURS = OpeningHours.daily(LocalTime.of(10, 0), LocalTime.of(22, 0));

	/** A new node's description; absent optional values are inherited or defaulted. */
	record NewNode(OrgNodeId parentId, OrgNodeKind kind, String code, String name, @Nullable String timeZone,
			@Nullable String city, @Nullable OpeningHours openingHours) {
	}

	/** Changes to a node; null leaves a value as it is. */
	record NodeChanges(@Nullable String code, @Nullable String name, @Nullable String timeZone, @Nullable String city,
			@Nullable OpeningHours openingHours) {
	}

	private final OrgNodes nodes;
	private final AccessPolicy access;
	private final AuditLog audit;
	private final Clock clock;

	OrgManagement(OrgNodes nodes, AccessPolicy access, AuditLog audit, Clock clock) {
		this.nodes = nodes;
		this.access = access;
		this.audit = audit;
		this.clock = clock;
	}

	@Transactional
	OrgNode create(Actor actor, NewNode request) {
		OrgNode parent = nodes.find(request.parentId())
			.orElseThrow(() -> ApiException.badRequest("unknown-org-node", "parentId",
					"No org node " + request.parentId()));
		access.requireAt(actor, Permission.ORG_WRITE, parent.id());
		if (!request.kind().mayBeChildOf(parent.kind())) {
			throw ApiException.badRequest("invalid-org-structure", "kind",
					"A " + request.kind() + " cannot be placed under a " + parent.kind()
							+ " (regions sit under the head office; stores under a region or the head office)");
		}
		requireFreeCode(request.code());
		OrgNodeId id = new OrgNodeId(Ids.newId());
		Instant now = clock.instant();
		OpeningHours hours = request.openingHours() != null ? request.openingHours()
				: request.kind() == OrgNodeKind.STORE ? DEFAULT_STORE_HOURS : OpeningHours.none();
		ZoneId zone = request.timeZone() == null ? parent.timeZone() : zone(request.timeZone());
		OrgNode node = new OrgNode(id, parent.id(), request.kind(), request.code(), request.name(), zone,
				request.city(), hours, parent.path() + id.value() + "/", now, now);
		nodes.insert(node);
		audited(actor, "ORG_NODE_CREATED", node);
		return node;
	}

	@Transactional
	OrgNode update(Actor actor, OrgNodeId id, NodeChanges changes) {
		find(actor, id, Permission.ORG_WRITE);
		// what is written back is read from the table, not the cache (another node may have changed it)
		OrgNode node = nodes.findFresh(id).orElseThrow(() -> ApiException.notFound("not-found", "No org node " + id));
		if (changes.code() != null && !changes.code().equalsIgnoreCase(node.code())) {
			requireFreeCode(changes.code());
		}
		OrgNode updated = new OrgNode(node.id(), node.parentId(), node.kind(),
				changes.code() != null ? changes.code() : node.code(),
				changes.name() != null ? changes.name() : node.name(),
				changes.timeZone() != null ? zone(changes.timeZone()) : node.timeZone(),
				changes.city() != null ? changes.city() : node.city(),
				changes.openingHours() != null ? changes.openingHours() : node.openingHours(), node.path(),
				node.createdAt(), clock.instant());
		nodes.update(updated);
		audited(actor, "ORG_NODE_UPDATED", updated);
		return updated;
	}

	OrgNode get(Actor actor, OrgNodeId id) {
		return find(actor, id, Permission.ORG_READ);
	}

	/** The part of the tree the actor may see, parents before children. */
	List<OrgNode> visibleTree(Actor actor) {
		access.require(actor, Permission.ORG_READ);
		return nodes.underPath(access.scopePath(actor));
	}

	private OrgNode find(Actor actor, OrgNodeId id, Permission permission) {
		OrgNode node = nodes.find(id).orElseThrow(() -> ApiException.notFound("not-found", "No org node " + id));
		access.requireAt(actor, permission, id);
		return node;
	}

	private void requireFreeCode(String code) {
		if (nodes.codeTaken(code)) {
			throw new ApiException(org.springframework.http.HttpStatus.CONFLICT, "duplicate-code",
					"Another org node already has the code '" + code + "'",
					List.of(new ApiException.FieldProblem("code", "is already used")), null);
		}
	}

	static ZoneId zone(String value) {
		try {
			return ZoneId.of(value);
		}
		catch (DateTimeException e) {
			throw ApiException.badRequest("invalid-time-zone", "timeZone",
					"'" + value + "' is not a time zone id such as Asia/Shanghai");
		}
	}

	private void audited(Actor actor, String action, OrgNode node) {
		if (actor instanceof Actor.Staff staff) {
			audit.record(action, "STAFF", staff.id().toString(), node.code(), node.path(), null,
					Map.of("node", node.id().toString(), "name", node.name()));
		}
	}
}
