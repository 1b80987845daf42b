package io.storecast.identity.internal;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

import io.storecast.identity.OrgNodeId;
import io.storecast.identity.Role;
import io.storecast.identity.StaffId;

/** A staff account as stored; the password hash never leaves this module. */
record StaffMember(StaffId id, String username, String displayName, Role role, OrgNodeId orgNodeId,
		@Nullable String phone, String passwordHash, boolean passwordChangeRequired, Status status, Instant createdAt,
		Instant updatedAt) {

	enum Status {
		ACTIVE, DISABLED
	}

	boolean active() {
		return status == Status.ACTIVE;
	}
}
