package io.storecast.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import io.storecast.support.Api;
import io.storecast.support.DemoFixture;
import io.storecast.support.StorecastIntegrationTest;
import tools.jackson.databind.JsonNode;

/** Products and SKUs over the API: upserts by external id, bulk, filters, the query API, and every bad input. */
@StorecastIntegrationTest
class CatalogIntegrationTest {

	@LocalServerPort
	int port;

	@Autowired
	Catalog catalog;

	DemoFixture demo;
	Api writer;

	@BeforeEach
	void setUp() {
		demo = new DemoFixture(port);
		writer = demo.anonymous.as(demo.apiKey("catalog writer", "catalog:write"));
	}

	static Map<String, Object> mooncakes(long priceFen) {
		return Map.of("name", "流心奶黄月饼礼盒", "description", "今年新款,6枚装", "category", "月饼礼盒", "images",
				List.of("https://img.example.com/mc.jpg"), "tags",
				Map.of("occasion", List.of("中秋"), "recipient", List.of("长辈", "老师")), "launchAt", "2026-08-01T00:00:00Z",
				"endAt", "2026-10-15T00:00:00Z", "customisations",
				List.of(Map.of("kind", "GREETING_CARD", "priceFen", 0, "extraLeadDays", 1)), "skus",
				List.of(Map.of("externalId", "IT-MC-1-6", "name", "6枚装", "priceFen", priceFen, "lowStockThreshold", 5),
						Map.of("externalId", "IT-MC-1-8", "name", "8枚装", "priceFen", priceFen + 5000)));
	}

	@Test
	void a_product_is_created_then_updated_by_its_external_id_and_read_through_the_query_api() {
		JsonNode created = writer.put("/api/v1/catalog/products/IT-MC-1", mooncakes(19900)).expect(201).json();
		assertThat(created.path("externalId").asString()).isEqualTo("IT-MC-1");
		assertThat(created.path("tags").path("occasion").get(0).asString()).isEqualTo("中秋");
		assertThat(created.path("skus")).hasSize(2);
		assertThat(created.path("customisations").get(0).path("kind").asString()).isEqualTo("GREETING_CARD");

		JsonNode updated = writer.put("/api/v1/catalog/products/IT-MC-1", mooncakes(20900)).expect(200).json();
		assertThat(updated.path("id").asString()).isEqualTo(created.path("id").asString());

		SkuView sku = catalog.findSku("IT-MC-1-6").orElseThrow();
		assertThat(sku.priceFen()).isEqualTo(20900);
		assertThat(sku.productName()).isEqualTo("流心奶黄月饼礼盒");
		assertThat(sku.displayName()).isEqualTo("流心奶黄月饼礼盒 6枚装");
		assertThat(sku.lowStockThreshold()).isEqualTo(5);
		assertThat(catalog.findSkus(List.of("IT-MC-1-6", "IT-MC-1-8", "NOPE"))).containsOnlyKeys("IT-MC-1-6", "IT-MC-1-8");
		ProductView product = catalog.findProduct("IT-MC-1").orElseThrow();
		assertThat(product.tags(TagDimension.RECIPIENT)).containsExactly("长辈", "老师");
		assertThat(product.extraLeadDays(List.of(CustomisationKind.GREETING_CARD))).isEqualTo(1);

		// a SKU the product no longer lists becomes inactive (it keeps its stock and history)
		Map<String, Object> fewer = new java.util.HashMap<>(mooncakes(20900));
		fewer.put("skus", List.of(Map.of("externalId", "IT-MC-1-6", "priceFen", 20900)));
		writer.put("/api/v1/catalog/products/IT-MC-1", fewer).expect(200);
		assertThat(catalog.findSku("IT-MC-1-8").orElseThrow().active()).isFalse();

		JsonNode read = demo.staff("sh-njr.clerk1").get("/api/v1/catalog/skus/IT-MC-1-6").expect(200).json();
		assertThat(read.path("priceFen").asLong()).isEqualTo(20900);
	}

	@Test
	void listing_filters_by_tags_category_words_price_and_sale_window_page_by_page() {
		Api clerk = demo.staff("sh-njr.clerk1");
		JsonNode teachers = clerk.get("/api/v1/catalog/products?tag=recipient:老师&tag=occasion:教师节&limit=200")
			.expect(200)
			.json();
		assertThat(teachers.path("items").size()).isPositive();
		teachers.path("items").forEach(p -> {
			assertThat(p.path("tags").path("recipient").toString()).contains("老师");
			assertThat(p.path("tags").path("occasion").toString()).contains("教师节");
		});
		JsonNode pens = clerk.get("/api/v1/catalog/products?category=文具&q=钢笔&maxPriceFen=50000&limit=200").expect(200).json();
		pens.path("items").forEach(p -> {
			assertThat(p.path("category").asString()).isEqualTo("文具");
			assertThat(p.path("skus").toString()).isNotEmpty();
		});
		JsonNode first = clerk.get("/api/v1/catalog/products?limit=100").expect(200).json();
		assertThat(first.path("items")).hasSize(100);
		String cursor = first.path("nextCursor").asString();
		JsonNode second = clerk.get("/api/v1/catalog/products?limit=100&after=" + cursor).expect(200).json();
		assertThat(second.path("items").get(0).path("id").asString()).isGreaterThan(cursor);
		// mooncakes are on sale in their season only
		int year = java.time.Year.now().getValue();
		assertThat(clerk.get("/api/v1/catalog/products?category=月饼礼盒&activeAt=" + year + "-09-10T00:00:00Z")
			.expect(200)
			.json()
			.path("items")
			.size()).isPositive();
		assertThat(clerk.get("/api/v1/catalog/products?category=月饼礼盒&activeAt=" + year + "-12-10T00:00:00Z")
			.expect(200)
			.json()
			.path("items")).isEmpty();
		clerk.get("/api/v1/catalog/products?tag=colour:red").expectProblem(400, "invalid-tag");
		clerk.get("/api/v1/catalog/products?after=nonsense").expectProblem(400, "invalid-cursor");
	}

	@Test
	void the_demo_merchant_has_a_gift_and_jewelry_catalog_across_occasions_and_recipients() {
		List<ProductView> all = catalog.search(ProductQuery.all(), null, 1000);
		assertThat(all).hasSizeGreaterThan(250);
		for (String occasion : List.of("中秋", "春节", "母亲节", "情人节", "生日", "教师节")) {
			assertThat(catalog.search(new ProductQuery(null,
					List.of(new ProductQuery.Tag(TagDimension.OCCASION, occasion)), null, null, null, null), null, 10))
				.as(occasion)
				.isNotEmpty();
		}
		for (String recipient : List.of("老师", "妈妈", "长辈", "女朋友", "男朋友", "朋友", "孩子")) {
			assertThat(catalog.search(new ProductQuery(null,
					List.of(new ProductQuery.Tag(TagDimension.RECIPIENT, recipient)), null, null, null, null), null, 10))
				.as(recipient)
				.isNotEmpty();
		}
		JsonNode levels = demo.owner.get("/api/v1/catalog/stock?sku=NK-001-A").expect(200).json().path("items");
		assertThat(levels).hasSize(5);
		levels.forEach(l -> assertThat(l.path("onHand").asLong()).isPositive());
	}

	@Test
	void bulk_upserts_write_the_valid_products_and_report_the_others() {
		JsonNode result = writer.post("/api/v1/catalog/products:bulk", Map.of("products", List.of(
				Map.of("externalId", "IT-BULK-1", "name", "玫瑰永生花", "skus", List.of(Map.of("externalId", "IT-BULK-1-A", "priceFen", 29900))),
				Map.of("externalId", "IT-BULK-2", "name", "负价", "skus", List.of(Map.of("externalId", "IT-BULK-2-A", "priceFen", -1))),
				Map.of("externalId", "IT-BULK-1", "name", "重复", "skus", List.of(Map.of("externalId", "IT-BULK-1-B", "priceFen", 1))),
				Map.of("externalId", "IT-BULK-3", "name", "抢SKU", "skus", List.of(Map.of("externalId", "IT-BULK-1-A", "priceFen", 1))))))
			.expect(200)
			.json();
		assertThat(result.path("created").asInt()).isEqualTo(1);
		assertThat(result.path("failed").asInt()).isEqualTo(3);
		JsonNode items = result.path("results");
		assertThat(items.get(0).path("status").asString()).isEqualTo("CREATED");
		assertThat(items.get(1).path("error").path("code").asString()).isEqualTo("invalid-price");
		assertThat(items.get(1).path("error").path("field").asString()).isEqualTo("products[1].skus[0].priceFen");
		assertThat(items.get(2).path("error").path("code").asString()).isEqualTo("duplicate-external-id");
		assertThat(items.get(3).path("error").path("code").asString()).isEqualTo("duplicate-external-id");
		assertThat(catalog.findProduct("IT-BULK-2")).isEmpty();
		assertThat(catalog.findSku("IT-BULK-1-A").orElseThrow().productName()).isEqualTo("玫瑰永生花");
	}

	@Test
	void bad_product_input_is_refused_with_its_field_and_changes_nothing() {
		writer.put("/api/v1/catalog/products/IT-BAD-1", Map.of("name", "x", "skus",
				List.of(Map.of("externalId", "IT-BAD-1-A", "priceFen", -100))))
			.expectProblem(400, "invalid-price");
		assertThat(catalog.findProduct("IT-BAD-1")).isEmpty();
		assertThat(writer.put("/api/v1/catalog/products/IT-BAD-1", Map.of("name", "x", "skus", List.of()))
			.expectProblem(400, "validation-failed")
			.errorFields()).containsExactly("skus");
		writer.put("/api/v1/catalog/products/bad%20id", Map.of("name", "x", "skus",
				List.of(Map.of("externalId", "IT-BAD-1-A", "priceFen", 1))))
			.expectProblem(400, "invalid-external-id");
		writer.put("/api/v1/catalog/products/IT-BAD-1", Map.of("name", "x", "tags", Map.of("colour", List.of("红")), "skus",
				List.of(Map.of("externalId", "IT-BAD-1-A", "priceFen", 1))))
			.expectProblem(400, "invalid-tag");
		writer.put("/api/v1/catalog/products/IT-BAD-1", Map.of("name", "x", "launchAt", "2026-10-01T00:00:00Z", "endAt",
				"2026-09-01T00:00:00Z", "skus", List.of(Map.of("externalId", "IT-BAD-1-A", "priceFen", 1))))
			.expectProblem(400, "invalid-window");
		writer.put("/api/v1/catalog/products/IT-BAD-1", Map.of("name", "x", "colour", "red", "skus",
				List.of(Map.of("externalId", "IT-BAD-1-A", "priceFen", 1))))
			.expectProblem(400, "unknown-field");
		assertThat(catalog.findProduct("IT-BAD-1")).isEmpty();
		writer.get("/api/v1/catalog/skus/NO-SUCH-SKU").expectProblem(404, "sku-not-found");
		writer.get("/api/v1/catalog/products/NO-SUCH-PRODUCT").expectProblem(404, "product-not-found");
		// a store manager reads the catalog but does not change it
		demo.staff("sh-njr.manager").put("/api/v1/catalog/products/IT-BAD-2", mooncakes(100)).expectProblem(403, "forbidden");
	}
}
