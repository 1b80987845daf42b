package io.storecast.identity;

import java.time.Instant;
import java.time.ZoneId;

import org.jspecify.annotations.Nullable;

/** A node of the org tree as other modules see it. */
public record OrgNode(OrgNodeId id, @Nullable OrgNodeId parentId, OrgNodeKind kind, String code, String name,
		ZoneId timeZone, @Nullable String city, OpeningHours openingHours, String path, Instant createdAt,
		Instant updatedAt) {

	/** Whether {@code other} is this node or lies below it. */
	public boolean contains(OrgNode other) {
		return other.path.startsWith(path);
	}
}
