package io.storecast.campaigns.internal;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.springframework.stereotype.Component;

import io.storecast.identity.OrgNodeId;
import io.storecast.identity.Role;
import io.storecast.identity.StaffDirectory;
import io.storecast.identity.StaffId;

/**
 * Who a staff notice's audience reaches: the active staff holding its roles at or below each of its
 * nodes (each reached in that node's room), or those of its listed staff who are active (in the room
 * of the notice's own node). Read when a notice is created, and again when a notice scheduled ahead
 * is sent, so that it reaches who holds the role then.
 */
@Component
class StaffNoticeAudience {

	private final StaffDirectory staff;

	StaffNoticeAudience(StaffDirectory staff) {
		this.staff = staff;
	}

	/** The recipients of a stored audience (roots and roles, or staff ids) as it stands now. */
	List<StaffNotices.Recipient> resolve(StaffNotice.Audience audience, OrgNodeId scope) {
		if (audience.staffIds() != null) {
			Map<StaffId, StaffNotices.Recipient> recipients = new LinkedHashMap<>();
			audience.staffIds().forEach(id -> staff.findActive(id).ifPresent(m -> recipients.putIfAbsent(id, recipient(m, scope))));
			return List.copyOf(recipients.values());
		}
		return byRoles(Objects.requireNonNull(audience.nodes()), Objects.requireNonNull(audience.roles()));
	}

	/** The active staff of these roles at or below each root, reached in the root's room (the first root holding them). */
	List<StaffNotices.Recipient> byRoles(List<OrgNodeId> roots, List<Role> roles) {
		Map<StaffId, StaffNotices.Recipient> recipients = new LinkedHashMap<>();
		for (OrgNodeId root : roots) {
			staff.activeUnder(root, roles).forEach(s -> recipients.putIfAbsent(s.id(), recipient(s, root)));
		}
		return List.copyOf(recipients.values());
	}

	static StaffNotices.Recipient recipient(StaffDirectory.StaffMemberView s, OrgNodeId room) {
		return new StaffNotices.Recipient(s.id(), s.displayName(), s.role(), s.orgNodeId(), room, null, 0, null);
	}
}
