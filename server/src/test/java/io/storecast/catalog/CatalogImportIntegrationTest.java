package io.storecast.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import io.storecast.support.Api;
import io.storecast.support.DemoFixture;
import io.storecast.support.StorecastIntegrationTest;
import tools.jackson.databind.JsonNode;

/**
 * CSV imports: UTF-8 and GBK, quoted fields with commas and line breaks, valid rows in and bad rows
 * reported with row, column and reason, progress on the job, idempotent re-runs, and files refused
 * whole (bad encoding, missing columns) before anything is imported.
 */
@StorecastIntegrationTest
class CatalogImportIntegrationTest {

	static final Charset GBK = Charset.forName("GBK");

	@LocalServerPort
	int port;

	@Autowired
	Catalog catalog;

	@Autowired
	StockLevels stock;

	DemoFixture demo;
	Api owner;

	@BeforeEach
	void setUp() {
		demo = new DemoFixture(port);
		owner = demo.owner;
	}

	Api.Response upload(Api api, String type, byte[] csv) {
		return api.raw("POST", "/api/v1/catalog/imports?type=" + type, "text/csv", csv);
	}

	JsonNode finished(Api api, String id) {
		await().atMost(Duration.ofSeconds(30))
			.until(() -> List.of("DONE", "FAILED").contains(api.get("/api/v1/catalog/imports/" + id).expect(200).string("status")));
		return api.get("/api/v1/catalog/imports/" + id).expect(200).json();
	}

	JsonNode errors(String id) {
		return owner.get("/api/v1/catalog/imports/" + id + "/errors?limit=200").expect(200).json().path("items");
	}

	static final String PRODUCTS = """
			product_id,name,sku_id,sku_name,price,category,occasion,recipient,material,description,customisations,low_stock_threshold
			IMP-1,"桂花酒礼盒, 双支装",IMP-1-A,,268.00,酒水礼盒,中秋|春节,长辈,,"第一行
			第二行,有逗号",GREETING_CARD:1,3
			IMP-2,银项链,IMP-2-A,16寸,¥1299.5,项链,情人节,女朋友|妈妈,银,,ENGRAVING:2:3000,
			IMP-2,银项链,IMP-2-B,18寸,1399,项链,情人节,女朋友|妈妈,银,,ENGRAVING:2:3000,
			IMP-3,负价商品,IMP-3-A,,-5,项链,,,,,,
			IMP-4,,IMP-4-A,,10,项链,,,,,,
			IMP-5,重复SKU,IMP-2-A,,10,项链,,,,,,
			bad id,坏编号,IMP-6-A,,abc,项链,,,,,,
			""";

	@Test
	void a_product_file_in_utf8_imports_its_valid_rows_and_reports_the_others() {
		JsonNode job = upload(owner, "products", PRODUCTS.getBytes(StandardCharsets.UTF_8)).expect(202).json();
		assertThat(job.path("status").asString()).isEqualTo("QUEUED");
		assertThat(job.path("encoding").asString()).isEqualTo("UTF-8");
		JsonNode done = finished(owner, job.path("id").asString());
		assertThat(done.path("status").asString()).isEqualTo("DONE");
		assertThat(done.path("rowsRead").asLong()).isEqualTo(7);
		assertThat(done.path("rowsOk").asLong()).isEqualTo(3);
		assertThat(done.path("rowsFailed").asLong()).isEqualTo(4);

		ProductView wine = catalog.findProduct("IMP-1").orElseThrow();
		assertThat(wine.name()).isEqualTo("桂花酒礼盒, 双支装");
		assertThat(wine.description()).isEqualTo("第一行\n第二行,有逗号");
		assertThat(wine.tags(TagDimension.OCCASION)).containsExactly("中秋", "春节");
		assertThat(wine.customisations()).containsExactly(new Customisation(CustomisationKind.GREETING_CARD, 0, 1));
		assertThat(wine.skus().getFirst().priceFen()).isEqualTo(26800);
		assertThat(wine.skus().getFirst().lowStockThreshold()).isEqualTo(3);
		assertThat(catalog.findSku("IMP-2-A").orElseThrow().priceFen()).isEqualTo(129950);
		assertThat(catalog.findProduct("IMP-2").orElseThrow().skus()).hasSize(2);
		assertThat(catalog.findProduct("IMP-3")).isEmpty();

		JsonNode errors = errors(job.path("id").asString());
		// the header is row 1; row 3 is the quoted two-line description, so the rows below count from there
		assertThat(errors.toString()).contains("\"row\":5,\"field\":\"price\",\"code\":\"invalid-price\"")
			.contains("\"row\":6,\"field\":\"name\"")
			.contains("\"row\":7,\"field\":\"sku_id\",\"code\":\"duplicate-external-id\"")
			.contains("\"row\":8,\"field\":\"product_id\",\"code\":\"invalid-external-id\"")
			.contains("\"row\":8,\"field\":\"price\"");

		// running the same file again changes nothing and reports the same rows
		JsonNode again = finished(owner,
				upload(owner, "products", PRODUCTS.getBytes(StandardCharsets.UTF_8)).expect(202).string("id"));
		assertThat(again.path("rowsOk").asLong()).isEqualTo(3);
		assertThat(catalog.findProduct("IMP-2").orElseThrow().skus()).hasSize(2);
		assertThat(catalog.findProduct("IMP-1").orElseThrow().id()).isEqualTo(wine.id());
	}

	@Test
	void a_gbk_stock_file_sets_levels_as_audited_counts_and_a_rerun_changes_nothing() {
		String csv = """
				store,sku_id,quantity,low_stock_threshold,note
				SH-NJR,NK-002-A,40,,到货盘点
				hz-xh,NK-002-A,7,8,
				%s,NK-002-A,12,,
				SH-NJR,NK-002-A,41,,重复
				NOPE,NK-002-A,1,,
				SH-NJR,NO-SUCH-SKU,1,,
				SH-NJR,NK-003-A,-4,,
				""".formatted(demo.node("GZ-TH"));
		byte[] gbk = csv.getBytes(GBK);
		assertThat(new String(gbk, StandardCharsets.UTF_8)).isNotEqualTo(csv);
		JsonNode job = upload(owner, "stock", gbk).expect(202).json();
		assertThat(job.path("encoding").asString()).isEqualTo("GBK");
		JsonNode done = finished(owner, job.path("id").asString());
		assertThat(done.path("rowsOk").asLong()).isEqualTo(3);
		assertThat(done.path("rowsFailed").asLong()).isEqualTo(4);
		SkuId sku = catalog.findSku("NK-002-A").orElseThrow().id();
		assertThat(stock.level(sku, io.storecast.identity.OrgNodeId.valueOf(demo.node("SH-NJR"))).onHand()).isEqualTo(40);
		StockLevel hz = stock.level(sku, io.storecast.identity.OrgNodeId.valueOf(demo.node("HZ-XH")));
		assertThat(hz.onHand()).isEqualTo(7);
		assertThat(hz.threshold()).isEqualTo(8);
		assertThat(stock.level(sku, io.storecast.identity.OrgNodeId.valueOf(demo.node("GZ-TH"))).onHand()).isEqualTo(12);
		JsonNode errors = errors(job.path("id").asString());
		assertThat(errors.toString()).contains("\"row\":5,\"field\":\"sku_id\",\"code\":\"duplicate-row\"")
			.contains("\"row\":6,\"field\":\"store\",\"code\":\"unknown-store\"")
			.contains("\"row\":7,\"field\":\"sku_id\",\"code\":\"unknown-sku\"")
			.contains("\"row\":8,\"field\":\"quantity\",\"code\":\"negative-stock\"");
		JsonNode count = owner.get("/api/v1/catalog/stock/adjustments?storeId=" + demo.node("SH-NJR") + "&sku=NK-002-A")
			.expect(200).json().path("items").get(0);
		assertThat(count.path("reason").asString()).isEqualTo("COUNT");
		assertThat(count.path("note").asString()).isEqualTo("到货盘点");
		assertThat(count.path("importId").asString()).isEqualTo(job.path("id").asString());
		assertThat(count.path("actor").asString()).startsWith("staff:");
		String latest = count.path("id").asString();

		finished(owner, upload(owner, "stock", gbk).expect(202).string("id"));
		assertThat(owner.get("/api/v1/catalog/stock/adjustments?storeId=" + demo.node("SH-NJR") + "&sku=NK-002-A")
			.expect(200).json().path("items").get(0).path("id").asString()).isEqualTo(latest);
	}

	@Test
	void files_that_cannot_be_read_are_refused_whole_and_nothing_is_imported() {
		byte[] latin1 = "product_id,name,sku_id,price_fen\nIMP-X,caf\u00e9\u00ff\u00fe,IMP-X-A,100\n".getBytes(StandardCharsets.ISO_8859_1);
		assertThat(upload(owner, "products", latin1).expectProblem(400, "unreadable-encoding").errorFields()).containsExactly("file");
		byte[] utf16 = "product_id,name,sku_id,price_fen\n".getBytes(StandardCharsets.UTF_16);
		upload(owner, "products", utf16).expectProblem(400, "unreadable-encoding");
		assertThat(upload(owner, "products", "product_id,name,price_fen\nIMP-Y,名字,100\n".getBytes(StandardCharsets.UTF_8))
			.expectProblem(400, "missing-columns")
			.errorFields()).containsExactly("sku_id");
		upload(owner, "products", "product_id,name,sku_id\nIMP-Y,名字,IMP-Y-A\n".getBytes(StandardCharsets.UTF_8))
			.expectProblem(400, "missing-columns");
		upload(owner, "stock", "store,sku_id,qty\n".getBytes(StandardCharsets.UTF_8)).expectProblem(400, "unknown-column");
		upload(owner, "stock", new byte[0]).expectProblem(400, "empty-file");
		upload(owner, "things", "a\n".getBytes(StandardCharsets.UTF_8)).expectProblem(400, "invalid-value");
		assertThat(catalog.findProduct("IMP-X")).isEmpty();
		assertThat(catalog.findProduct("IMP-Y")).isEmpty();
		// a store manager imports stock for their own store only, and no products
		upload(demo.staff("sh-njr.manager"), "products", PRODUCTS.getBytes(StandardCharsets.UTF_8)).expectProblem(403, "forbidden");
		JsonNode mine = finished(owner, upload(demo.staff("sh-njr.manager"), "stock",
				"store,sku_id,quantity\nSH-NJR,NK-004-A,9\nHZ-XH,NK-004-A,9\n".getBytes(StandardCharsets.UTF_8))
			.expect(202).string("id"));
		assertThat(mine.path("rowsOk").asLong()).isEqualTo(1);
		assertThat(errors(mine.path("id").asString()).get(0).path("code").asString()).isEqualTo("forbidden");
	}

	@Test
	void a_multipart_upload_works_too_and_a_large_file_streams_through() throws IOException, InterruptedException {
		StringBuilder csv = new StringBuilder("product_id,name,sku_id,price_fen,occasion\n");
		for (int i = 0; i < 5000; i++) {
			csv.append("BIG-").append(i).append(",大文件商品 ").append(i).append(",BIG-").append(i).append("-A,")
				.append(1000 + i).append(",生日\n");
		}
		String boundary = "----storecast" + UUID.randomUUID();
		byte[] body = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.csv\"\r\n"
				+ "Content-Type: text/csv\r\n\r\n" + csv + "\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
		HttpResponse<String> response = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/catalog/imports?type=products"))
				.header("Authorization", "Bearer " + owner.token())
				.header("Content-Type", "multipart/form-data; boundary=" + boundary)
				.POST(HttpRequest.BodyPublishers.ofByteArray(body))
				.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
		String id = tools.jackson.databind.json.JsonMapper.builder().build().readTree(response.body()).path("id").asString();
		JsonNode done = finished(owner, id);
		assertThat(done.path("fileName").asString()).isEqualTo("big.csv");
		assertThat(done.path("rowsOk").asLong()).isEqualTo(5000);
		assertThat(catalog.findSku("BIG-4999-A").orElseThrow().priceFen()).isEqualTo(5999);
		assertThat(owner.get("/api/v1/catalog/imports?limit=50").expect(200).json().path("items").toString()).contains(id);
	}
}
