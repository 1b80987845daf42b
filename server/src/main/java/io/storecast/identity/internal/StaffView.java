package io.storecast.identity.internal;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

import io.storecast.identity.OrgNodeId;
import io.storecast.identity.Role;
import io.storecast.identity.StaffId;

/**
 * A staff member as the API shows them.
 *
 * @param temporaryPassword only in the answer that created it: a one-time password to hand over
 */
record StaffView(StaffId id, String username, String displayName, Role role, OrgNodeId orgNodeId,
		@Nullable String phone, String status, boolean passwordChangeRequired, Instant createdAt, Instant updatedAt,
		@Nullable String temporaryPassword) {

	static StaffView of(StaffMember m) {
		return of(m, null);
	}

	static StaffView of(StaffMember m, @Nullable String temporaryPassword) {
		return new StaffView(m.id(), m.username(), m.displayName(), m.role(), m.orgNodeId(), m.phone(),
				m.status().name(), m.passwordChangeRequired(), m.createdAt(), m.updatedAt(), temporaryPassword);
	}
}
