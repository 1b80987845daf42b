package io.storecast.identity;

import java.util.List;
import java.util.Optional;

/** Read access to staff for other modules. */
public interface StaffDirectory {

	/** An active staff member as other modules see them. */
	record StaffMemberView(StaffId id, String username, String displayName, Role role, OrgNodeId orgNodeId) {
	}

	Optional<StaffMemberView> findActive(StaffId id);

	/**
	 * An active staff member as an actor the access policy can judge, for what they do outside a
	 * request (a card's button pressed in the chat, a rule they set acting for them); no session.
	 */
	Optional<Actor.Staff> actorOf(StaffId id);

	/** The active staff whose own node is exactly this one (a store's manager and clerks). */
	List<StaffMemberView> activeAt(OrgNodeId node);

	/** {@link #activeAt(OrgNodeId)} of several nodes in one query; a node without active staff maps to an empty list. */
	java.util.Map<OrgNodeId, List<StaffMemberView>> activeAt(java.util.Collection<OrgNodeId> nodes);

	/** The active staff with one of {@code roles} at the node or below it, ordered by id. */
	List<StaffMemberView> activeUnder(OrgNodeId root, java.util.Collection<Role> roles);
}
