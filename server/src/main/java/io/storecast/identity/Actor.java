package io.storecast.identity;

import java.util.Set;
import java.util.UUID;

/** Who is making a request, as established by the identity module's authentication. */
public sealed interface Actor {

	/** A logged-in staff member, acting within the subtree of {@code orgNodeId} (path {@code orgPath}). */
	record Staff(StaffId id, String username, Role role, OrgNodeId orgNodeId, String orgPath, UUID sessionId,
			boolean passwordChangeRequired) implements Actor {
	}

	/** A customer, holding a token minted by the merchant's backend; sees only their own data. */
	record Customer(CustomerId id, UUID sessionId) implements Actor {
	}

	/** An anonymous visitor of the web widget. */
	record Visitor(UUID visitorId, UUID sessionId) implements Actor {
	}

	/** The merchant's backend, calling with an API key; acts for the whole merchant within its scopes. */
	record ApiClient(UUID keyId, String name, Set<ApiScope> scopes) implements Actor {
	}
}
