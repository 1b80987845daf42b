package io.storecast.identity;

import java.util.EnumSet;
import java.util.Set;

/** A staff member's role; it applies within the subtree of the member's org node. */
public enum Role {

	OWNER(5, OrgNodeKind.HEAD_OFFICE),
	HQ_MARKETER(4, OrgNodeKind.HEAD_OFFICE),
	REGION_MANAGER(3, OrgNodeKind.REGION),
	STORE_MANAGER(2, OrgNodeKind.STORE),
	CLERK(1, OrgNodeKind.STORE);

	private final int rank;
	private final OrgNodeKind placedAt;

	Role(int rank, OrgNodeKind placedAt) {
		this.rank = rank;
		this.placedAt = placedAt;
	}

	/** The kind of org node a member with this role belongs to. */
	public OrgNodeKind placedAt() {
		return placedAt;
	}

	public boolean outranks(Role other) {
		return rank > other.rank;
	}

	/** What this role may do within its subtree; the single source of these rules. */
	public Set<Permission> permissions() {
		return switch (this) {
			case OWNER -> EnumSet.allOf(Permission.class);
			case HQ_MARKETER -> EnumSet.of(Permission.ORG_READ, Permission.STAFF_READ, Permission.CUSTOMER_READ,
					Permission.CUSTOMER_WRITE, Permission.CATALOG_READ, Permission.CATALOG_WRITE, Permission.ORDER_READ,
					Permission.COUPON_READ, Permission.COUPON_WRITE, Permission.AUDIENCE_READ, Permission.AUDIENCE_WRITE,
					Permission.CONSENT_WRITE, Permission.DELIVERY_SEND, Permission.DELIVERY_READ, Permission.CAMPAIGN_READ,
					Permission.CAMPAIGN_WRITE, Permission.CAMPAIGN_APPROVE);
			case REGION_MANAGER -> EnumSet.of(Permission.ORG_READ, Permission.ORG_WRITE, Permission.STAFF_READ,
					Permission.STAFF_WRITE, Permission.CUSTOMER_READ, Permission.CUSTOMER_WRITE, Permission.AUDIT_READ,
					Permission.CATALOG_READ, Permission.STOCK_WRITE, Permission.STOCK_TRANSFER, Permission.ORDER_READ,
					Permission.COUPON_READ, Permission.COUPON_REDEEM, Permission.AUDIENCE_READ, Permission.AUDIENCE_WRITE,
					Permission.CONSENT_WRITE, Permission.CAMPAIGN_READ, Permission.CAMPAIGN_WRITE,
					Permission.CAMPAIGN_APPROVE);
			case STORE_MANAGER -> EnumSet.of(Permission.ORG_READ, Permission.ORG_WRITE, Permission.STAFF_READ,
					Permission.STAFF_WRITE, Permission.CUSTOMER_READ, Permission.CUSTOMER_WRITE, Permission.CATALOG_READ,
					Permission.STOCK_WRITE, Permission.STOCK_TRANSFER, Permission.ORDER_READ, Permission.COUPON_READ,
					Permission.COUPON_REDEEM, Permission.AUDIENCE_READ, Permission.AUDIENCE_WRITE, Permission.CONSENT_WRITE,
					Permission.CAMPAIGN_READ, Permission.CAMPAIGN_WRITE);
			case CLERK -> EnumSet.of(Permission.ORG_READ, Permission.STAFF_READ, Permission.CUSTOMER_READ,
					Permission.CUSTOMER_WRITE, Permission.CATALOG_READ, Permission.STOCK_WRITE, Permission.ORDER_READ,
					Permission.COUPON_REDEEM, Permission.CONSENT_WRITE);
		};
	}
}
