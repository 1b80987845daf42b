package io.storecast.identity;

import java.util.Arrays;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * What a server-to-server API key may do. Keys act for the whole merchant, limited by these scopes;
 * modules add the scopes of their own endpoints here as they arrive.
 */
public enum ApiScope {

	ORG_READ("org:read", Set.of(Permission.ORG_READ)),
	CUSTOMERS_READ("customers:read", Set.of(Permission.CUSTOMER_READ)),
	CUSTOMERS_WRITE("customers:write", Set.of(Permission.CUSTOMER_READ, Permission.CUSTOMER_WRITE)),
	CUSTOMERS_TOKEN("customers:token", Set.of(Permission.CUSTOMER_TOKEN_MINT)),
	CATALOG_READ("catalog:read", Set.of(Permission.CATALOG_READ)),
	CATALOG_WRITE("catalog:write", Set.of(Permission.CATALOG_READ, Permission.CATALOG_WRITE)),
	STOCK_WRITE("stock:write", Set.of(Permission.CATALOG_READ, Permission.STOCK_WRITE)),
	ORDERS_READ("orders:read", Set.of(Permission.ORDER_READ)),
	ORDERS_WRITE("orders:write", Set.of(Permission.ORDER_READ, Permission.ORDER_WRITE)),
	COUPONS_READ("coupons:read", Set.of(Permission.COUPON_READ)),
	COUPONS_WRITE("coupons:write", Set.of(Permission.COUPON_READ, Permission.COUPON_WRITE)),
	COUPONS_REDEEM("coupons:redeem", Set.of(Permission.COUPON_READ, Permission.COUPON_REDEEM)),
	AUDIENCE_READ("audience:read", Set.of(Permission.AUDIENCE_READ)),
	AUDIENCE_WRITE("audience:write", Set.of(Permission.AUDIENCE_READ, Permission.AUDIENCE_WRITE)),
	CONSENT_WRITE("consent:write", Set.of(Permission.CONSENT_WRITE)),
	DELIVERY_READ("delivery:read", Set.of(Permission.DELIVERY_READ)),
	DELIVERY_SEND("delivery:send", Set.of(Permission.DELIVERY_READ, Permission.DELIVERY_SEND)),
	DELIVERY_ADMIN("delivery:admin", Set.of(Permission.DELIVERY_READ, Permission.DELIVERY_ADMIN)),
	CAMPAIGNS_READ("campaigns:read", Set.of(Permission.CAMPAIGN_READ)),
	CAMPAIGNS_WRITE("campaigns:write", Set.of(Permission.CAMPAIGN_READ, Permission.CAMPAIGN_WRITE));

	private final String value;
	private final Set<Permission> permissions;

	ApiScope(String value, Set<Permission> permissions) {
		this.value = value;
		this.permissions = permissions;
	}

	@JsonValue
	public String value() {
		return value;
	}

	public Set<Permission> permissions() {
		return permissions;
	}

	public static Optional<ApiScope> find(String value) {
		return Arrays.stream(values()).filter(s -> s.value.equals(value)).findFirst();
	}

	@JsonCreator
	static ApiScope fromJson(String value) {
		return find(value).orElseThrow(() -> new IllegalArgumentException("unknown scope '" + value + "'"));
	}

	@Override
	public String toString() {
		return value;
	}
}
