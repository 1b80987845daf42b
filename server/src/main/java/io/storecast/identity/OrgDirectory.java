package io.storecast.identity;

import java.util.List;
import java.util.Optional;

/** Read access to the org tree for other modules. */
public interface OrgDirectory {

	Optional<OrgNode> find(OrgNodeId id);

	OrgNode headOffice();

	/** The node and everything below it, parents before children. */
	List<OrgNode> subtree(OrgNodeId root);

	/** The stores at or below the node. */
	List<OrgNode> storesUnder(OrgNodeId root);
}
