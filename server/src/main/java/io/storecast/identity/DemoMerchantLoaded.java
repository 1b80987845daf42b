package io.storecast.identity;

import java.util.List;

/**
 * The demo merchant's org tree, staff and customers were created ({@code storecast.demo=true});
 * other modules listen to add their own demo data.
 */
public record DemoMerchantLoaded(OrgNodeId headOffice, List<OrgNodeId> stores, List<CustomerId> customers) {
}
