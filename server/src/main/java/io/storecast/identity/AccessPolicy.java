package io.storecast.identity;

import java.util.Set;

import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

import io.storecast.platform.ApiException;

/**
 * The one place that decides whether an actor may do something to a piece of data. Every service
 * asks it at its boundary; a refusal is a 403 problem with code {@code forbidden}.
 * <ul>
 * <li>staff: their role's permissions, only within the subtree of their own org node;</li>
 * <li>API keys: their scopes' permissions, across the whole merchant;</li>
 * <li>customers: their own profile only;</li>
 * <li>visitors: nothing here.</li>
 * </ul>
 */
@Component
public class AccessPolicy {

	private final OrgDirectory org;

	AccessPolicy(OrgDirectory org) {
		this.org = org;
	}

	/** Whether the actor holds the permission somewhere (no particular target). */
	public boolean has(Actor actor, Permission permission) {
		return permissionsOf(actor).contains(permission);
	}

	public void require(Actor actor, Permission permission) {
		if (!has(actor, permission)) {
			throw denied(actor, permission, null);
		}
	}

	/** Requires the permission at {@code target}: it must lie within the actor's subtree. */
	public void requireAt(Actor actor, Permission permission, OrgNodeId target) {
		require(actor, permission);
		if (!reaches(actor, target)) {
			throw denied(actor, permission, target);
		}
	}

	/** Requires the permission on a customer's data: own data for customers, the home store's subtree for staff. */
	public void requireCustomer(Actor actor, Permission permission, CustomerId customer,
			@Nullable OrgNodeId homeStore) {
		if (actor instanceof Actor.Customer self) {
			if (permission == Permission.CUSTOMER_READ && self.id().equals(customer)) {
				return;
			}
			throw ApiException.forbidden("forbidden", "A customer may only read their own profile");
		}
		require(actor, permission);
		if (actor instanceof Actor.Staff staff) {
			boolean inScope = homeStore == null ? staff.orgPath().equals(org.headOffice().path())
					: reaches(actor, homeStore);
			if (!inScope) {
				throw ApiException.forbidden("forbidden",
						"This customer belongs to a store outside your part of the organisation");
			}
		}
	}

	/** Requires that {@code manager} may create or change a staff member with {@code role} at {@code node}. */
	public void requireStaffManagement(Actor manager, Role role, OrgNodeId node) {
		requireAt(manager, Permission.STAFF_WRITE, node);
		if (manager instanceof Actor.Staff staff && staff.role() != Role.OWNER && !staff.role().outranks(role)) {
			throw ApiException.forbidden("forbidden",
					"A " + staff.role() + " may only manage roles below their own, not " + role);
		}
	}

	/** Whether the target node lies within what the actor may reach. */
	public boolean reaches(Actor actor, OrgNodeId target) {
		return switch (actor) {
			case Actor.Staff staff -> org.find(target).map(n -> n.path().startsWith(staff.orgPath())).orElse(false);
			case Actor.ApiClient client -> true;
			case Actor.Customer customer -> false;
			case Actor.Visitor visitor -> false;
		};
	}

	/** The path prefix that bounds the actor's listings: the whole tree for API keys and the owner. */
	public String scopePath(Actor actor) {
		return switch (actor) {
			case Actor.Staff staff -> staff.orgPath();
			case Actor.ApiClient client -> org.headOffice().path();
			default -> throw ApiException.forbidden("forbidden", "Only staff and API keys may list this");
		};
	}

	private static Set<Permission> permissionsOf(Actor actor) {
		return switch (actor) {
			case Actor.Staff staff -> staff.role().permissions();
			case Actor.ApiClient client -> client.scopes()
				.stream()
				.flatMap(s -> s.permissions().stream())
				.collect(java.util.stream.Collectors.toUnmodifiableSet());
			case Actor.Customer customer -> Set.of();
			case Actor.Visitor visitor -> Set.of();
		};
	}

	private static ApiException denied(Actor actor, Permission permission, @Nullable OrgNodeId target) {
		String who = switch (actor) {
			case Actor.Staff staff -> "A " + staff.role();
			case Actor.ApiClient client -> "This API key";
			case Actor.Customer customer -> "A customer";
			case Actor.Visitor visitor -> "A visitor";
		};
		String detail = target == null ? who + " may not " + describe(permission)
				: who + " may not " + describe(permission) + " outside their part of the organisation";
		return ApiException.forbidden("forbidden", detail);
	}

	private static String describe(Permission permission) {
		return switch (permission) {
			case ORG_READ -> "read the org tree";
			case ORG_WRITE -> "change the org tree";
			case STAFF_READ -> "read staff";
			case STAFF_WRITE -> "manage staff";
			case CUSTOMER_READ -> "read customers";
			case CUSTOMER_WRITE -> "change customers";
			case CUSTOMER_TOKEN_MINT -> "mint customer tokens";
			case API_KEYS_MANAGE -> "manage API keys";
			case AUDIT_READ -> "read the audit log";
			case CATALOG_READ -> "read the catalog";
			case CATALOG_WRITE -> "change the catalog";
			case STOCK_WRITE -> "adjust stock";
			case STOCK_TRANSFER -> "transfer stock";
			case ORDER_READ -> "read orders";
			case ORDER_WRITE -> "record orders";
			case COUPON_READ -> "read coupons";
			case COUPON_WRITE -> "manage coupon templates, grant or revoke coupons";
			case COUPON_REDEEM -> "redeem coupons";
			case AUDIENCE_READ -> "read customer profiles, tags and segments";
			case AUDIENCE_WRITE -> "tag customers or change tag rules, segments and the contact policy";
			case CONSENT_WRITE -> "record consent or suppress phone numbers";
			case DELIVERY_SEND -> "send messages to customers";
			case DELIVERY_READ -> "read deliveries";
			case DELIVERY_ADMIN -> "configure the delivery channels";
			case CAMPAIGN_READ -> "read campaigns";
			case CAMPAIGN_WRITE -> "create, send or cancel campaigns";
			case CAMPAIGN_APPROVE -> "approve campaign sends";
		};
	}
}
