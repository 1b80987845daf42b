package io.storecast.catalog;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.jspecify.annotations.Nullable;

/**
 * Read access to products and SKUs for other modules (orders resolve their lines here, the
 * assistant answers prices and recommendations). These calls trust their caller: they check no
 * permission, so a module serving a user request checks that user's access itself.
 */
public interface Catalog {

	Optional<SkuView> findSku(String externalId);

	Optional<SkuView> findSku(SkuId id);

	/** The SKUs with these external ids, by external id; ids that name no SKU are absent from the map. */
	Map<String, SkuView> findSkus(Collection<String> externalIds);

	Optional<ProductView> findProduct(String externalId);

	Optional<ProductView> findProduct(ProductId id);

	/**
	 * Products matching the query, oldest first, after the product {@code after} (a cursor: the
	 * last id of the previous page), at most {@code limit} (1-1000).
	 */
	List<ProductView> search(ProductQuery query, @Nullable ProductId after, int limit);
}
