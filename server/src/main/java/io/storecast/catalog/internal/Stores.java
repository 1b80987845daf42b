package io.storecast.catalog.internal;

import java.util.List;
import java.util.Optional;

import org.springframework.stereotype.Component;

import io.storecast.identity.OrgDirectory;
import io.storecast.identity.OrgNode;
import io.storecast.identity.OrgNodeId;
import io.storecast.identity.OrgNodeKind;
import io.storecast.identity.Role;
import io.storecast.identity.StaffDirectory;
import io.storecast.identity.StaffId;
import io.storecast.platform.ApiException;

/**
 * The stores as the catalog sees them, read through identity's directory with a short cache: a
 * sale names its store on every call, and stores change rarely (a renamed store shows within
 * seconds).
 */
@Component
class Stores {

	private final OrgDirectory org;
	private final StaffDirectory staff;

	Stores(OrgDirectory org, StaffDirectory staff) {
		this.org = org;
		this.staff = staff;
	}

	Optional<OrgNode> find(OrgNodeId id) {
		// identity caches the nodes it finds (OrgNodes)
		return org.find(id);
	}

	/** The store, or a 400 problem naming {@code field}. */
	OrgNode require(OrgNodeId id, String field) {
		return find(id).filter(n -> n.kind() == OrgNodeKind.STORE)
			.orElseThrow(() -> ApiException.badRequest("unknown-store", field, "No store " + id));
	}

	/** Every store of the merchant. */
	List<OrgNode> all() {
		return org.storesUnder(org.headOffice().id());
	}

	/** The region the store belongs to, if it sits under one. */
	Optional<OrgNode> regionOf(OrgNode store) {
		return store.parentId() == null ? Optional.empty()
				: find(store.parentId()).filter(n -> n.kind() == OrgNodeKind.REGION);
	}

	/** The store's managers and its region's managers: who hears about its stock. */
	List<StaffId> managersOf(OrgNode store) {
		List<StaffId> managers = new java.util.ArrayList<>(staff.activeAt(store.id())
			.stream()
			.filter(s -> s.role() == Role.STORE_MANAGER)
			.map(StaffDirectory.StaffMemberView::id)
			.toList());
		regionOf(store).ifPresent(region -> staff.activeAt(region.id())
			.stream()
			.filter(s -> s.role() == Role.REGION_MANAGER)
			.map(StaffDirectory.StaffMemberView::id)
			.forEach(managers::add));
		return managers;
	}
}
