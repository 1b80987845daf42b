package io.storecast.coupons.internal;

import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

import io.storecast.identity.AccessPolicy;
import io.storecast.identity.Actor;
import io.storecast.identity.CustomerDirectory;
import io.storecast.identity.CustomerId;
import io.storecast.identity.CustomerProfile;
import io.storecast.identity.OrgDirectory;
import io.storecast.identity.OrgNodeId;
import io.storecast.identity.OrgNodeKind;
import io.storecast.identity.Permission;
import io.storecast.platform.ApiException;

/** Who may do what with coupons, on top of identity's {@link AccessPolicy}, and the customer a request names. */
@Component
class CouponAccess {

	private final AccessPolicy access;
	private final CustomerDirectory customers;
	private final OrgDirectory org;

	CouponAccess(AccessPolicy access, CustomerDirectory customers, OrgDirectory org) {
		this.access = access;
		this.customers = customers;
		this.org = org;
	}

	/** Reading coupons: {@code COUPON_READ}, or {@code COUPON_REDEEM} (a clerk looks a code up at the till). */
	void requireRead(Actor actor) {
		if (!access.has(actor, Permission.COUPON_REDEEM)) {
			access.require(actor, Permission.COUPON_READ);
		}
	}

	void require(Actor actor, Permission permission) {
		access.require(actor, permission);
	}

	/**
	 * Redeeming (or rolling back) at a store: staff need {@code COUPON_REDEEM} at that store, which
	 * they must name; API keys may leave it out (online orders). A redemption without a store can
	 * only be rolled back by staff of the head office.
	 */
	void requireRedeemAt(Actor actor, @Nullable OrgNodeId store, String field) {
		access.require(actor, Permission.COUPON_REDEEM);
		if (store != null) {
			requireStore(store, field);
			access.requireAt(actor, Permission.COUPON_REDEEM, store);
		}
		else if (actor instanceof Actor.Staff && !access.reaches(actor, org.headOffice().id())) {
			throw ApiException.badRequest("validation-failed", field, field + " is required: the store redeeming");
		}
	}

	void requireStore(OrgNodeId store, String field) {
		if (org.find(store).filter(n -> n.kind() == OrgNodeKind.STORE).isEmpty()) {
			throw ApiException.badRequest("unknown-store", field, "No store " + store);
		}
	}

	boolean reaches(Actor actor, @Nullable OrgNodeId store) {
		return access.reaches(actor, store != null ? store : org.headOffice().id());
	}

	/**
	 * The customer a staff or API request names (by id or by the merchant's external id); a customer
	 * acting for themselves may leave it out and may not name another.
	 */
	CustomerId customer(Actor actor, @Nullable CustomerId id, @Nullable String externalId) {
		if (actor instanceof Actor.Customer self) {
			if ((id != null && !id.equals(self.id()))
					|| (externalId != null && customers.find(self.id()).map(CustomerProfile::externalId)
						.filter(externalId::equals)
						.isEmpty())) {
				throw ApiException.forbidden("not-your-coupon", "A customer acts for themselves only");
			}
			return self.id();
		}
		if (id != null) {
			return customers.find(id)
				.map(CustomerProfile::id)
				.orElseThrow(() -> ApiException.badRequest("unknown-customer", "customerId", "No customer " + id));
		}
		if (externalId != null) {
			return customers.findByExternalId(externalId)
				.map(CustomerProfile::id)
				.orElseThrow(() -> ApiException.badRequest("unknown-customer", "customerExternalId",
						"No customer with external id '" + externalId + "'"));
		}
		throw ApiException.badRequest("validation-failed", "customerId",
				"Name the customer: customerId or customerExternalId");
	}
}
