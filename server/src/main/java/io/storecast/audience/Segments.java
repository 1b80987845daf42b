package io.storecast.audience;

import java.util.List;
import java.util.Optional;

import org.jspecify.annotations.Nullable;

import io.storecast.identity.CustomerId;
import io.storecast.identity.OrgNodeId;

/**
 * Segments for other modules: evaluated live (a count, a sample, whether one customer is in it, for
 * triggers) or snapshotted (a fixed member list for a campaign). Every evaluation is one SQL query.
 * These calls trust their caller: they check no permission.
 *
 * @see <a href="../../../../../../../docs/audience.md">docs/audience.md</a> for the condition language
 */
public interface Segments {

	/** The segment's name and condition, if it exists. */
	Optional<Segment> find(SegmentId id);

	/** How many customers are in the segment now (within {@code scope} when given). */
	long count(SegmentId id, @Nullable OrgNodeId scope);

	/** Whether the customer is in the segment now. */
	boolean contains(SegmentId id, CustomerId customer);

	/**
	 * The segment's members now, stored under {@code key}: a second call with the same segment and
	 * key returns the first snapshot unchanged. Written in one {@code INSERT ... SELECT}.
	 */
	SegmentSnapshot snapshot(SegmentId id, String key, @Nullable OrgNodeId scope);

	/**
	 * As {@link #snapshot}, and held for the caller until {@link #release}: while a snapshot of a
	 * segment is held, the segment cannot be deleted (409 {@code segment-in-use}), so a caller that
	 * reads the members page by page over a while (a campaign's send) loses none of them. A snapshot
	 * already under the key (taken over REST, say) is returned held too.
	 */
	SegmentSnapshot heldSnapshot(SegmentId id, String key, @Nullable OrgNodeId scope);

	/** Lets go of the segment's snapshot under {@code key} (nothing when there is none or it is not held). */
	void release(SegmentId id, String key);

	/** A page of a snapshot's members in id order, after {@code after} (null: from the start). */
	List<CustomerId> members(SnapshotId snapshot, @Nullable CustomerId after, int limit);

	/** A segment as stored; {@code condition} is its JSON condition tree. */
	record Segment(SegmentId id, String name, @Nullable String description, tools.jackson.databind.JsonNode condition) {
	}
}
