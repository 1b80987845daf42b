package io.storecast.audience;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

import io.storecast.identity.OrgNodeId;

/**
 * A segment's members fixed at {@code createdAt}, for a campaign's send list.
 *
 * @param key the caller's key (a campaign id): the same segment and key give the same snapshot
 * @param scope when set, only customers whose home store lies under this node were taken
 */
public record SegmentSnapshot(SnapshotId id, SegmentId segmentId, String key, @Nullable OrgNodeId scope,
		long memberCount, Instant createdAt) {
}
