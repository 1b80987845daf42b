package io.storecast.audience.internal;

import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

import io.storecast.identity.AccessPolicy;
import io.storecast.identity.Actor;
import io.storecast.identity.CustomerDirectory;
import io.storecast.identity.CustomerId;
import io.storecast.identity.CustomerProfile;
import io.storecast.identity.OrgDirectory;
import io.storecast.identity.OrgNode;
import io.storecast.identity.Permission;
import io.storecast.platform.ApiException;

/**
 * Who may do what with audience data, on top of the identity module's access policy: merchant-wide
 * definitions (rules, segments, the contact policy) are for the head office and API keys; staff of a
 * region or store see and tag only the customers of their stores.
 */
@Component
class AudienceAccess {

	private final AccessPolicy access;
	private final OrgDirectory org;
	private final CustomerDirectory customers;

	AudienceAccess(AccessPolicy access, OrgDirectory org, CustomerDirectory customers) {
		this.access = access;
		this.org = org;
		this.customers = customers;
	}

	void require(Actor actor, Permission permission) {
		access.require(actor, permission);
	}

	/** The permission over the whole merchant: API keys, and staff of the head office. */
	void requireHeadOffice(Actor actor, Permission permission) {
		access.requireAt(actor, permission, org.headOffice().id());
	}

	/**
	 * The stores whose customers the actor may see, or null for all of them (and customers without
	 * a home store).
	 */
	@Nullable
	List<UUID> scope(Actor actor) {
		if (actor instanceof Actor.Staff staff && !staff.orgPath().equals(org.headOffice().path())) {
			return org.storesUnder(staff.orgNodeId()).stream().map(n -> n.id().value()).toList();
		}
		if (actor instanceof Actor.Staff || actor instanceof Actor.ApiClient) {
			return null;
		}
		throw ApiException.forbidden("forbidden", "Only staff and API keys may read this");
	}

	/** The customer, if the actor holds the permission over them (their home store within reach). */
	CustomerProfile requireCustomer(Actor actor, Permission permission, CustomerId id) {
		access.require(actor, permission);
		CustomerProfile customer = customers.find(id).orElseThrow(() -> ApiException.notFound("not-found", "No customer " + id));
		access.requireCustomer(actor, permission, id, customer.homeStoreId());
		return customer;
	}

	/** Whether the staff member's part of the organisation includes the node. */
	boolean reaches(Actor actor, OrgNode node) {
		return access.reaches(actor, node.id());
	}

	/** 'staff:<id>', 'api-key:<id>', 'customer:<id>': who did something, for the records. */
	static String who(Actor actor) {
		return switch (actor) {
			case Actor.Staff s -> "staff:" + s.id();
			case Actor.ApiClient k -> "api-key:" + k.keyId();
			case Actor.Customer c -> "customer:" + c.id();
			case Actor.Visitor v -> "visitor:" + v.visitorId();
		};
	}
}
